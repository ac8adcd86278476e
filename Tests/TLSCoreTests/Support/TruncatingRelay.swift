import Foundation

/// A truncation attacker for tests: a TCP relay on 127.0.0.1, at an ephemeral port, in front
/// of a real TLS server. It passes the client's bytes on unchanged and the server's whole
/// records one by one; at the server's first alert record (its close_notify, for a server
/// such as `openssl s_server -www` that sends no other alert) it drops that record and all
/// that follows, and ends the client's side with a plain TCP FIN. The client has then had
/// every byte of the response and no close_notify: what anyone on the path can do to a TLS
/// stream (RFC 5246 §7.2.1).
///
///     try TestServer.withOpenSSL(arguments) { server in
///         try TruncatingRelay.with(upstream: server.port) { relay in
///             ... connect to 127.0.0.1:relay.port ...
///         }
///     }
///
/// Deterministic where killing the server is not: the cut is at a record boundary, not at a
/// moment, so the whole response always arrives first; and the client's side always ends in
/// FIN, never RST, since the relay reads what the client sends until the client closes.
/// One thread, connections taken one at a time, every wait bounded; `with` returns only once
/// the thread has ended and every socket is closed.
final class TruncatingRelay: @unchecked Sendable {
    /// The port to connect to (on 127.0.0.1).
    let port: UInt16
    /// The longest one relayed connection may last.
    static let connectionLimit: TimeInterval = 60

    private let listener: Int32
    private let upstream: UInt16
    private let condition = NSCondition()
    private var stopping = false
    private var running = false
    private var relayed = 0
    private var cut = 0

    private init(listener: Int32, port: UInt16, upstream: UInt16) {
        self.listener = listener
        self.port = port
        self.upstream = upstream
    }

    /// Connections relayed so far.
    var connections: Int {
        condition.lock()
        defer { condition.unlock() }
        return relayed
    }

    /// Connections cut at the server's alert so far.
    var cuts: Int {
        condition.lock()
        defer { condition.unlock() }
        return cut
    }

    /// Runs a relay to 127.0.0.1:`upstream` for the duration of `body`.
    static func with<R>(upstream: UInt16, body: (TruncatingRelay) throws -> R) throws -> R {
        let relay = try start(upstream: upstream)
        defer { relay.stop() }
        return try body(relay)
    }

    private static func start(upstream: UInt16) throws -> TruncatingRelay {
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
        let relay = TruncatingRelay(listener: descriptor, port: UInt16(bigEndian: address.sin_port), upstream: upstream)
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
            if connected {
                condition.lock()
                relayed += 1
                condition.unlock()
                relay(client: client, server: server)
            }
            if server >= 0 { close(server) }
            close(client)
        }
    }

    /// Relays one connection until the client has closed and the server has either been cut
    /// off at its alert or closed too.
    private func relay(client: Int32, server: Int32) {
        var pending: [UInt8] = []  // the server's bytes not yet forwarded: at most one partial record
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var didCut = false
        var clientEnded = false
        var serverEnded = false
        let deadline = Date().addingTimeInterval(Self.connectionLimit)
        while !(clientEnded && (didCut || serverEnded)) && !isStopping && Date() < deadline {
            var entries = [pollfd(fd: clientEnded ? -1 : client, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: serverEnded ? -1 : server, events: Int16(POLLIN), revents: 0)]
            if poll(&entries, 2, 50) <= 0 { continue }
            if entries[0].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if count <= 0 {
                    clientEnded = true
                    if !serverEnded { shutdown(server, Int32(SHUT_WR)) }
                } else if !didCut {
                    // After the cut the client's bytes (its own close_notify) go nowhere.
                    Self.sendAll(server, buffer[0..<count])
                }
            }
            if entries[1].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(server, $0.baseAddress, $0.count, 0) }
                if count <= 0 {
                    serverEnded = true
                    if !didCut {
                        Self.sendAll(client, pending[...])
                        shutdown(client, Int32(SHUT_WR))
                    }
                } else if !didCut {
                    pending += buffer[0..<count]
                    while pending.count >= 5 {
                        let length = 5 + (Int(pending[3]) << 8 | Int(pending[4]))
                        guard pending.count >= length else { break }
                        if pending[0] == 21 {  // ContentType.alert
                            didCut = true
                            pending.removeAll()
                            shutdown(client, Int32(SHUT_WR))
                            condition.lock()
                            cut += 1
                            condition.unlock()
                            break
                        }
                        Self.sendAll(client, pending[0..<length])
                        pending.removeFirst(length)
                    }
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
