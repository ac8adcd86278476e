import ArgumentParser
import Foundation
import TLSCore
import TLSPlatform

/// One client exchange through the core over any transport: handshake, request, response,
/// close_notify. Shared by `connect` and the UART commands.
enum ClientSession {
    struct Outcome {
        var suite: CipherSuite?
        var extendedMasterSecret = false
        var response: [UInt8] = []
        var closedByNotify = false
    }

    /// Runs the exchange; host-side buffers are sized from the configuration, as a board
    /// would size its static regions.
    static func run<T: Transport & ~Copyable>(
        configuration: ClientConfiguration, transport: consuming T, options: ClientOptions
    ) throws(TLSError) -> Outcome {
        var input = [UInt8](repeating: 0, count: configuration.inputRegionSize)
        var output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
        var reassembly = [UInt8](repeating: 0, count: 16384)
        let random = try Random(entropy: SystemEntropy.source, personalization: Array("hostsim".utf8).span)
        let engine = try ClientEngine(
            configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
            reassembly: reassembly.mutableSpan, random: random)
        var connection = Connection(engine: engine, transport: transport, timeoutMilliseconds: options.timeoutMilliseconds)
        let trace = options.trace
        try connection.handshake { event in
            if trace { print(event.line, to: &standardError) }
        }
        var outcome = Outcome(suite: connection.engine.negotiatedSuite,
                              extendedMasterSecret: connection.engine.usesExtendedMasterSecret)
        if let path = options.keylog {
            _ = connection.engine.withKeyLogSecrets { random, master in
                let line = "CLIENT_RANDOM \(hex(random)) \(hex(master))\n"
                appendLine(line, to: path)
            }
        }
        if trace, let suite = outcome.suite {
            print("   negotiated \(suite.name)\(outcome.extendedMasterSecret ? " with extended_master_secret" : "")",
                  to: &standardError)
        }
        let request = Array(options.request.utf8)
        try connection.write(request.span)
        if trace { print("⑩ → application data (\(request.count) bytes)", to: &standardError) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var span = chunk.mutableSpan
            let count = try connection.read(into: &span)
            if count == 0 { break }
            outcome.response += chunk[0..<count]
        }
        outcome.closedByNotify = connection.engine.state == .closed
        if trace {
            print("⑩ ← application data (\(outcome.response.count) bytes)\(outcome.closedByNotify ? ", then close_notify" : "")",
                  to: &standardError)
        }
        connection.close()
        return outcome
    }

    /// Prints the response, or the one-line reason, and sets the exit status.
    static func report(_ result: Result<Outcome, TLSError>, options: ClientOptions) throws {
        switch result {
        case .success(let outcome):
            FileHandle.standardOutput.write(Data(outcome.response))
        case .failure(let error):
            print("hostsim: TLS failure: \(error.summary)", to: &standardError)
            throw ExitCode(1)
        }
    }

    private static func hex(_ bytes: Span<UInt8>) -> String {
        var text = ""
        for i in 0..<bytes.count { text += String(format: "%02x", bytes[i]) }
        return text
    }

    private static func appendLine(_ line: String, to path: String) {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            handle.closeFile()
        }
    }
}
