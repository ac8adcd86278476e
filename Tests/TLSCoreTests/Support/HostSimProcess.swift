import Foundation
import Testing

/// Runs the `hostsim` binary that `swift build --build-tests` builds next to the test bundle,
/// with a time limit, capturing what it printed.
enum HostSimProcess {
    /// What one hostsim run left behind.
    struct Run {
        var status: Int32
        var output: String
        var errors: String
        var seconds: Double
        var exited: Bool
    }

    /// The binary next to the test bundle, or the one `HOSTSIM` names (to run the tests
    /// against another build, e.g. to see a test fail before a fix).
    static var binary: URL? {
        if let path = ProcessInfo.processInfo.environment["HOSTSIM"], !path.isEmpty {
            return FileManager.default.isExecutableFile(atPath: path) ? URL(fileURLWithPath: path) : nil
        }
        var candidates: [URL] = []
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("hostsim"))
            dir = dir.deletingLastPathComponent()
        }
        let root = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        for scratch in [".build"] {
            candidates.append(root.appendingPathComponent("\(scratch)/debug/hostsim"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs hostsim with `arguments`, waiting at most `limit` seconds (then it is killed and
    /// the run reports `exited == false`).
    static func run(_ arguments: [String], limit: TimeInterval = 40) throws -> Run {
        guard let binary = binary else {
            Issue.record("hostsim binary not found; build it with swift build --build-tests")
            return Run(status: -1, output: "", errors: "", seconds: 0, exited: false)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostsim-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("out")
        let errURL = folder.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let start = Date()
        try process.run()
        try? out.close()
        try? err.close()
        let deadline = start.addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let exited = !process.isRunning
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let seconds = Date().timeIntervalSince(start)
        return Run(status: process.terminationStatus,
                   output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                   errors: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
                   seconds: seconds, exited: exited)
    }

}
