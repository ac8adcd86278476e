import Foundation

/// An attacker on the path, for tests: a TCP relay on 127.0.0.1, at an ephemeral port, in
/// front of a real TLS server, that hands each whole TLS record (header included) of each
/// direction to that direction's transform and forwards what the transform returns, or, when
/// the transform says `.end`, drops that record and everything after it and ends the
/// receiving side's stream with a plain TCP FIN.
///
///     try TestServer.withOpenSSL(arguments) { server in
///         try RecordRelay.with(upstream: server.port, serverToClient: RecordRelay.cutAtFirstAlert) { relay in
///             ... connect to 127.0.0.1:relay.port ...
///         }
///     }
///
/// Deterministic where killing the server is not: a cut is at a record boundary, not at a
/// moment. After an `.end` the relay forwards nothing more either way and reads the side it
/// sent the FIN to until that side closes, so that side sees FIN, never RST. A direction
/// without a transform is forwarded record by record unchanged; bytes that never make a
/// whole record (a stream that ends inside one) are forwarded as they are, then FIN.
///
/// One thread, connections taken one at a time, every wait bounded (a connection lasts at
/// most `connectionLimit`); `with` returns only once the thread has ended and every socket
/// is closed. Transforms run on the relay's thread, one record at a time.
final class RecordRelay: @unchecked Sendable {
    enum Direction { case clientToServer, serverToClient }

    /// What a transform makes of one record.
    enum Action {
        /// These bytes go on instead (the record itself, a rewrite, several records, none).
        case forward([UInt8])
        /// Drop this record and all that follows; FIN to the side it was going to.
        case end
    }

    typealias Transform = @Sendable (_ record: [UInt8]) -> Action

    /// The port to connect to (on 127.0.0.1).
    let port: UInt16
    /// The longest one relayed connection may last.
    static let connectionLimit: TimeInterval = 60

    private let listener: Int32
    private let upstream: UInt16
    private let transforms: (clientToServer: Transform?, serverToClient: Transform?)
    private let condition = NSCondition()
    private var stopping = false
    private var running = false
    private var relayed = 0
    private var ended = 0
    private var rewritten = 0

    private init(listener: Int32, port: UInt16, upstream: UInt16, transforms: (Transform?, Transform?)) {
        self.listener = listener
        self.port = port
        self.upstream = upstream
        self.transforms = transforms
    }

    /// Connections relayed so far.
    var connections: Int { locked { relayed } }
    /// Streams ended by a transform's `.end` so far.
    var ends: Int { locked { ended } }
    /// Records a transform forwarded as other bytes than it was given, so far.
    var rewrites: Int { locked { rewritten } }

    /// Runs a relay to 127.0.0.1:`upstream` for the duration of `body`.
    static func with<R>(
        upstream: UInt16, clientToServer: Transform? = nil, serverToClient: Transform? = nil,
        body: (RecordRelay) throws -> R
    ) throws -> R {
        let relay = try start(upstream: upstream, transforms: (clientToServer, serverToClient))
        defer { relay.stop() }
        return try body(relay)
    }

    // MARK: transforms the tests share

    /// The truncation attack (RFC 5246 §7.2.1): the server's first alert record (its
    /// close_notify, for a server such as `openssl s_server -www` that sends no other alert)
    /// and all after it are dropped, and the client gets FIN instead: it has had every byte
    /// of the response and no close_notify.
    static let cutAtFirstAlert: Transform = { record in record[0] == 21 ? .end : .forward(record) }

    /// The downgrade attack: the client's ClientHello loses supported_versions (43) and
    /// key_share (51), so that a server that speaks TLS 1.3 answers TLS 1.2 with the
    /// downgrade sentinel "DOWNGRD\x01" at the end of its random (RFC 8446 §4.1.3).
    static let stripVersionExtensions: Transform = { record in .forward(strip(record) ?? record) }

    /// The ClientHello record `record` (header included) without the extensions in
    /// `removing`, with every length fixed; nil if it is not a whole ClientHello record.
    static func strip(_ record: [UInt8], removing: Set<UInt16> = [43, 51]) -> [UInt8]? {
        func u16(_ i: Int) -> Int { Int(record[i]) << 8 | Int(record[i + 1]) }
        guard record.count >= 9, record[0] == 22, record[5] == 1 else { return nil }
        guard 5 + u16(3) == record.count else { return nil }
        var offset = 9 + 2 + 32
        guard offset < record.count else { return nil }
        offset += 1 + Int(record[offset])  // legacy_session_id
        guard offset + 2 <= record.count else { return nil }
        offset += 2 + u16(offset)  // cipher_suites
        guard offset < record.count else { return nil }
        offset += 1 + Int(record[offset])  // legacy_compression_methods
        guard offset + 2 <= record.count else { return nil }
        let extensionsStart = offset + 2
        let extensionsEnd = extensionsStart + u16(offset)
        guard extensionsEnd == record.count else { return nil }
        var kept: [UInt8] = []
        var at = extensionsStart
        while at + 4 <= extensionsEnd {
            let type = UInt16(u16(at))
            let end = at + 4 + u16(at + 2)
            guard end <= extensionsEnd else { return nil }
            if !removing.contains(type) { kept += record[at..<end] }
            at = end
        }
        var body = Array(record[9..<offset])  // version .. compression methods
        body += [UInt8(kept.count >> 8), UInt8(kept.count & 0xFF)] + kept
        let handshake = [1, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)] + body
        return [22, record[1], record[2], UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
    }

    // MARK: the relay

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private static func start(upstream: UInt16, transforms: (Transform?, Transform?)) throws -> RecordRelay {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestServer.Failure(description: "relay socket: errno \(errno)") }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ok else {
            let code = errno
            close(descriptor)
            throw TestServer.Failure(description: "relay bind/listen: errno \(code)")
        }
        let relay = RecordRelay(
            listener: descriptor, port: UInt16(bigEndian: address.sin_port), upstream: upstream, transforms: transforms)
        relay.running = true
        Thread.detachNewThread { [relay] in
            relay.acceptLoop()
            relay.condition.lock()
            relay.running = false
            relay.condition.broadcast()
            relay.condition.unlock()
        }
        return relay
    }

    /// Ends the relay: the thread notices within one poll slice and closes what it holds.
    private func stop() {
        condition.lock()
        stopping = true
        while running { condition.wait() }
        condition.unlock()
        close(listener)
    }

    private var isStopping: Bool { locked { stopping } }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        return address
    }

    private func acceptLoop() {
        while !isStopping {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 50) <= 0 { continue }
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            var address = Self.loopback(port: upstream)
            let connected = server >= 0 && withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            if connected {
                locked { relayed += 1 }
                relay(client: client, server: server)
            }
            if server >= 0 { close(server) }
            close(client)
        }
    }

    /// One direction of a connection: where its bytes come from and go, and what is held.
    private struct Leg {
        let from: Int32
        let to: Int32
        let transform: Transform?
        /// Bytes read but not yet forwarded: at most one partial record.
        var pending: [UInt8] = []
        /// `from` has closed.
        var closed = false
    }

    /// Relays one connection until both sides have closed, or, after an `.end`, until the
    /// side that was sent the FIN has closed.
    private func relay(client: Int32, server: Int32) {
        var legs = [Leg(from: client, to: server, transform: transforms.clientToServer),
                    Leg(from: server, to: client, transform: transforms.serverToClient)]
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        // After an `.end` on leg i: the side FIN was sent to, which is then only drained.
        var drained: Int32? = nil
        let deadline = Date().addingTimeInterval(Self.connectionLimit)
        while !isStopping && Date() < deadline {
            if let drained {
                var entry = pollfd(fd: drained, events: Int16(POLLIN), revents: 0)
                if poll(&entry, 1, 50) <= 0 { continue }
                if buffer.withUnsafeMutableBytes({ recv(drained, $0.baseAddress, $0.count, 0) }) <= 0 { return }
                continue
            }
            if legs[0].closed && legs[1].closed { return }
            var entries = legs.map { pollfd(fd: $0.closed ? -1 : $0.from, events: Int16(POLLIN), revents: 0) }
            if poll(&entries, 2, 50) <= 0 { continue }
            for i in 0..<2 where entries[i].revents != 0 && drained == nil {
                let count = buffer.withUnsafeMutableBytes { recv(legs[i].from, $0.baseAddress, $0.count, 0) }
                if count <= 0 {
                    legs[i].closed = true
                    Self.sendAll(legs[i].to, legs[i].pending[...])
                    legs[i].pending = []
                    shutdown(legs[i].to, Int32(SHUT_WR))
                    continue
                }
                legs[i].pending += buffer[0..<count]
                while legs[i].pending.count >= 5 {
                    let length = 5 + (Int(legs[i].pending[3]) << 8 | Int(legs[i].pending[4]))
                    guard legs[i].pending.count >= length else { break }
                    let record = Array(legs[i].pending[0..<length])
                    legs[i].pending.removeFirst(length)
                    switch legs[i].transform?(record) ?? .forward(record) {
                    case .forward(let bytes):
                        if bytes != record { locked { rewritten += 1 } }
                        Self.sendAll(legs[i].to, bytes[...])
                    case .end:
                        shutdown(legs[i].to, Int32(SHUT_WR))
                        locked { ended += 1 }
                        drained = legs[i].to
                    }
                    if drained != nil { break }
                }
            }
        }
    }

    private static func sendAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return }
            offset += sent
        }
    }
}
