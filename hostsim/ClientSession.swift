import ArgumentParser
import Foundation
import TLSCore
import TLSPlatform

/// One client exchange through the core over any transport: handshake, request, response,
/// close_notify. Shared by `connect` and the UART commands.
enum ClientSession {
    struct Outcome {
        var suite: CipherSuite?
        var group: NamedGroup?
        var extendedMasterSecret = false
        var response: [UInt8] = []
        /// Bytes of application data received (also counted when `response` is not kept).
        var responseCount = 0
        var closedByNotify = false
        /// How the handshake resumed a session, if it did.
        var resumed: Session.Kind?
    }

    /// The host memory a run works in: the engine's three regions, sized from the
    /// configuration as a board would size its static regions, plus the request and a read
    /// buffer. Made once and reused, so that repeated runs (`connect --repeat`) allocate
    /// nothing of their own.
    struct Regions {
        var input: [UInt8]
        var output: [UInt8]
        var reassembly: [UInt8]
        var chunk: [UInt8]
        let request: [UInt8]

        init(configuration: borrowing ClientConfiguration, request: String, reassemblySize: Int? = nil) {
            input = [UInt8](repeating: 0, count: configuration.inputRegionSize)
            output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
            reassembly = [UInt8](repeating: 0, count: reassemblySize ?? configuration.reassemblyRegionSize)
            chunk = [UInt8](repeating: 0, count: 4096)
            self.request = Array(request.utf8)
        }

        /// The bytes the core works in: the three regions (not the host's read buffer).
        var coreBytes: Int { input.count + output.count + reassembly.count }
    }

    private static let personalization: [UInt8] = Array("hostsim".utf8)

    /// Runs the exchange in fresh regions.
    static func run<T: Transport & ~Copyable>(
        configuration: ClientConfiguration, transport: consuming T, options: ClientOptions
    ) throws(TLSError) -> Outcome {
        var regions = Regions(configuration: configuration, request: options.request)
        return try run(configuration: configuration, transport: transport, options: options, regions: &regions)
    }

    /// Runs the exchange in the caller's regions. With `keepResponse` false the response is
    /// only counted, so that a run allocates nothing on the host side.
    static func run<T: Transport & ~Copyable>(
        configuration: ClientConfiguration, transport: consuming T, options: ClientOptions,
        regions: inout Regions, keepResponse: Bool = true
    ) throws(TLSError) -> Outcome {
        // The regions as separate inout arguments: the engine borrows three of them at once.
        try exchange(
            configuration: configuration, transport: transport, options: options, input: &regions.input,
            output: &regions.output, reassembly: &regions.reassembly, chunk: &regions.chunk,
            request: regions.request, keepResponse: keepResponse)
    }

    private static func exchange<T: Transport & ~Copyable>(
        configuration: ClientConfiguration, transport: consuming T, options: ClientOptions,
        input: inout [UInt8], output: inout [UInt8], reassembly: inout [UInt8], chunk: inout [UInt8],
        request: [UInt8], keepResponse: Bool
    ) throws(TLSError) -> Outcome {
        let random = try Random(entropy: SystemEntropy.source, personalization: personalization.span)
        let engine = try ClientEngine(
            configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
            reassembly: reassembly.mutableSpan, random: random)
        var connection = Connection(
            engine: engine, transport: transport, timeoutMilliseconds: options.timeoutMilliseconds,
            clock: { Clock.monotonicMilliseconds() })
        let trace = options.trace
        var resumed: Session.Kind? = nil
        try connection.handshake { event in
            if case .resumed(let kind) = event.kind { resumed = kind }
            if trace { print(event.line, to: &standardError) }
        }
        var outcome = Outcome(suite: connection.engine.negotiatedSuite, group: connection.engine.negotiatedGroup,
                              extendedMasterSecret: connection.engine.usesExtendedMasterSecret, resumed: resumed)
        if trace, let suite = outcome.suite {
            print("   " + negotiatedLine(suite: suite, group: outcome.group, extendedMasterSecret: outcome.extendedMasterSecret,
                                         resumed: resumed),
                  to: &standardError)
            if let range = connection.engine.negotiatedApplicationProtocol {
                let list = configuration.applicationProtocols
                let name = String(decoding: ((range.lowerBound + 1)..<range.upperBound).map { list[$0] }, as: UTF8.self)
                print("   ALPN \(name)", to: &standardError)
            }
        }
        try connection.write(request.span)
        if trace { print("⑩ → application data (\(byteCount(request.count)))", to: &standardError) }
        while true {
            var span = chunk.mutableSpan
            let read = Result { () throws(TLSError) in try connection.read(into: &span) }
            // Messages after the handshake (a HelloRequest) and the answer (no_renegotiation).
            while let event = connection.engine.nextEvent() {
                if trace { print(event.line, to: &standardError) }
            }
            let count = try read.get()
            if count == 0 { break }
            outcome.responseCount += count
            if keepResponse { outcome.response += chunk[0..<count] }
        }
        // `read` returned 0: after close_notify the engine is closed; a transport that just
        // ended leaves it connected.
        outcome.closedByNotify = connection.engine.state.isClosed
        if trace {
            print("⑩ ← application data (\(byteCount(outcome.responseCount)))\(closeNote(outcome.closedByNotify))",
                  to: &standardError)
        }
        connection.close()
        return outcome
    }

    /// What a response that ended without close_notify is reported as (exit status 1 unless
    /// --allow-missing-close-notify): the bytes may be all there were, or the start of more.
    static let truncationMessage = "connection closed without close_notify: the response may be truncated"

    /// How a trace's last line ends.
    static func closeNote(_ closedByNotify: Bool) -> String {
        closedByNotify ? ", then close_notify" : ", then the connection closed without close_notify"
    }

    /// Prints the response (unless `printResponse` is false), or the one-line reason, and
    /// sets the exit status: a response that ended without close_notify fails too, unless
    /// the options allow it.
    static func report(_ result: Result<Outcome, TLSError>, options: ClientOptions, printResponse: Bool = true) throws {
        switch result {
        case .success(let outcome):
            if printResponse { FileHandle.standardOutput.write(Data(outcome.response)) }
            if !outcome.closedByNotify && !options.allowMissingCloseNotify {
                print("hostsim: \(truncationMessage)", to: &standardError)
                throw ExitCode(1)
            }
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

    static func appendLine(_ line: String, to path: String) {
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
