import Foundation
import Testing
import TLSCore
import TLSPlatform

/// The storable form of the engine: engines kept in a table outside any scope (as a C
/// handle or a gateway's connection table keeps them), driven a step at a time from one
/// loop, each against its own real `openssl s_server` on 127.0.0.1.
@Suite struct StoredEngineTests {
    /// One connection of the table: its engine, its socket, and what it has received.
    struct Slot: ~Copyable {
        var engine: Engine<Client>
        var transport: TCPTransport
        var response: [UInt8] = []
        var requested = false
        var done = false
    }

    @Test func twoStoredEnginesInOneLoop() throws {
        let servers = [("server-ec", "int-ec", "root-ec"), ("server-rsa", "int-rsa", "root-rsa")]
        try TestServer.withOpenSSL(
            TestServer.openSSLArguments(certificate: servers[0].0, chainIssuer: servers[0].1)
        ) { first in
            try TestServer.withOpenSSL(
                TestServer.openSSLArguments(certificate: servers[1].0, chainIssuer: servers[1].1)
            ) { second in
                let responses = try Self.runTable(ports: [first.port, second.port], roots: servers.map(\.2))
                for response in responses {
                    #expect(String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.0 200 ok"))
                }
            }
        }
    }

    /// Runs one engine per port from a heap table, interleaved, to close_notify.
    static func runTable(ports: [UInt16], roots: [String]) throws -> [[UInt8]] {
        let name = Array("localhost".utf8)
        let anchors = roots.map { Fixtures.der($0) }
        let none: [UInt8] = []
        let request = Array("GET / HTTP/1.0\r\n\r\n".utf8)
        return try withExtendedLifetime((name, anchors, none)) { () throws -> [[UInt8]] in
            // Every region and the table itself live on the heap, outside any scope that
            // could borrow them: the engine's contract is that they outlive it, unmoved.
            var regions: [UnsafeMutableBufferPointer<UInt8>] = []
            defer { for region in regions { region.deallocate() } }
            let table = UnsafeMutablePointer<Slot>.allocate(capacity: ports.count)
            var initialized = 0
            defer {
                table.deinitialize(count: initialized)
                table.deallocate()
            }
            for i in ports.indices {
                let anchor = anchors[i]
                let configuration = ClientConfiguration(
                    serverName: name.span, serverAddress: none.span, trustAnchors: anchor.span,
                    crls: none.span, time: 1_893_456_000)
                let sizes = [configuration.inputRegionSize, configuration.outputRegionSize, configuration.reassemblyRegionSize]
                let made = sizes.map { UnsafeMutableBufferPointer<UInt8>.allocate(capacity: $0) }
                regions += made
                let engine = try Engine<Client>(
                    unsafeSettings: configuration.settings, input: made[0], output: made[1], reassembly: made[2],
                    random: try Random(entropy: SystemEntropy.source, personalization: Span()))
                let transport = try TCPTransport(
                    host: Array("127.0.0.1".utf8).span, port: ports[i], timeoutMilliseconds: 5000)
                (table + i).initialize(to: Slot(engine: engine, transport: transport))
                initialized += 1
                try table[i].engine.start()
            }
            // One loop drives every connection a step at a time, never blocking on one.
            let deadline = Date().addingTimeInterval(30)
            while (0..<ports.count).contains(where: { !table[$0].done }) {
                guard Date() < deadline else { throw TLSError.timeout }
                for i in 0..<ports.count where !table[i].done {
                    try step(&table[i], request: request)
                }
            }
            return (0..<ports.count).map { table[$0].response }
        }
    }

    /// Sends what is queued, takes what has arrived (waiting 5 ms at most), and moves the
    /// connection on: request once connected, collect the response until close_notify.
    static func step(_ slot: inout Slot, request: [UInt8]) throws {
        while slot.engine.hasOutgoing {
            let sent = try slot.transport.send(slot.engine.outgoing, timeoutMilliseconds: 1000)
            slot.engine.didSend(sent)
        }
        if slot.engine.state == .closed {
            slot.done = true
            return
        }
        var room = slot.engine.incomingRoom()
        do {
            let received = try slot.transport.receive(into: &room, timeoutMilliseconds: 5)
            guard received > 0 else { throw TLSError.connectionClosed }
            try slot.engine.didReceive(received)
        } catch TLSError.timeout {
            return
        }
        if slot.engine.state == .connected, !slot.requested {
            slot.requested = try slot.engine.send(request.span) == request.count
        }
        var chunk = [UInt8](repeating: 0, count: 1024)
        while slot.engine.hasReceivedData {
            var span = chunk.mutableSpan
            let count = try slot.engine.receive(into: &span)
            slot.response += chunk[0..<count]
        }
    }
}
