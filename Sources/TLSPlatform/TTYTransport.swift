import CPOSIX
import TLSCore

/// A `Transport` over a serial line: a UART (`/dev/ttyS*`, `/dev/ttyUSB*`, `/dev/ttyAMA*`) or
/// the slave side of a pseudo-terminal that a host simulator bridges to a server. It owns
/// the descriptor and closes it when it dies.
///
/// The line is put in raw mode (no echo, no line editing, no CR/LF translation, no flow
/// control characters), 8N1, receiver on, modem lines ignored, and reads return whatever has
/// arrived (VMIN = VTIME = 0). The descriptor is non-blocking and every wait is a `poll(2)`
/// bounded by the caller's timeout. A pty whose other side has closed reads EIO or EOF: that
/// is the end of the stream, and `receive` returns 0.
public struct TTYTransport: Transport, ~Copyable {
    /// The longest device path accepted, in bytes (without the terminating NUL).
    public static let maximumPathLength = 255

    /// The descriptor, for `poll` in a caller's own loop. It stays owned by the transport.
    public let fileDescriptor: Int32

    /// Takes ownership of an open terminal descriptor (a UART a board opened itself, or a
    /// pty end). It is switched to non-blocking mode; its line settings are left as they are
    /// (`configureRaw` sets them).
    public init(adopting fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        let flags = cposix_fcntl_int(fileDescriptor, F_GETFL, 0)
        if flags >= 0 && flags & O_NONBLOCK == 0 {
            _ = cposix_fcntl_int(fileDescriptor, F_SETFL, flags | O_NONBLOCK)
        }
    }

    /// Opens the terminal at `path` (bytes of the path, without a NUL) and puts it in raw 8N1
    /// mode at `baud` bits per second, or at its current speed when `baud` is nil.
    ///
    /// Throws `transport(ENAMETOOLONG)` for a path longer than 255 bytes, `transport(EINVAL)`
    /// for an empty path, one with a NUL byte, or a speed termios has no constant for,
    /// `transport(ENOTTY)` for something that is not a terminal, and `transport(errno)` when
    /// opening or configuring fails.
    public init(path: Span<UInt8>, baud: Int? = nil) throws(TLSError) {
        if path.count > Self.maximumPathLength { throw .transport(ENAMETOOLONG) }
        if path.isEmpty { throw .transport(EINVAL) }
        var speed: speed_t? = nil
        if let baud {
            guard let constant = Self.speed(forBaud: baud) else { throw .transport(EINVAL) }
            speed = constant
        }
        // open(2) wants a C string: a NUL-terminated copy of the path.
        var name = InlineArray<256, CChar>(repeating: 0)
        for i in 0..<path.count {
            let byte = path[i]
            if byte == 0 { throw .transport(EINVAL) }
            name[i] = CChar(truncatingIfNeeded: byte)
        }
        var nameSpan = name.mutableSpan
        // O_NOCTTY: a serial line must not become this process's controlling terminal.
        let descriptor = nameSpan.withUnsafeMutableBufferPointer { pointer in
            cposix_open(pointer.baseAddress, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        }
        if descriptor < 0 { throw .transport(cposix_errno()) }
        switch Self.configureRaw(descriptor, speed: speed) {
        case .success:
            fileDescriptor = descriptor
        case .failure(let error):
            _ = close(descriptor)
            throw error
        }
    }

    deinit {
        let descriptor = fileDescriptor
        if descriptor >= 0 { _ = close(descriptor) }
    }

    /// Puts the terminal `descriptor` in raw 8N1 mode with reads that never wait in the
    /// driver (VMIN = VTIME = 0), at `baud` when given. For descriptors a caller opened itself.
    public static func configureRaw(_ descriptor: Int32, baud: Int?) throws(TLSError) {
        var speed: speed_t? = nil
        if let baud {
            guard let constant = Self.speed(forBaud: baud) else { throw .transport(EINVAL) }
            speed = constant
        }
        try configureRaw(descriptor, speed: speed).get()
    }

    public mutating func send(_ bytes: Span<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        if bytes.isEmpty { return 0 }
        let deadline = Deadline(timeoutMilliseconds)
        while true {
            try wait(for: Int16(POLLOUT), until: deadline)
            let descriptor = fileDescriptor
            let written = bytes.withUnsafeBufferPointer { buffer in
                write(descriptor, buffer.baseAddress, buffer.count)
            }
            if written > 0 { return written }
            let code = cposix_errno()
            if written == 0 || code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
            // The other side of a pty hung up: nothing can be sent any more.
            if code == EIO { throw .connectionClosed }
            throw .transport(code)
        }
    }

    public mutating func receive(into buffer: inout MutableSpan<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        if buffer.isEmpty { throw .bufferTooSmall(needed: 1, capacity: 0) }
        let deadline = Deadline(timeoutMilliseconds)
        while true {
            let hungUp = try wait(for: Int16(POLLIN), until: deadline)
            let descriptor = fileDescriptor
            let received = buffer.withUnsafeMutableBufferPointer { pointer in
                read(descriptor, pointer.baseAddress, pointer.count)
            }
            if received > 0 { return received }
            // poll said readable and nothing came: the other side has hung up.
            if received == 0 { return 0 }
            let code = cposix_errno()
            if code == EINTR || code == EAGAIN || code == EWOULDBLOCK {
                if hungUp { return 0 }
                continue
            }
            // A pty reads EIO once its other side has closed: that is its end of stream.
            if code == EIO { return 0 }
            throw .transport(code)
        }
    }

    /// Waits until the descriptor is ready for `events`; returns whether the line hung up.
    /// A zero timeout still checks once.
    @discardableResult
    private func wait(for events: Int16, until deadline: Deadline) throws(TLSError) -> Bool {
        while true {
            let remaining = deadline.remainingMilliseconds()
            var entry = pollfd(fd: fileDescriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, remaining)
            if ready > 0 {
                if entry.revents & Int16(POLLNVAL) != 0 { throw .transport(EBADF) }
                // POLLERR/POLLHUP: the read or write that follows reports what happened.
                return entry.revents & Int16(POLLHUP) != 0
            }
            if ready < 0 {
                let code = cposix_errno()
                if code == EINTR { continue }
                throw .transport(code)
            }
            if remaining == 0 { throw .timeout }
        }
    }

    private static func configureRaw(_ descriptor: Int32, speed: speed_t?) -> Result<Void, TLSError> {
        var settings = termios()
        if tcgetattr(descriptor, &settings) != 0 {
            let code = cposix_errno()
            return .failure(.transport(code == EINVAL ? ENOTTY : code))
        }
        cfmakeraw(&settings)
        // 8 data bits, no parity, one stop bit; ignore modem control lines; enable the receiver.
        settings.c_cflag &= ~(tcflag_t(truncatingIfNeeded: CSIZE | PARENB | CSTOPB) | tcflag_t(truncatingIfNeeded: CRTSCTS))
        settings.c_cflag |= tcflag_t(truncatingIfNeeded: CS8 | CLOCAL | CREAD)
        settings.c_iflag &= ~tcflag_t(truncatingIfNeeded: IXON | IXOFF | IXANY)
        Self.setControlCharacter(&settings, VMIN, 0)
        Self.setControlCharacter(&settings, VTIME, 0)
        if let speed {
            if cfsetispeed(&settings, speed) != 0 || cfsetospeed(&settings, speed) != 0 {
                return .failure(.transport(cposix_errno()))
            }
        }
        while tcsetattr(descriptor, TCSANOW, &settings) != 0 {
            let code = cposix_errno()
            if code != EINTR { return .failure(.transport(code)) }
        }
        return .success(())
    }

    /// c_cc is a C array (a tuple in Swift); index it through its storage.
    private static func setControlCharacter(_ settings: inout termios, _ index: Int32, _ value: UInt8) {
        withUnsafeMutableBytes(of: &settings.c_cc) { bytes in
            let offset = Int(truncatingIfNeeded: index)
            if offset >= 0 && offset < bytes.count { bytes[offset] = value }
        }
    }

    /// The termios constant for a line speed, or nil when there is none.
    public static func speed(forBaud baud: Int) -> speed_t? {
        let constant: Int32
        switch baud {
        case 1200: constant = B1200
        case 2400: constant = B2400
        case 4800: constant = B4800
        case 9600: constant = B9600
        case 19200: constant = B19200
        case 38400: constant = B38400
        case 57600: constant = B57600
        case 115200: constant = B115200
        case 230400: constant = B230400
        case 460800: constant = B460800
        case 500000: constant = B500000
        case 576000: constant = B576000
        case 921600: constant = B921600
        case 1000000: constant = B1000000
        case 1152000: constant = B1152000
        case 1500000: constant = B1500000
        case 2000000: constant = B2000000
        case 3000000: constant = B3000000
        case 4000000: constant = B4000000
        default: return nil
        }
        return speed_t(truncatingIfNeeded: constant)
    }
}
