import Testing
import TLSCore
import TLSPlatform

/// The sans-I/O engine over test-owned regions, for feeding it crafted bytes.
enum EngineHarness {
    /// Runs `body` with an engine whose regions are sized by `configuration` (reassembly:
    /// `reassemblySize`), started, with its ClientHello record taken off the output and
    /// handed over.
    static func withStartedEngine<R>(
        _ configuration: ClientConfiguration, reassemblySize: Int = 4096,
        _ body: (inout ClientEngine, _ clientHello: [UInt8]) throws -> R
    ) throws -> R {
        var input = [UInt8](repeating: 0, count: configuration.inputRegionSize)
        var output = [UInt8](repeating: 0, count: configuration.outputRegionSize)
        var reassembly = [UInt8](repeating: 0, count: reassemblySize)
        let random = try Random(entropy: SystemEntropy.source, personalization: Span())
        var engine = try ClientEngine(
            configuration: configuration, input: input.mutableSpan, output: output.mutableSpan,
            reassembly: reassembly.mutableSpan, random: random)
        try engine.start()
        let hello = bytes(engine.outgoing)
        #expect(hello.first == 22)
        engine.didSend(hello.count)
        return try body(&engine, hello)
    }

    /// Writes `bytes` where the engine takes input and lets it process them.
    static func feed(_ engine: inout ClientEngine, _ bytes: [UInt8]) throws(TLSError) {
        var room = engine.incomingRoom()
        precondition(room.count >= bytes.count)
        for i in bytes.indices { room[i] = bytes[i] }
        try engine.didReceive(bytes.count)
    }

    static func bytes(_ span: Span<UInt8>) -> [UInt8] {
        (0..<span.count).map { span[$0] }
    }
}
