import CPOSIX
import Foundation
import TLSCore
import TLSPlatform

/// Bridges a serial line (a pty master, or a real tty) to a TCP connection, one direction per
/// pair of threads: a reader that applies the faults and schedules each chunk at the line's
/// pace, and a writer that delivers it at its time. When either side closes or fails, the
/// gateway closes the other and its threads end; every wait is bounded.
final class Gateway: @unchecked Sendable {
    /// What bytes on the line look like to an observer, for the demo's progress.
    struct Counters {
        var read: [LineDirection: Int] = [.up: 0, .down: 0]
        var delivered: [LineDirection: Int] = [.up: 0, .down: 0]
    }

    let settings: LineSettings
    /// How long the gateway waits, after the server closed, for the device to close too.
    var lingerMilliseconds = 2000
    /// Ends the gateway when nothing moves either way for this long.
    var idleMilliseconds = 120_000
    /// What the socket's end is called in notes: "server", or "client" for `uart-serve`.
    var socketName = "server"
    /// Where notes go (stderr by default).
    var log: (String) -> Void = { print("gateway: \($0)", to: &standardError) }

    private let device: Int32
    private let server: Int32
    private var slaveHold: Int32
    private let condition = NSCondition()
    private var stopped = false
    private var reason: String?
    private var queues: [LineDirection: [Item]] = [.up: [], .down: []]
    private var running = 0
    private var counters = Counters()
    private var lastActivity = Gateway.now()
    private var closed = false

    private enum Item {
        case data(at: UInt64, [UInt8])
        case end(at: UInt64, cut: Bool, note: String)
    }

    /// `device`: the line's descriptor (a pty master or a tty), owned from now on.
    /// `holding`: the pty's slave, kept open until the device has opened its own end (so that
    /// the master does not read a hang-up before anyone is there), or -1. `server`: a
    /// connected socket, owned from now on.
    init(device: Int32, holding: Int32, server: Int32, settings: LineSettings) {
        self.device = device
        self.slaveHold = holding
        self.server = server
        self.settings = settings
        for descriptor in [device, server] {
            let flags = fcntl(descriptor, F_GETFL)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
        }
    }

    deinit { closeAll() }

    /// Connects to the server, bounded by `timeoutMilliseconds`; returns the socket.
    static func connect(host: String, port: UInt16, timeoutMilliseconds: Int) throws(TLSError) -> Int32 {
        let transport = try TCPTransport(host: Array(host.utf8).span, port: port,
                                         timeoutMilliseconds: timeoutMilliseconds)
        // The transport closes its descriptor when it dies; the gateway keeps a duplicate.
        let descriptor = fcntl(transport.fileDescriptor, F_DUPFD_CLOEXEC, 0)
        if descriptor < 0 { throw .transport(errno) }
        return descriptor
    }

    /// The device has opened its end of the pty: the gateway lets go of its own.
    func releaseSlave() {
        condition.lock()
        let hold = slaveHold
        slaveHold = -1
        condition.unlock()
        if hold >= 0 { close(hold) }
    }

    var counts: Counters {
        condition.lock()
        defer { condition.unlock() }
        return counters
    }

    /// Why the gateway ended, once it has.
    var endReason: String? {
        condition.lock()
        defer { condition.unlock() }
        return reason
    }

    /// Starts the four threads and returns.
    func start() {
        condition.lock()
        running = 4
        condition.unlock()
        for direction in LineDirection.allCases {
            Thread.detachNewThread { [self] in self.readLoop(direction); self.threadEnded() }
            Thread.detachNewThread { [self] in self.writeLoop(direction); self.threadEnded() }
        }
    }

    /// Waits for the threads to end, at most `timeoutMilliseconds` (then stops them), and
    /// closes both sides. Returns the reason the gateway ended.
    @discardableResult
    func wait(timeoutMilliseconds: Int) -> String {
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        condition.lock()
        while running > 0 {
            if !condition.wait(until: min(deadline, Date().addingTimeInterval(0.05))) && Date() >= deadline {
                if !stopped { stopLocked("stopped after \(timeoutMilliseconds) ms") }
                // The threads notice within one poll slice.
                let grace = Date().addingTimeInterval(2)
                while running > 0 && condition.wait(until: grace) {}
                break
            }
        }
        let why = reason ?? "ended"
        condition.unlock()
        closeAll()
        return why
    }

    /// Runs until the gateway ends (in the calling thread).
    func run() -> String {
        start()
        return wait(timeoutMilliseconds: Int.max / 4)
    }

    /// Stops both directions now.
    func stop(_ why: String) {
        condition.lock()
        stopLocked(why)
        condition.unlock()
    }

    // MARK: Threads

    private func threadEnded() {
        condition.lock()
        running -= 1
        let last = running == 0
        condition.broadcast()
        condition.unlock()
        // The last one out closes both sides, so the device sees the hang-up at once.
        if last { closeAll() }
    }

    private func stopLocked(_ why: String) {
        if stopped { return }
        stopped = true
        reason = why
        // The server learns at once; the device when the master closes after the threads end.
        shutdown(server, Int32(SHUT_RDWR))
        condition.broadcast()
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    private func enqueue(_ item: Item, _ direction: LineDirection) {
        condition.lock()
        queues[direction]!.append(item)
        condition.broadcast()
        condition.unlock()
    }

    private func readLoop(_ direction: LineDirection) {
        let source = direction == .up ? device : server
        let nanosecondsPerByte = 1e9 / settings.bytesPerSecond
        // Pace in chunks of about 10 ms of line time.
        let chunk = max(1, Int(settings.bytesPerSecond / 100))
        let latency = UInt64(settings.latencyMilliseconds) * 1_000_000
        var injector = FaultInjector(settings: settings, direction: direction)
        var busyUntil = Gateway.now()
        var buffer = [UInt8](repeating: 0, count: 2048)
        var notesSeen = 0
        let name = direction == .up ? "device" : socketName
        while !isStopped {
            // Snapshot first: another thread may record activity after a `now()` read here,
            // and a plain `now - last` would then underflow and trap.
            let last = lastActivitySnapshot()
            let idle = Gateway.now().subtractingReportingOverflow(last)
            if direction == .up && !idle.overflow && idle.partialValue > UInt64(idleMilliseconds) * 1_000_000 {
                stop("nothing moved for \(idleMilliseconds / 1000) s")
                return
            }
            var entry = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, 50)
            if ready == 0 { continue }
            if ready < 0 {
                if errno == EINTR { continue }
                stop("poll failed on the \(name) side: errno \(errno)")
                return
            }
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR || code == EAGAIN { continue }
                if code != EIO && code != ECONNRESET {
                    stop("read from the \(name) failed: errno \(code)")
                    return
                }
            }
            let now = Gateway.now()
            if count <= 0 {
                // EOF, or EIO on a pty master whose slave has closed.
                enqueue(.end(at: max(now, busyUntil), cut: false, note: "the \(name) closed"), direction)
                return
            }
            condition.lock()
            counters.read[direction]! += count
            lastActivity = now
            condition.unlock()
            if direction == .up { releaseSlave() }
            for segment in injector.process(buffer[0..<count]) {
                switch segment {
                case .bytes(let bytes):
                    var start = 0
                    while start < bytes.count {
                        let end = min(bytes.count, start + chunk)
                        let begin = max(Gateway.now(), busyUntil)
                        busyUntil = begin + UInt64(Double(end - start) * nanosecondsPerByte)
                        enqueue(.data(at: busyUntil + latency, Array(bytes[start..<end])), direction)
                        start = end
                    }
                case .stall(let milliseconds):
                    busyUntil = max(Gateway.now(), busyUntil) + UInt64(milliseconds) * 1_000_000
                case .truncate(let offset):
                    enqueue(.end(at: max(Gateway.now(), busyUntil) + latency, cut: true,
                                 note: "\(direction.rawValue): injected truncate at byte \(offset)"), direction)
                    for note in injector.notes[notesSeen...] { log("\(direction.rawValue): \(note)") }
                    return
                }
            }
            for note in injector.notes[notesSeen...] { log("\(direction.rawValue): \(note)") }
            notesSeen = injector.notes.count
        }
    }

    private func lastActivitySnapshot() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return lastActivity
    }

    private func writeLoop(_ direction: LineDirection) {
        let destination = direction == .up ? server : device
        while true {
            condition.lock()
            while queues[direction]!.isEmpty && !stopped {
                _ = condition.wait(until: Date().addingTimeInterval(0.05))
            }
            if stopped {
                condition.unlock()
                return
            }
            let item = queues[direction]!.removeFirst()
            condition.unlock()
            switch item {
            case .data(let at, let bytes):
                if !sleep(until: at) { return }
                if !deliver(bytes, to: destination, direction) { return }
            case .end(let at, let cut, let note):
                if !sleep(until: at) { return }
                log(note)
                switch (direction, cut) {
                case (.up, true):
                    // The device's stream to the server ends here; the server's may go on.
                    shutdown(server, Int32(SHUT_WR))
                case (.up, false):
                    stop(note)
                case (.down, true):
                    stop(note)
                case (.down, false):
                    // Let the device read what was delivered and close first (it answers
                    // close_notify); a pty that hangs up loses what it had not read.
                    let deadline = Gateway.now() + UInt64(lingerMilliseconds) * 1_000_000
                    while !isStopped && Gateway.now() < deadline && !deviceHungUp() { usleep(20_000) }
                    stop(note)
                }
                return
            }
        }
    }

    /// Whether the device's side has closed (a pty master polls POLLHUP then).
    private func deviceHungUp() -> Bool {
        condition.lock()
        let holding = slaveHold >= 0
        condition.unlock()
        if holding { return false }
        var entry = pollfd(fd: device, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & Int16(POLLHUP) != 0
    }

    /// Sleeps until the monotonic time `at`; false when the gateway stopped meanwhile.
    private func sleep(until at: UInt64) -> Bool {
        while true {
            if isStopped { return false }
            let now = Gateway.now()
            if now >= at { return true }
            usleep(UInt32(min(20_000, (at - now) / 1000 + 1)))
        }
    }

    /// Writes all of `bytes`, waiting at most 10 s for room; false when it could not.
    private func deliver(_ bytes: [UInt8], to destination: Int32, _ direction: LineDirection) -> Bool {
        let name = direction == .up ? socketName : "device"
        var offset = 0
        let deadline = Gateway.now() + 10_000_000_000
        while offset < bytes.count {
            if isStopped { return false }
            var entry = pollfd(fd: destination, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&entry, 1, 50)
            if ready == 0 || (ready < 0 && errno == EINTR) {
                if Gateway.now() > deadline {
                    stop("the \(name) took nothing for 10 s")
                    return false
                }
                continue
            }
            let written = bytes[offset...].withUnsafeBytes { raw in
                direction == .up
                    ? send(destination, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
                    : write(destination, raw.baseAddress, raw.count)
            }
            if written < 0 {
                let code = errno
                if code == EINTR || code == EAGAIN { continue }
                stop(code == EIO || code == EPIPE || code == ECONNRESET
                     ? "the \(name) closed" : "write to the \(name) failed: errno \(code)")
                return false
            }
            offset += written
            condition.lock()
            counters.delivered[direction]! += written
            lastActivity = Gateway.now()
            condition.unlock()
        }
        return true
    }

    private func closeAll() {
        condition.lock()
        if closed {
            condition.unlock()
            return
        }
        closed = true
        let hold = slaveHold
        slaveHold = -1
        condition.unlock()
        close(server)
        close(device)
        if hold >= 0 { close(hold) }
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// A pseudo-terminal pair for the simulated UART: the gateway keeps the master, the device
/// opens the slave by its path.
struct PseudoTerminal {
    let master: Int32
    let slave: Int32
    let path: String

    /// Opens a pair with the slave in raw mode (so nothing is translated before the device
    /// configures it itself).
    static func open() throws -> PseudoTerminal {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 4096)
        guard openpty(&master, &slave, &name, nil, nil) == 0 else {
            throw GatewayFailure("openpty failed: errno \(errno)")
        }
        for descriptor in [master, slave] {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
        do {
            try TTYTransport.configureRaw(slave, baud: nil)
        } catch {
            close(master)
            close(slave)
            throw GatewayFailure("cannot make the pty raw: \(error.summary)")
        }
        let path = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return PseudoTerminal(master: master, slave: slave, path: path)
    }
}

struct GatewayFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
