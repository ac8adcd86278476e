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
        return try start(binary, arguments).wait(limit: limit)
    }

    /// A program started with its output going to files, to be waited for with a limit.
    final class Started {
        let process: Process
        let folder: URL
        let start = Date()
        /// The write end of its standard input when held open, closed once it has ended.
        let heldInput: Pipe?

        init(process: Process, folder: URL, heldInput: Pipe?) {
            self.process = process
            self.folder = folder
            self.heldInput = heldInput
        }

        /// Waits at most `limit` seconds from the start (then kills it), and collects what it printed.
        func wait(limit: TimeInterval) -> Run {
            let deadline = start.addingTimeInterval(limit)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            let exited = !process.isRunning
            if !exited {
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            try? heldInput?.fileHandleForWriting.close()
            defer { try? FileManager.default.removeItem(at: folder) }
            return Run(status: process.terminationStatus,
                       output: (try? String(contentsOf: folder.appendingPathComponent("out"), encoding: .utf8)) ?? "",
                       errors: (try? String(contentsOf: folder.appendingPathComponent("err"), encoding: .utf8)) ?? "",
                       seconds: Date().timeIntervalSince(start), exited: exited)
        }
    }

    /// Starts `executable` with `arguments` and `input` on its standard input (nothing:
    /// /dev/null). With `holdingInputOpen` the input is a pipe that reaches its end only
    /// when the program has ended (a client that closes when its input ends).
    static func start(
        _ executable: URL, _ arguments: [String], input: Data? = nil, holdingInputOpen: Bool = false
    ) throws -> Started {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostsim-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let outURL = folder.appendingPathComponent("out")
        let errURL = folder.appendingPathComponent("err")
        let inURL = folder.appendingPathComponent("in")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data())
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let pipe = holdingInputOpen ? Pipe() : nil
        let standardInput: FileHandle
        if let pipe {
            standardInput = pipe.fileHandleForReading
        } else {
            standardInput = input == nil ? FileHandle.nullDevice : try FileHandle(forReadingFrom: inURL)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = standardInput
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try? out.close()
        try? err.close()
        if input != nil || pipe != nil { try? standardInput.close() }
        if let pipe, let input { pipe.fileHandleForWriting.write(input) }
        return Started(process: process, folder: folder, heldInput: pipe)
    }
}
