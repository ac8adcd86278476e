// The POSIX part of the C API: tlscore_client_run, the convenience runner that drives one
// connection to completion over the handle API (tlscore_client_*) with blocking, bounded
// waits, through the caller's read/write callbacks or a file descriptor (poll/read/write).
// Compiled with -D TLSCORE_POSIX into libtlscore.a only (scripts/build-boards.sh);
// libtlscore-noposix.a has the handle API without this file.
import CPOSIX
import CTLSCoreAPI
import TLSCore
import TLSPlatform

// MARK: tlscore_client_run

@_cdecl("tlscore_client_run")
public func tlscoreClientRun(
    _ configuration: UnsafePointer<tlscore_config>?, _ io: UnsafePointer<tlscore_io>?,
    _ session: tlscore_session_fn?, _ context: UnsafeMutableRawPointer?,
    _ report: UnsafeMutablePointer<tlscore_report>?
) -> Int32 {
    report?.pointee = tlscore_report()
    guard let configuration, let io, let session else { return TLSCORE_ERR_INVALID_ARGUMENT }
    let setup = io.pointee
    guard setup.timeout_ms > 0 else { return TLSCORE_ERR_INVALID_ARGUMENT }
    if let read = setup.read, let write = setup.write {
        return Runner.run(
            configuration, transport: BoardTransport(read: read, write: write, context: setup.io_ctx),
            timeout: Int(setup.timeout_ms), session: session, context: context, report: report)
    }
    guard setup.fd >= 0 else { return TLSCORE_ERR_INVALID_ARGUMENT }
    var descriptor = setup.fd
    let flags = cposix_fcntl_int(descriptor, F_GETFL, 0)
    if flags >= 0 && flags & O_NONBLOCK == 0 { _ = cposix_fcntl_int(descriptor, F_SETFL, flags | O_NONBLOCK) }
    return withUnsafeMutablePointer(to: &descriptor) { pointer in
        Runner.run(
            configuration,
            transport: BoardTransport(read: FileDescriptorIO.read, write: FileDescriptorIO.write, context: UnsafeMutableRawPointer(pointer)),
            timeout: Int(setup.timeout_ms), session: session, context: context, report: report)
    }
}

/// One connection, start to close_notify, with its context in this frame: the loop a
/// firmware main loop would run over the handle API, with each wait bounded by the per-wait
/// timeout and the handshake by 60 s.
private enum Runner {
    static let handshakeMilliseconds: Int64 = 60_000
    /// The context's room in 8-byte words: at least tlscore_client_context_size() on every board.
    static let contextWords = 512  // 4 KB: aarch64 needs 2538 bytes, armv7 1914

    static func run(
        _ configuration: UnsafePointer<tlscore_config>, transport: consuming BoardTransport, timeout: Int,
        session: tlscore_session_fn, context: UnsafeMutableRawPointer?, report: UnsafeMutablePointer<tlscore_report>?
    ) -> Int32 {
        var transport = transport
        // Stack memory of a fixed size (init checks it is enough); 8-byte aligned words.
        var storage = InlineArray<512, UInt64>(repeating: 0)
        var words = storage.mutableSpan
        return words.withUnsafeMutableBufferPointer { storage in
            guard let base = storage.baseAddress else { return TLSCORE_ERR_INVALID_STATE }
            let handle = UnsafeMutableRawPointer(base)
            let status = tlscoreClientInit(handle, storage.count &* 8, configuration)
            guard status == TLSCORE_OK else { return status }
            defer { tlscoreClientFree(handle) }
            let clock = configuration.pointee.clock, clockContext = configuration.pointee.clock_ctx
            return loop(
                handle, transport: &transport, timeout: timeout, clock: clock, clockContext: clockContext,
                session: session, context: context, report: report)
        }
    }

    /// Milliseconds of a monotonic clock: the caller's (seconds) when set, else the system's.
    private static func now(_ clock: tlscore_clock_fn?, _ context: UnsafeMutableRawPointer?) -> Int64 {
        if let clock { return clock(context) &* 1000 }
        return Clock.monotonicMilliseconds()
    }

    private static func loop(
        _ handle: UnsafeMutableRawPointer, transport: inout BoardTransport, timeout: Int,
        clock: tlscore_clock_fn?, clockContext: UnsafeMutableRawPointer?, session: tlscore_session_fn,
        context: UnsafeMutableRawPointer?, report: UnsafeMutablePointer<tlscore_report>?
    ) -> Int32 {
        let deadline = now(clock, clockContext) &+ handshakeMilliseconds
        var connected = false
        var reply: UnsafePointer<UInt8>? = nil
        var replyCount = 0
        var verdict = Int32(TLSCORE_CONTINUE)
        // Set once close_notify is queued: what to return when it has gone out.
        var closing: Int32? = nil
        var chunk = InlineArray<512, UInt8>(repeating: 0)

        func finish(_ code: Int32) -> Int32 {
            var filled = tlscore_report()
            _ = tlscoreClientReport(handle, &filled)
            if code != TLSCORE_OK && filled.detail == 0 {
                filled.detail = report?.pointee.detail ?? 0
            }
            report?.pointee = filled
            return code
        }

        while true {
            let want = tlscoreClientWant(handle)
            var budget = timeout
            if !connected {
                let left = deadline &- now(clock, clockContext)
                if left <= 0 {
                    if closing == nil { return finish(TLSCORE_ERR_TIMEOUT) }
                } else if left < Int64(widening: budget) {
                    budget = Int(truncatingIfNeeded: left)
                }
            }
            if want & UInt32(TLSCORE_WANT_WRITE) != 0 {
                var count = 0
                let pending = tlscoreClientOutput(handle, &count)
                do throws(TLSError) {
                    let sent = try transport.send(UnsafeBufferPointer(start: pending, count: count).span, timeoutMilliseconds: budget)
                    _ = tlscoreClientOutputDone(handle, sent)
                } catch {
                    // After a failure or once closing, the alert is best effort.
                    if want & UInt32(TLSCORE_STATE_FAILED) != 0 { break }
                    if let closing { return finish(closing) }
                    let (code, detail) = ErrorCode.of(error)
                    report?.pointee.detail = detail
                    return finish(code)
                }
                continue
            }
            if want & UInt32(TLSCORE_STATE_FAILED) != 0 { break }
            if let closing { return finish(closing) }
            if want & UInt32(TLSCORE_STATE_CONNECTED) != 0, !connected {
                connected = true
                verdict = session(context, Int32(TLSCORE_EVENT_CONNECTED), nil, 0, &reply, &replyCount)
                continue
            }
            if verdict < 0 {
                _ = tlscoreClientClose(handle)
                closing = TLSCORE_ERR_ABORTED
                continue
            }
            if let pending = reply, replyCount > 0 {
                let taken = tlscoreClientSend(handle, pending, replyCount)
                if taken < 0 {
                    // Failed: FAILED next. Refused (the server closed first): that error,
                    // once what is queued (the close_notify answer) has gone out.
                    if tlscoreClientWant(handle) & UInt32(TLSCORE_STATE_FAILED) == 0 {
                        closing = Int32(truncatingIfNeeded: taken)
                    }
                    reply = nil
                    replyCount = 0
                    continue
                }
                reply = pending + taken
                replyCount -= taken
                continue
            }
            reply = nil
            replyCount = 0
            if verdict == TLSCORE_DONE {
                _ = tlscoreClientClose(handle)
                closing = TLSCORE_OK
                continue
            }
            if want & UInt32(TLSCORE_STATE_DATA) != 0 {
                var room = chunk.mutableSpan
                let count = room.withUnsafeMutableBufferPointer { room in
                    tlscoreClientRecv(handle, room.baseAddress, room.count)
                }
                if count <= 0 { continue }
                verdict = chunk.span.withUnsafeBufferPointer { received in
                    session(context, Int32(TLSCORE_EVENT_DATA), received.baseAddress, count, &reply, &replyCount)
                }
                continue
            }
            if want & UInt32(TLSCORE_STATE_CLOSED | TLSCORE_STATE_TRUNCATED) != 0 {
                _ = session(context, Int32(TLSCORE_EVENT_CLOSED), nil, 0, &reply, &replyCount)
                reply = nil
                replyCount = 0
                _ = tlscoreClientClose(handle)
                closing = TLSCORE_OK
                continue
            }
            if want & UInt32(TLSCORE_WANT_READ) != 0 {
                var capacity = 0
                let room = tlscoreClientInput(handle, &capacity)
                var buffer = UnsafeMutableBufferPointer(start: room, count: capacity).mutableSpan
                do throws(TLSError) {
                    let received = try transport.receive(into: &buffer, timeoutMilliseconds: budget)
                    if received == 0 {
                        _ = tlscoreClientInputEOF(handle)
                    } else {
                        _ = tlscoreClientInputDone(handle, received)
                    }
                } catch {
                    let (code, detail) = ErrorCode.of(error)
                    report?.pointee.detail = detail
                    // The engine may hold an alert to send; best effort, then the error.
                    var count = 0
                    if let pending = tlscoreClientOutput(handle, &count), count > 0 {
                        _ = try? transport.send(UnsafeBufferPointer(start: pending, count: count).span, timeoutMilliseconds: timeout)
                    }
                    return finish(code)
                }
                continue
            }
            return finish(TLSCORE_ERR_INVALID_STATE)
        }
        // FAILED, with any alert sent (or its sending given up).
        var detail: Int32 = 0
        let code = tlscoreClientError(handle, &detail)
        return finish(code == TLSCORE_OK ? TLSCORE_ERR_INVALID_STATE : code)
    }
}

// MARK: transports

/// tlscore_io as a `Transport`: the caller's callbacks, or the file-descriptor ones below.
/// One concrete type, so the generic `Connection` is specialised once.
private struct BoardTransport: Transport, ~Copyable {
    let read: tlscore_read_fn
    let write: tlscore_write_fn
    let context: UnsafeMutableRawPointer?

    mutating func send(_ bytes: Span<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        if bytes.isEmpty { return 0 }
        let write = self.write, context = self.context
        let timeout = Int32(truncatingIfNeeded: timeoutMilliseconds)
        let sent = bytes.withUnsafeBufferPointer { write(context, $0.baseAddress, $0.count, timeout) }
        if sent > 0 { return sent }
        throw sent == 0 ? .connectionClosed : Self.failure(sent)
    }

    mutating func receive(into buffer: inout MutableSpan<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int {
        if buffer.isEmpty { throw .bufferTooSmall(needed: 1, capacity: 0) }
        let read = self.read, context = self.context
        let timeout = Int32(truncatingIfNeeded: timeoutMilliseconds)
        let received = buffer.withUnsafeMutableBufferPointer { read(context, $0.baseAddress, $0.count, timeout) }
        if received >= 0 { return received }
        throw Self.failure(received)
    }

    private static func failure(_ result: Int) -> TLSError {
        result == Int(TLSCORE_IO_TIMEOUT) ? .timeout : .transport(cposix_errno())
    }
}

/// poll/read/write over the caller's descriptor (context points at it). A socket is written
/// with MSG_NOSIGNAL so that a closed peer is an error, not SIGPIPE.
private enum FileDescriptorIO {
    static let read: tlscore_read_fn = { context, buffer, capacity, timeout in
        guard let context else { return Int(TLSCORE_IO_FAILED) }
        let descriptor = context.load(as: Int32.self)
        while true {
            let ready = wait(descriptor, Int16(POLLIN), timeout)
            if ready != 0 { return ready }
            let count = CPOSIX.read(descriptor, buffer, capacity)
            if count >= 0 { return count }
            let code = cposix_errno()
            if code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
            // A pty whose other side closed reads EIO: its end of stream.
            if code == EIO { return 0 }
            return Int(TLSCORE_IO_FAILED)
        }
    }

    static let write: tlscore_write_fn = { context, buffer, count, timeout in
        guard let context else { return Int(TLSCORE_IO_FAILED) }
        let descriptor = context.load(as: Int32.self)
        while true {
            let ready = wait(descriptor, Int16(POLLOUT), timeout)
            if ready != 0 { return ready }
            var sent = CPOSIX.send(descriptor, buffer, count, Int32(MSG_NOSIGNAL))
            if sent < 0 && cposix_errno() == ENOTSOCK { sent = CPOSIX.write(descriptor, buffer, count) }
            if sent > 0 { return sent }
            let code = cposix_errno()
            if sent == 0 || code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
            return Int(TLSCORE_IO_FAILED)
        }
    }

    /// 0 when ready, else the callback result for a timeout or a failure.
    private static func wait(_ descriptor: Int32, _ events: Int16, _ timeout: Int32) -> Int {
        while true {
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, timeout)
            if ready > 0 { return 0 }
            if ready == 0 { return Int(TLSCORE_IO_TIMEOUT) }
            if cposix_errno() != EINTR { return Int(TLSCORE_IO_FAILED) }
        }
    }
}

