import Foundation

/// A downgrade attacker for tests: a TCP relay on 127.0.0.1, at an ephemeral port, in front
/// of a real TLS server. It rewrites the client's first record — its ClientHello — into a
/// TLS 1.2-only hello by removing the supported_versions (43) and key_share (51) extensions
/// and fixing the extension block, handshake and record lengths; everything else passes
/// unchanged both ways. A server that speaks TLS 1.3 then answers TLS 1.2 with the
/// downgrade sentinel "DOWNGRD\x01" at the end of its random (RFC 8446 §4.1.3), which the
/// client must catch (the transcript no longer matches, but in TLS 1.2 nothing else would).
///
/// One connection at a time on one thread, every wait bounded; `with` returns once the
/// thread has ended and every socket is closed. Modelled on `TruncatingRelay`.
final class DowngradeRelay: @unchecked Sendable {
    let port: UInt16
    static let connectionLimit: TimeInterval = 30

    private let listener: Int32
    private let upstream: UInt16
    private let condition = NSCondition()
    private var stopping = false
    private var running = false
    private var rewritten = 0

    private init(listener: Int32, port: UInt16, upstream: UInt16) {
        self.listener = listener
        self.port = port
        self.upstream = upstream
    }

    /// ClientHellos rewritten so far (one that carried neither extension does not count).
    var rewrites: Int {
        condition.lock()
        defer { condition.unlock() }
        return rewritten
    }

    static func with<R>(upstream: UInt16, body: (DowngradeRelay) throws -> R) throws -> R {
        let relay = try start(upstream: upstream)
        defer { relay.stop() }
        return try body(relay)
    }

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

    private static func start(upstream: UInt16) throws -> DowngradeRelay {
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
        let relay = DowngradeRelay(listener: descriptor, port: UInt16(bigEndian: address.sin_port), upstream: upstream)
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

    private func stop() {
        condition.lock()
        stopping = true
        while running { condition.wait() }
        condition.unlock()
        close(listener)
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

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
            if connected { relay(client: client, server: server) }
            if server >= 0 { close(server) }
            close(client)
        }
    }

    private func relay(client: Int32, server: Int32) {
        var first: [UInt8] = []  // the client's first record, until it is whole
        var firstDone = false
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var clientEnded = false
        var serverEnded = false
        let deadline = Date().addingTimeInterval(Self.connectionLimit)
        while !(clientEnded && serverEnded) && !isStopping && Date() < deadline {
            var entries = [pollfd(fd: clientEnded ? -1 : client, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: serverEnded ? -1 : server, events: Int16(POLLIN), revents: 0)]
            if poll(&entries, 2, 50) <= 0 { continue }
            if entries[0].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if count <= 0 {
                    clientEnded = true
                    shutdown(server, Int32(SHUT_WR))
                } else if firstDone {
                    Self.sendAll(server, buffer[0..<count])
                } else {
                    first += buffer[0..<count]
                    if first.count >= 5 {
                        let length = 5 + (Int(first[3]) << 8 | Int(first[4]))
                        if first.count >= length {
                            let record = Array(first[0..<length])
                            if let stripped = Self.strip(record), stripped != record {
                                condition.lock()
                                rewritten += 1
                                condition.unlock()
                                Self.sendAll(server, stripped[...])
                            } else {
                                Self.sendAll(server, record[...])
                            }
                            Self.sendAll(server, first[length...])
                            first = []
                            firstDone = true
                        }
                    }
                }
            }
            if entries[1].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(server, $0.baseAddress, $0.count, 0) }
                if count <= 0 {
                    serverEnded = true
                    shutdown(client, Int32(SHUT_WR))
                } else {
                    Self.sendAll(client, buffer[0..<count])
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
