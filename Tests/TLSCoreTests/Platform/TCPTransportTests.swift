import Glibc
import Testing
import TLSCore
import TLSPlatform

/// A listening TCP socket on 127.0.0.1 at a port the kernel picks, made with plain POSIX so
/// that the transport is tested against something other than itself.
private struct LoopbackListener: ~Copyable {
    let descriptor: Int32
    let port: UInt16

    /// `listening: false` leaves the socket bound but not listening: connections to its port
    /// are refused, and no other test can take the port meanwhile.
    init(listening: Bool = true) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0)
        if listening { try #require(listen(descriptor, 8) == 0) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        try #require(named == 0)
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    /// The connection the kernel already completed (connect returns before accept).
    func accept() throws -> Int32 {
        let peer = Glibc.accept(descriptor, nil, nil)
        try #require(peer >= 0)
        _ = fcntl(peer, F_SETFD, FD_CLOEXEC)
        return peer
    }

    deinit { close(descriptor) }
}

private func connect(_ host: String, port: UInt16, timeoutMilliseconds: Int = 2000) throws(TLSError) -> TCPTransport {
    let bytes = Array(host.utf8)
    return try TCPTransport(host: bytes.span, port: port, timeoutMilliseconds: timeoutMilliseconds)
}

/// Blocking POSIX reads on the peer side until `count` bytes or end of stream.
private func peerRead(_ descriptor: Int32, count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
        let got = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + done, count - done, 0) }
        if got <= 0 { break }
        done += got
    }
    return Array(bytes[..<done])
}

private func peerWrite(_ descriptor: Int32, _ bytes: [UInt8]) {
    var done = 0
    while done < bytes.count {
        let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
        precondition(sent > 0)
        done += sent
    }
}

private func sendAll(_ transport: inout TCPTransport, _ bytes: [UInt8]) throws(TLSError) {
    var done = 0
    while done < bytes.count {
        done += try transport.send(bytes.span.extracting(done...), timeoutMilliseconds: 2000)
    }
}

/// Receives until `count` bytes or end of stream.
private func receiveAll(_ transport: inout TCPTransport, count: Int) throws(TLSError) -> [UInt8] {
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1000)
    while result.count < count {
        var span = chunk.mutableSpan
        let got = try transport.receive(into: &span, timeoutMilliseconds: 2000)
        if got == 0 { break }
        result += chunk[..<got]
    }
    return result
}

@Suite("TCPTransport")
struct TCPTransportTests {
    @Test func roundTripBothWays() throws {
        let listener = try LoopbackListener()
        var transport = try connect("127.0.0.1", port: listener.port)
        let peer = try listener.accept()
        defer { close(peer) }

        let outbound = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try sendAll(&transport, outbound)
        #expect(peerRead(peer, count: outbound.count) == outbound)

        let inbound = Array(outbound.reversed())
        peerWrite(peer, inbound)
        #expect(try receiveAll(&transport, count: inbound.count) == inbound)
    }

    @Test func receiveTimesOutWithoutReturningEarly() throws {
        let listener = try LoopbackListener()
        var transport = try connect("127.0.0.1", port: listener.port)
        let peer = try listener.accept()
        defer { close(peer) }

        let started = Clock.monotonicMilliseconds()
        let error = thrownError { () throws(TLSError) in
            var buffer = [UInt8](repeating: 0, count: 16)
            var span = buffer.mutableSpan
            _ = try transport.receive(into: &span, timeoutMilliseconds: 200)
        }
        #expect(error == .timeout)
        #expect(Clock.monotonicMilliseconds() - started >= 200)
    }

    @Test func zeroTimeoutStillPollsOnce() throws {
        let listener = try LoopbackListener()
        var transport = try connect("127.0.0.1", port: listener.port)
        let peer = try listener.accept()
        defer { close(peer) }

        var buffer = [UInt8](repeating: 0, count: 16)
        let idle = thrownError { () throws(TLSError) in
            var span = buffer.mutableSpan
            _ = try transport.receive(into: &span, timeoutMilliseconds: 0)
        }
        #expect(idle == .timeout)
        peerWrite(peer, [1, 2, 3])
        // Give loopback a moment to deliver, then a zero-timeout receive must see the bytes.
        var pollEntry = pollfd(fd: transport.fileDescriptor, events: Int16(POLLIN), revents: 0)
        #expect(poll(&pollEntry, 1, 2000) == 1)
        var span = buffer.mutableSpan
        #expect(try transport.receive(into: &span, timeoutMilliseconds: 0) == 3)
    }

    @Test func endOfStreamReceivesZero() throws {
        let listener = try LoopbackListener()
        var transport = try connect("127.0.0.1", port: listener.port)
        let peer = try listener.accept()
        peerWrite(peer, [0x42])
        close(peer)

        #expect(try receiveAll(&transport, count: 10) == [0x42])
        var buffer = [UInt8](repeating: 0, count: 16)
        var span = buffer.mutableSpan
        #expect(try transport.receive(into: &span, timeoutMilliseconds: 2000) == 0)
    }

    @Test func shutdownWriteSendsEndOfStreamButKeepsReceiving() throws {
        let listener = try LoopbackListener()
        var transport = try connect("127.0.0.1", port: listener.port)
        let peer = try listener.accept()
        defer { close(peer) }

        try sendAll(&transport, [9, 8, 7])
        transport.shutdownWrite()
        #expect(peerRead(peer, count: 100) == [9, 8, 7])
        peerWrite(peer, [1, 2])
        #expect(try receiveAll(&transport, count: 2) == [1, 2])
    }

    @Test func sendToClosedPeerFailsWithoutSignal() throws {
        let listener = try LoopbackListener()
        var transport = try connect("127.0.0.1", port: listener.port)
        let peer = try listener.accept()
        close(peer)

        // The first writes may still be buffered; the peer's RST turns later ones into errors.
        // Without MSG_NOSIGNAL the process would die of SIGPIPE here.
        var failure: TLSError?
        for _ in 0..<100 where failure == nil {
            failure = thrownError { () throws(TLSError) in
                _ = try transport.send([UInt8](repeating: 0xAA, count: 1000).span, timeoutMilliseconds: 2000)
            }
            if failure == nil { usleep(10_000) }
        }
        #expect(failure == .transport(EPIPE) || failure == .transport(ECONNRESET))
    }

    @Test func closedPortIsRefused() throws {
        let bound = try LoopbackListener(listening: false)
        let error = thrownError { () throws(TLSError) in _ = try connect("127.0.0.1", port: bound.port) }
        #expect(error == .transport(ECONNREFUSED))
    }

    @Test func localhostResolves() throws {
        // "localhost" may resolve to ::1 first, which nobody listens on: the transport has to
        // move on to 127.0.0.1.
        let listener = try LoopbackListener()
        var transport = try connect("localhost", port: listener.port)
        let peer = try listener.accept()
        defer { close(peer) }
        try sendAll(&transport, [0x55])
        #expect(peerRead(peer, count: 1) == [0x55])
    }

    @Test func bracketedIPv4LiteralIsAccepted() throws {
        let listener = try LoopbackListener()
        var transport = try connect("[127.0.0.1]", port: listener.port)
        let peer = try listener.accept()
        defer { close(peer) }
        peerWrite(peer, [7])
        #expect(try receiveAll(&transport, count: 1) == [7])
    }

    @Test func overlongOrEmptyHostIsRefused() {
        let tooLong = String(repeating: "a", count: TCPTransport.maximumHostNameLength + 1)
        #expect(thrownError { () throws(TLSError) in _ = try connect(tooLong, port: 443) } == .transport(ENAMETOOLONG))
        #expect(thrownError { () throws(TLSError) in _ = try connect("", port: 443) } == .transport(EINVAL))
        #expect(thrownError { () throws(TLSError) in _ = try connect("local\u{0}host", port: 443) } == .transport(EINVAL))
    }

    @Test func sendTimesOutWhenThePeerDoesNotRead() throws {
        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        defer { close(pair[1]) }
        var transport = TCPTransport(adopting: pair[0])
        let block = [UInt8](repeating: 1, count: 65536)
        var error: TLSError?
        for _ in 0..<1000 where error == nil {
            error = thrownError { () throws(TLSError) in _ = try transport.send(block.span, timeoutMilliseconds: 50) }
        }
        #expect(error == .timeout)
    }

    @Test func adoptedPipeReadsAndWrites() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var reader = TCPTransport(adopting: fds[0])
        var writer = TCPTransport(adopting: fds[1])
        try sendAll(&writer, [1, 2, 3, 4])
        #expect(try receiveAll(&reader, count: 4) == [1, 2, 3, 4])
        _ = consume writer  // closes the write end
        var buffer = [UInt8](repeating: 0, count: 8)
        var span = buffer.mutableSpan
        #expect(try reader.receive(into: &span, timeoutMilliseconds: 2000) == 0)
    }

    @Test func emptyBufferIsRefusedRatherThanReadAsEndOfStream() throws {
        let listener = try LoopbackListener()
        var transport = try connect("127.0.0.1", port: listener.port)
        let peer = try listener.accept()
        defer { close(peer) }
        var empty: [UInt8] = []
        let error = thrownError { () throws(TLSError) in
            var span = empty.mutableSpan
            _ = try transport.receive(into: &span, timeoutMilliseconds: 0)
        }
        #expect(error == .bufferTooSmall(needed: 1, capacity: 0))
        #expect(try transport.send(empty.span, timeoutMilliseconds: 0) == 0)
    }
}
