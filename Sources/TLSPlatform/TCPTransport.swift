import CPOSIX
import TLSCore

/// A `Transport` over a POSIX file descriptor: a TCP connection it opens itself, or an
/// already-open socket, pipe or pty that it adopts. It owns the descriptor and closes it
/// when it dies.
///
/// The descriptor is non-blocking and every wait is a `poll(2)` bounded by the caller's
/// timeout, so no call blocks past it (name resolution excepted: `getaddrinfo` has no timeout).
public struct TCPTransport: Transport, ~Copyable {
    /// The longest host name accepted (RFC 1035 §2.3.4: 255 octets on the wire, 253 as text).
    public static let maximumHostNameLength = 253

    /// The descriptor, for `poll` in a caller's own loop. It stays owned by the transport.
    public let fileDescriptor: Int32
    /// Sockets use send/recv (MSG_NOSIGNAL keeps a closed peer from raising SIGPIPE); other
    /// descriptors (a pty, a pipe) use write/read.
    private let isSocket: Bool

    /// Takes ownership of an open descriptor: a connected socket, a pty or a pipe end. It is
    /// switched to non-blocking mode and closed when the transport dies.
    public init(adopting fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        isSocket = getsockopt(fileDescriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0
        Self.makeNonBlocking(fileDescriptor)
        if isSocket { Self.disableNagle(fileDescriptor) }
    }

    /// Connects to `host` (an IPv4 or IPv6 literal, optionally in brackets, or a name that
    /// `getaddrinfo` resolves) on `port`, trying each address in turn until one accepts.
    ///
    /// The timeout bounds all the connection attempts together; running past it throws
    /// `timeout`. A refused or unreachable last address throws `transport(errno)`. A name
    /// that cannot be resolved throws `transport(EHOSTUNREACH)` (or the errno behind a
    /// system failure); an empty host or one with a NUL byte `transport(EINVAL)`; a host
    /// longer than 253 bytes `transport(ENAMETOOLONG)`.
    public init(host: Span<UInt8>, port: UInt16, timeoutMilliseconds: Int) throws(TLSError) {
        let deadline = Deadline(timeoutMilliseconds)
        var start = 0
        var end = host.count
        if end >= 2 && host[0] == UInt8(ascii: "[") && host[end - 1] == UInt8(ascii: "]") {
            start = 1
            end -= 1
        }
        if end - start > Self.maximumHostNameLength { throw .transport(ENAMETOOLONG) }
        if end == start { throw .transport(EINVAL) }

        // getaddrinfo wants C strings: the host and the port in decimal, NUL-terminated.
        var name = InlineArray<254, CChar>(repeating: 0)
        for i in start..<end {
            let byte = host[i]
            if byte == 0 { throw .transport(EINVAL) }
            name[i - start] = CChar(truncatingIfNeeded: byte)
        }
        var service = InlineArray<6, CChar>(repeating: 0)
        Self.writeDecimal(port, into: &service)

        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Self.streamType
        hints.ai_protocol = Int32(IPPROTO_TCP)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>? = nil
        var nameSpan = name.mutableSpan
        var serviceSpan = service.mutableSpan
        let status = nameSpan.withUnsafeMutableBufferPointer { namePointer in
            serviceSpan.withUnsafeMutableBufferPointer { servicePointer in
                getaddrinfo(namePointer.baseAddress, servicePointer.baseAddress, &hints, &list)
            }
        }
        if status != 0 { throw .transport(Self.errno(resolving: status)) }
        defer { freeaddrinfo(list) }

        var lastError: Int32 = EHOSTUNREACH
        var entry = list
        while let info = entry {
            entry = info.pointee.ai_next
            let result = Self.connect(info.pointee, deadline: deadline)
            switch result {
            case .success(let descriptor):
                fileDescriptor = descriptor
                isSocket = true
                Self.disableNagle(descriptor)
                return
            case .failure(.timeout):
                throw .timeout
            case .failure(.transport(let code)):
                lastError = code
            case .failure(let other):
                throw other
            }
        }
        throw .transport(lastError)
    }

    deinit {
        let descriptor = fileDescriptor
        if descriptor >= 0 { _ = close(descriptor) }
    }

    /// Sends a FIN (TCP half-close): the peer reads end of stream while this side can still
    /// receive. Does nothing for a descriptor that is not a socket.
    public mutating func shutdownWrite() {
        if isSocket { _ = shutdown(fileDescriptor, Int32(SHUT_WR)) }
    }

    public mutating func send(_ bytes: Span<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        if bytes.isEmpty { return 0 }
        let deadline = Deadline(timeoutMilliseconds)
        while true {
            try wait(for: Int16(POLLOUT), until: deadline)
            let descriptor = fileDescriptor
            let socket = isSocket
            let sent = bytes.withUnsafeBufferPointer { buffer in
                socket
                    ? CPOSIX.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
                    : write(descriptor, buffer.baseAddress, buffer.count)
            }
            if sent > 0 { return sent }
            let code = cposix_errno()
            if sent == 0 || code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
            throw .transport(code)
        }
    }

    public mutating func receive(into buffer: inout MutableSpan<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        if buffer.isEmpty { throw .bufferTooSmall(needed: 1, capacity: 0) }
        let deadline = Deadline(timeoutMilliseconds)
        while true {
            try wait(for: Int16(POLLIN), until: deadline)
            let descriptor = fileDescriptor
            let socket = isSocket
            let received = buffer.withUnsafeMutableBufferPointer { pointer in
                socket
                    ? recv(descriptor, pointer.baseAddress, pointer.count, 0)
                    : read(descriptor, pointer.baseAddress, pointer.count)
            }
            if received >= 0 { return received }
            let code = cposix_errno()
            if code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
            // A pty master reads EIO once the other side has closed: that is its end of stream.
            if !socket && code == EIO { return 0 }
            throw .transport(code)
        }
    }

    /// Waits until the descriptor is ready for `events`. A zero timeout still checks once.
    private func wait(for events: Int16, until deadline: Deadline) throws(TLSError) {
        while true {
            let remaining = deadline.remainingMilliseconds()
            var entry = pollfd(fd: fileDescriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, remaining)
            if ready > 0 {
                if entry.revents & Int16(POLLNVAL) != 0 { throw .transport(EBADF) }
                // POLLERR/POLLHUP: the read or write that follows reports what happened.
                return
            }
            if ready < 0 {
                let code = cposix_errno()
                if code == EINTR { continue }
                throw .transport(code)
            }
            if remaining == 0 { throw .timeout }
        }
    }

    /// One non-blocking connection attempt; the socket is closed unless it is returned.
    private static func connect(_ info: addrinfo, deadline: Deadline) -> Result<Int32, TLSError> {
        let descriptor = socket(info.ai_family, info.ai_socktype | Self.socketFlags, info.ai_protocol)
        if descriptor < 0 { return .failure(.transport(cposix_errno())) }
        var code: Int32 = 0
        if CPOSIX.connect(descriptor, info.ai_addr, info.ai_addrlen) != 0 {
            code = cposix_errno()
        }
        if code == EINPROGRESS || code == EINTR {
            // The outcome arrives as writability; SO_ERROR then says which.
            code = 0
            while true {
                let remaining = deadline.remainingMilliseconds()
                var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&entry, 1, remaining)
                if ready > 0 { break }
                if ready < 0 {
                    let pollError = cposix_errno()
                    if pollError == EINTR { continue }
                    code = pollError
                    break
                }
                if remaining == 0 {
                    _ = close(descriptor)
                    return .failure(.timeout)
                }
            }
            if code == 0 {
                var length = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) != 0 {
                    code = cposix_errno()
                }
            }
        }
        if code != 0 {
            _ = close(descriptor)
            return .failure(.transport(code))
        }
        return .success(descriptor)
    }

    private static func makeNonBlocking(_ descriptor: Int32) {
        let flags = cposix_fcntl_int(descriptor, F_GETFL, 0)
        if flags >= 0 && flags & O_NONBLOCK == 0 {
            _ = cposix_fcntl_int(descriptor, F_SETFL, flags | O_NONBLOCK)
        }
    }

    /// TLS writes whole records; Nagle would hold back the last part of a flight.
    private static func disableNagle(_ descriptor: Int32) {
        var on: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func writeDecimal(_ value: UInt16, into text: inout InlineArray<6, CChar>) {
        var digits = InlineArray<5, CChar>(repeating: 0)
        var count = 0
        var rest = value
        repeat {
            digits[count] = CChar(truncatingIfNeeded: 0x30 + rest % 10)
            rest /= 10
            count += 1
        } while rest != 0
        for i in 0..<count { text[i] = digits[count - 1 - i] }
        text[count] = 0
    }

    /// getaddrinfo's EAI_* codes are not errno values; map them onto the nearest errno.
    private static func errno(resolving status: Int32) -> Int32 {
        switch status {
        case EAI_SYSTEM: cposix_errno()
        case EAI_AGAIN: EAGAIN
        case EAI_MEMORY: ENOMEM
        case EAI_BADFLAGS, EAI_FAMILY, EAI_SOCKTYPE, EAI_SERVICE: EINVAL
        default: EHOSTUNREACH
        }
    }

    private static var streamType: Int32 { Int32(SOCK_STREAM.rawValue) }
    private static var socketFlags: Int32 { Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue) }
}
