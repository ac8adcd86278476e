import ArgumentParser
import CPOSIX
import Foundation
import TLSCore
import TLSPlatform

/// `hostsim gateway --offload`: the gateway runs TLS for the devices. Each line carries
/// plain bytes; the gateway keeps one `Engine<Client>` per line, all in one thread and one
/// poll loop, each line paced at its baud rate (writes scheduled by time, never slept for).
/// A line's failure is reported on its own line of stderr and ends only that line.
enum OffloadGateway {
    /// One line as the command line describes it: its descriptor (a pty master or a tty),
    /// the pty's slave held until the device's first byte, the client setup and the faults.
    struct LineSpec {
        var device: Int32
        var hold: Int32
        var path: String?
        var setup: ClientSetup
        var settings: LineSettings
    }

    /// Runs the lines until all have ended; true when every one ended cleanly.
    static func run(lines: [LineSpec], host: String, port: UInt16, connectMilliseconds: Int,
                    idleMilliseconds: Int, trace: Bool) -> Bool {
        let loop = OffloadLoop(lines: lines, host: host, port: port, handshakeMilliseconds: connectMilliseconds,
                               idleMilliseconds: idleMilliseconds, trace: trace)
        return loop.run()
    }
}

/// The bytes a client's settings refer to, copied once into memory that never moves and
/// outlives the engine (the stored engine's contract), as `ServerFiles` does for `serve`.
final class PinnedClientSetup {
    private let serverName, serverAddress, anchors, crls, protocols, chain, key, pskIdentity, pskKey: UnsafeMutableBufferPointer<UInt8>
    private let setup: ClientSetup
    private let sink: KeyLogFile?

    init(_ setup: ClientSetup) {
        func pinned(_ bytes: [UInt8]) -> UnsafeMutableBufferPointer<UInt8> {
            let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
            _ = region.initialize(from: bytes)
            return UnsafeMutableBufferPointer(rebasing: region[0..<bytes.count])
        }
        self.setup = setup
        serverName = pinned(setup.serverName)
        serverAddress = pinned(setup.serverAddress)
        anchors = pinned(setup.anchors)
        crls = pinned(setup.crls)
        protocols = pinned(setup.applicationProtocols)
        chain = pinned(setup.clientChain)
        key = pinned(setup.clientKey)
        pskIdentity = pinned(setup.pskIdentity)
        pskKey = pinned(setup.pskKey)
        sink = setup.keyLogPath.map { KeyLogFile(path: $0) }
    }

    deinit {
        for region in [serverName, serverAddress, anchors, crls, protocols, chain, key, pskIdentity, pskKey] {
            // The key and the PSK are secrets: zeroed before the memory goes back.
            if let base = region.baseAddress {
                memset(base, 0, region.count)
                UnsafeMutableRawPointer(base).deallocate()
            }
        }
    }

    /// The settings `connect` would build from the same options (no resumption).
    var settings: ClientSettings {
        let serverName = UnsafeBufferPointer(self.serverName), serverAddress = UnsafeBufferPointer(self.serverAddress)
        let anchors = UnsafeBufferPointer(self.anchors), crls = UnsafeBufferPointer(self.crls)
        let protocols = UnsafeBufferPointer(self.protocols)
        let chain = UnsafeBufferPointer(self.chain), key = UnsafeBufferPointer(self.key)
        let configuration = ClientConfiguration(
            serverName: serverName.span, serverAddress: serverAddress.span, trustAnchors: anchors.span,
            crls: crls.span, time: setup.time, suites: setup.suites, versions: setup.versions, groups: setup.groups,
            keyLog: sink?.keyLog, recordPadding: setup.recordPadding, recordSizeLimit: setup.recordSizeLimit,
            applicationProtocols: protocols.span, maxFragmentLength: setup.maxFragmentLength, profile: setup.profile,
            clientCertificateChain: chain.span, clientPrivateKey: key.span)
        guard !pskKey.isEmpty else { return configuration.settings }
        let identity = UnsafeBufferPointer(self.pskIdentity), pskKey = UnsafeBufferPointer(self.pskKey)
        return configuration.withExternalPSK(identity: identity.span, key: pskKey.span)
            .withResumptionKeyExchange(setup.resumptionKeyExchange).settings
    }
}

/// One direction of a line: its faults and its pace. Bytes become due at the time the line
/// would have carried them (ten bits a byte), in chunks of about 10 ms of line time.
struct PacedStream {
    private var injector: FaultInjector
    private let nanosecondsPerByte: Double
    private let chunk: Int
    private let latency: UInt64
    private var busyUntil: UInt64 = 0
    private var items: [(at: UInt64, bytes: [UInt8])] = []
    private var notesSeen = 0
    private(set) var queuedBytes = 0
    /// An injected truncate: nothing after it is carried; the direction ends when the
    /// queue is empty.
    private(set) var truncated = false

    init(settings: LineSettings, direction: LineDirection) {
        injector = FaultInjector(settings: settings, direction: direction)
        nanosecondsPerByte = 1e9 / settings.bytesPerSecond
        chunk = max(1, Int(settings.bytesPerSecond / 100))
        latency = UInt64(settings.latencyMilliseconds) * 1_000_000
    }

    var isEmpty: Bool { items.isEmpty }

    /// When the next chunk is due (nil: nothing queued).
    var nextDue: UInt64? { items.first?.at }

    /// Runs `input` through the faults and schedules it; returns the faults' new notes.
    mutating func schedule(_ input: ArraySlice<UInt8>, now: UInt64) -> ArraySlice<String> {
        guard !truncated else { return [] }
        for segment in injector.process(input) {
            switch segment {
            case .bytes(let bytes):
                var start = 0
                while start < bytes.count {
                    let end = min(bytes.count, start + chunk)
                    busyUntil = max(now, busyUntil) + UInt64(Double(end - start) * nanosecondsPerByte)
                    items.append((busyUntil + latency, Array(bytes[start..<end])))
                    queuedBytes += end - start
                    start = end
                }
            case .stall(let milliseconds):
                busyUntil = max(now, busyUntil) + UInt64(milliseconds) * 1_000_000
            case .truncate:
                truncated = true
            }
        }
        let notes = injector.notes[notesSeen...]
        notesSeen = injector.notes.count
        return notes
    }

    /// The bytes due at `now`, if any (take them with `consumed`).
    func due(_ now: UInt64) -> [UInt8]? {
        guard let first = items.first, first.at <= now else { return nil }
        return first.bytes
    }

    /// `count` bytes of the due chunk went out.
    mutating func consumed(_ count: Int) {
        queuedBytes -= count
        if count >= items[0].bytes.count {
            items.removeFirst()
        } else {
            items[0].bytes.removeFirst(count)
        }
    }

    mutating func discard() {
        items.removeAll()
        queuedBytes = 0
    }
}

/// Per-line state besides the engine.
final class OffloadLine {
    enum TLSPhase: Equatable {
        case connecting, handshaking, connected
        /// close_notify (or an alert) queued: it goes out, the write side shuts, and the
        /// socket closes when the server closes or after a short linger.
        case closing
        case done
    }

    let number: Int
    let path: String?
    var device: Int32
    var hold: Int32
    var socket: Int32 = -1
    var phase = TLSPhase.connecting
    var deviceOpen = true
    /// No more device bytes go to the server (the device closed, or an injected truncate).
    var upEnded = false
    /// No more bytes come from the server for the line (closed, failed).
    var downEnded = false
    var up: PacedStream
    var down: PacedStream
    let started: UInt64
    var lastActivity: UInt64
    var closingSince: UInt64 = 0
    var shutDown = false
    var failure: String?
    var hangUpSince: UInt64?
    var lastDeviceWrite: UInt64 = 0
    var endNote = "ended"

    init(number: Int, spec: OffloadGateway.LineSpec, now: UInt64) {
        self.number = number
        path = spec.path
        device = spec.device
        hold = spec.hold
        up = PacedStream(settings: spec.settings, direction: .up)
        down = PacedStream(settings: spec.settings, direction: .down)
        started = now
        lastActivity = now
    }

    var ended: Bool { phase == .done && !deviceOpen }
}

/// The one poll loop over every line's device and socket.
final class OffloadLoop {
    static let lingerNanoseconds: UInt64 = 1_000_000_000
    static let hangUpLingerNanoseconds: UInt64 = 2_000_000_000
    static let upLimit = 16384
    static let downLimit = 65536

    private let lines: [OffloadLine]
    private let setups: [PinnedClientSetup]
    private let engines: UnsafeMutablePointer<Engine<Client>>
    private var engineMade: [Bool]
    private var regions: [UnsafeMutableBufferPointer<UInt8>] = []
    private let host: String
    private let port: UInt16
    private let handshakeNanoseconds: UInt64
    private let idleNanoseconds: UInt64
    private let trace: Bool
    private var chunk = [UInt8](repeating: 0, count: 4096)

    init(lines specs: [OffloadGateway.LineSpec], host: String, port: UInt16, handshakeMilliseconds: Int,
         idleMilliseconds: Int, trace: Bool) {
        let now = Gateway.now()
        lines = specs.enumerated().map { OffloadLine(number: $0.offset + 1, spec: $0.element, now: now) }
        setups = specs.map { PinnedClientSetup($0.setup) }
        engines = .allocate(capacity: max(1, specs.count))
        engineMade = Array(repeating: false, count: specs.count)
        self.host = host
        self.port = port
        handshakeNanoseconds = UInt64(handshakeMilliseconds) * 1_000_000
        idleNanoseconds = UInt64(idleMilliseconds) * 1_000_000
        self.trace = trace
        for line in lines {
            for descriptor in [line.device] {
                let flags = fcntl(descriptor, F_GETFL)
                if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
            }
        }
    }

    deinit {
        for i in lines.indices where engineMade[i] { (engines + i).deinitialize(count: 1) }
        engines.deallocate()
        for region in regions {
            if let base = region.baseAddress { memset(base, 0, region.count) }
            region.deallocate()
        }
        for line in lines {
            if line.socket >= 0 { close(line.socket) }
            if line.deviceOpen { close(line.device) }
            if line.hold >= 0 { close(line.hold) }
        }
    }

    /// Nanoseconds from `since` to `now` (0 when `since` was taken after `now`).
    static func elapsed(_ now: UInt64, _ since: UInt64) -> UInt64 { now > since ? now - since : 0 }

    private func note(_ i: Int, _ text: String) {
        print("gateway: line \(lines[i].number): \(text)", to: &standardError)
    }

    /// Runs until every line has ended (or a stop signal); true when all ended cleanly.
    func run() -> Bool {
        StopSignal.install()
        for i in lines.indices { open(i) }
        var entries: [pollfd] = []
        var owners: [(line: Int, socket: Bool)] = []
        while !lines.allSatisfy(\.ended) && !StopSignal.requested {
            entries.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            let now = Gateway.now()
            var wake = now + 100_000_000
            for i in lines.indices where !lines[i].ended {
                let line = lines[i]
                if line.deviceOpen {
                    var events: Int16 = 0
                    if !line.upEnded && line.up.queuedBytes < Self.upLimit && line.phase != .closing && line.phase != .done {
                        events |= Int16(POLLIN)
                    }
                    if line.down.due(now) != nil { events |= Int16(POLLOUT) }
                    if events != 0 {
                        entries.append(pollfd(fd: line.device, events: events, revents: 0))
                        owners.append((i, false))
                    }
                }
                if line.socket >= 0 {
                    var events: Int16 = 0
                    switch line.phase {
                    case .connecting: events = Int16(POLLOUT)
                    case .closing: events = Int16(POLLIN)
                    default:
                        if engines[i].wantsInput { events |= Int16(POLLIN) }
                    }
                    if line.phase != .connecting && engineMade[i] && engines[i].hasOutgoing { events |= Int16(POLLOUT) }
                    entries.append(pollfd(fd: line.socket, events: events, revents: 0))
                    owners.append((i, true))
                }
                for due in [line.up.nextDue, line.down.nextDue].compactMap({ $0 }) { wake = min(wake, due) }
            }
            let milliseconds = wake > now ? Int32(min(100, (wake - now) / 1_000_000 + 1)) : 0
            let ready = poll(&entries, nfds_t(entries.count), milliseconds)
            if ready < 0 && errno != EINTR {
                print("gateway: poll failed: errno \(errno)", to: &standardError)
                break
            }
            for (index, entry) in entries.enumerated() where entry.revents != 0 {
                let (i, isSocket) = owners[index]
                if isSocket { serviceSocket(i, entry.revents) } else { serviceDevice(i, entry.revents) }
            }
            for i in lines.indices where !lines[i].ended { pump(i) }
        }
        if StopSignal.requested {
            for i in lines.indices where !lines[i].ended {
                if engineMade[i] && (lines[i].phase == .handshaking || lines[i].phase == .connected) {
                    engines[i].close()
                    flush(i)
                }
                note(i, "stopped by a signal")
                closeSocket(i)
                closeDevice(i)
            }
        }
        let failed = lines.filter { $0.failure != nil }.count
        print("gateway: \(failed == 0 ? "all \(lines.count) lines ended cleanly" : "\(failed) of \(lines.count) lines failed")",
              to: &standardError)
        return failed == 0
    }

    // MARK: Opening

    private func open(_ i: Int) {
        do throws(TLSError) {
            let settings = setups[i].settings
            let input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: settings.inputRegionSize)
            let output = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: settings.outputRegionSize)
            let reassembly = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: settings.reassemblyRegionSize)
            regions += [input, output, reassembly]
            let random = try Random(entropy: SystemEntropy.source, personalization: Span())
            (engines + i).initialize(to: try Engine<Client>(
                unsafeSettings: settings, input: input, output: output, reassembly: reassembly, random: random))
            engineMade[i] = true
        } catch {
            fail(i, "cannot set up the connection: \(error.summary)")
            return
        }
        let socket = Self.startConnect(host: host, port: port)
        switch socket {
        case .failure(let why):
            fail(i, "cannot reach \(host):\(port): \(why)")
        case .success(let descriptor):
            lines[i].socket = descriptor
        }
    }

    /// A non-blocking TCP connect, under way (POLLOUT says when it is done).
    static func startConnect(host: String, port: UInt16) -> Result<Int32, GatewayFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(GatewayFailure("cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(first.pointee.ai_family,
                                Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return .failure(GatewayFailure("socket: errno \(errno)")) }
        if connect(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            let code = errno
            close(descriptor)
            return .failure(GatewayFailure(String(cString: strerror(code))))
        }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return .success(descriptor)
    }

    // MARK: Events

    private func serviceSocket(_ i: Int, _ revents: Int16) {
        let line = lines[i]
        switch line.phase {
        case .connecting:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(line.socket, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 {
                fail(i, "cannot reach \(host):\(port): \(String(cString: strerror(error)))")
                return
            }
            line.phase = .handshaking
            if trace { note(i, "connected to \(host):\(port)") }
            do throws(TLSError) { try engines[i].start() } catch { fail(i, error) }
        case .closing:
            if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let socket = line.socket
                let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { closeSocket(i) }
            }
        case .handshaking, .connected:
            guard revents & Int16(POLLIN | POLLHUP | POLLERR) != 0, engines[i].wantsInput else { return }
            let count = Self.receive(line.socket, into: &engines[i])
            if count < 0 {
                let code = errno
                if code == EAGAIN || code == EINTR { return }
                fail(i, .transport(code))
            } else if count == 0 {
                fail(i, .connectionClosed)
            } else {
                line.lastActivity = Gateway.now()
                do throws(TLSError) { try engines[i].didReceive(count) } catch {
                    events(i)
                    fail(i, error)
                }
            }
        case .done:
            break
        }
    }

    private func serviceDevice(_ i: Int, _ revents: Int16) {
        let line = lines[i]
        let now = Gateway.now()
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 && !line.upEnded {
            let device = line.device
            let count = chunk.withUnsafeMutableBytes { read(device, $0.baseAddress, $0.count) }
            if count > 0 {
                if line.hold >= 0 {
                    // The device has opened its end: from now on its close is a hang-up.
                    close(line.hold)
                    line.hold = -1
                }
                line.lastActivity = now
                for text in line.up.schedule(chunk[0..<count], now: now) { note(i, "up: \(text)") }
                if line.up.truncated {
                    note(i, "up: injected truncate: the device's stream to the server ends here")
                    line.upEnded = true
                }
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                // EOF, or EIO on a pty master whose slave has closed.
                if count < 0 && errno != EIO { note(i, "read from the device failed: errno \(errno)") }
                if trace { note(i, "the device closed its line") }
                line.upEnded = true
                closeDevice(i)
            }
        }
        if line.deviceOpen && revents & Int16(POLLOUT) != 0 { deliverDown(i, now) }
    }

    /// Writes the line's due bytes to the device.
    private func deliverDown(_ i: Int, _ now: UInt64) {
        let line = lines[i]
        while line.deviceOpen, let bytes = line.down.due(now) {
            let device = line.device
            let written = bytes.withUnsafeBytes { write(device, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EAGAIN || errno == EINTR { return }
                if trace { note(i, "the device closed its line") }
                line.upEnded = true
                closeDevice(i)
                return
            }
            line.down.consumed(written)
            line.lastActivity = now
            line.lastDeviceWrite = now
        }
    }

    /// Everything that follows from the state: plaintext both ways, ends, timeouts, output.
    private func pump(_ i: Int) {
        let line = lines[i]
        let now = Gateway.now()
        if engineMade[i] { events(i) }
        if line.phase == .handshaking || line.phase == .connected {
            switch engines[i].state {
            case .failed(let error):
                fail(i, error)
            case .connected, .closed:
                if line.phase == .handshaking {
                    line.phase = .connected
                    if trace, let suite = engines[i].negotiatedSuite {
                        note(i, "   " + negotiatedLine(suite: suite, group: engines[i].negotiatedGroup,
                                                   extendedMasterSecret: engines[i].usesExtendedMasterSecret))
                    }
                }
            default:
                break
            }
        }
        if line.phase == .connected { upToServer(i, now) }
        if line.phase == .connected { downFromServer(i, now) }
        if line.deviceOpen { deliverDown(i, now) }
        if line.deviceOpen && line.down.truncated && line.down.isEmpty && !line.downEnded {
            note(i, "down: injected truncate: the line hangs up here")
            line.downEnded = true
            if line.phase == .connected { closeTLS(i, "the line was cut (injected truncate)") }
            closeDevice(i)
        }
        if engineMade[i] && line.socket >= 0 && line.phase != .connecting { flush(i) }
        expire(i, now)
        hangUpIfDone(i, now)
    }

    /// Device bytes that are due go into the engine; after the device's end, close_notify.
    private func upToServer(_ i: Int, _ now: UInt64) {
        let line = lines[i]
        while let bytes = line.up.due(now) {
            let taken: Int
            do throws(TLSError) { taken = try engines[i].send(bytes.span) } catch {
                fail(i, error)
                return
            }
            if taken == 0 { break }
            line.up.consumed(taken)
            flush(i)
        }
        if line.upEnded && line.up.isEmpty && line.phase == .connected {
            closeTLS(i, line.deviceOpen ? "the device's stream ended (injected truncate): close_notify sent"
                                         : "the device closed its line: close_notify sent")
        }
    }

    /// Application data from the server goes onto the line at its pace; close_notify ends it.
    private func downFromServer(_ i: Int, _ now: UInt64) {
        let line = lines[i]
        do throws(TLSError) {
            while engines[i].hasReceivedData && line.down.queuedBytes < Self.downLimit {
                let count = try Self.readPlaintext(&engines[i], into: &chunk)
                if count == 0 { break }
                line.lastActivity = now
                // A device that has gone, or a line cut short, takes nothing more.
                if line.deviceOpen && !line.down.truncated && !line.downEnded {
                    for text in line.down.schedule(chunk[0..<count], now: now) { note(i, "down: \(text)") }
                }
            }
        } catch {
            fail(i, error)
            return
        }
        if engines[i].state.isClosed && !engines[i].hasReceivedData {
            line.downEnded = true
            closeTLS(i, "the server sent close_notify")
        }
    }

    /// Queues our close_notify (the engine answers the server's by itself in TLS 1.2).
    private func closeTLS(_ i: Int, _ why: String) {
        let line = lines[i]
        guard line.phase == .connected || line.phase == .handshaking else { return }
        engines[i].close()
        line.phase = .closing
        line.closingSince = Gateway.now()
        line.endNote = why
        if trace { note(i, why) }
    }

    /// Timeouts: the handshake, idle, and the closing linger.
    private func expire(_ i: Int, _ now: UInt64) {
        let line = lines[i]
        switch line.phase {
        case .connecting, .handshaking:
            if Self.elapsed(now, line.started) > handshakeNanoseconds {
                fail(i, "handshake not complete after \(handshakeNanoseconds / 1_000_000) ms (timed out, no alert)")
            }
        case .connected:
            if Self.elapsed(now, line.lastActivity) > idleNanoseconds {
                fail(i, "nothing either way for \(idleNanoseconds / 1_000_000) ms (idle timeout)")
            }
        case .closing:
            if line.shutDown && Self.elapsed(now, line.closingSince) > Self.lingerNanoseconds { closeSocket(i) }
        case .done:
            break
        }
    }

    /// When the server's side is over and the line has carried everything, the line hangs
    /// up: once the device has read what it was sent (a pty loses unread bytes when its
    /// master closes), or after a linger.
    private func hangUpIfDone(_ i: Int, _ now: UInt64) {
        let line = lines[i]
        guard line.deviceOpen, line.phase == .closing || line.phase == .done, line.down.isEmpty else { return }
        if line.hangUpSince == nil { line.hangUpSince = now }
        let unread = unreadOnLine(i)
        let settled = Self.elapsed(now, line.lastDeviceWrite) > 50_000_000
        if (unread == 0 && settled) || Self.elapsed(now, line.hangUpSince!) > Self.hangUpLingerNanoseconds {
            if trace { note(i, "hanging up the line") }
            closeDevice(i)
        }
    }

    /// Bytes written to a pty that its device has not read yet (0 for a tty: its driver
    /// sends what it holds).
    private func unreadOnLine(_ i: Int) -> Int32 {
        let line = lines[i]
        guard let path = line.path else { return 0 }
        let probe = line.hold >= 0 ? line.hold : Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard probe >= 0 else { return 0 }
        defer { if probe != line.hold { close(probe) } }
        var count: Int32 = 0
        return ioctl(probe, UInt(FIONREAD), &count) == 0 ? count : 0
    }

    // MARK: Ends

    private func fail(_ i: Int, _ error: TLSError) {
        fail(i, error.summary)
    }

    /// Reports the line's failure once; the alert (if any) gets one try, the socket closes,
    /// and the line hangs up after delivering what it already had.
    private func fail(_ i: Int, _ message: String) {
        let line = lines[i]
        if line.failure == nil {
            line.failure = message
            note(i, message)
        }
        if engineMade[i], line.socket >= 0, line.phase != .connecting {
            engines[i].close()
            flush(i)
        }
        line.downEnded = true
        line.upEnded = true
        closeSocket(i)
    }

    private func closeSocket(_ i: Int) {
        let line = lines[i]
        if line.socket >= 0 {
            close(line.socket)
            line.socket = -1
        }
        if line.phase != .done {
            line.phase = .done
            if line.failure == nil && trace { note(i, line.endNote) }
        }
    }

    private func closeDevice(_ i: Int) {
        let line = lines[i]
        if line.deviceOpen {
            close(line.device)
            line.deviceOpen = false
        }
        if line.hold >= 0 {
            close(line.hold)
            line.hold = -1
        }
        line.down.discard()
        // A line that has gone before the TLS connection ended: its queued bytes go out,
        // then close_notify (upToServer, once the handshake is done).
        line.upEnded = true
    }

    private func flush(_ i: Int) {
        let line = lines[i]
        guard line.socket >= 0 else { return }
        while engines[i].hasOutgoing {
            let sent = Self.send(line.socket, from: &engines[i])
            if sent <= 0 {
                if sent < 0 && (errno == EAGAIN || errno == EINTR) { return }
                let code = errno
                Self.dropOutgoing(&engines[i])
                if line.failure == nil && line.phase != .closing { fail(i, .transport(code)) } else { closeSocket(i) }
                return
            }
            engines[i].didSend(sent)
            line.lastActivity = Gateway.now()
        }
        if line.phase == .closing && !line.shutDown {
            shutdown(line.socket, Int32(SHUT_WR))
            line.shutDown = true
            line.closingSince = Gateway.now()
        }
    }

    private func events(_ i: Int) {
        while let event = engines[i].nextEvent() {
            if trace { note(i, event.line) }
        }
    }

    // Spans of an engine live only as long as an inout access to it.

    private static func receive(_ socket: Int32, into engine: inout Engine<Client>) -> Int {
        var room = engine.incomingRoom()
        return room.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
    }

    private static func send(_ socket: Int32, from engine: inout Engine<Client>) -> Int {
        engine.outgoing.withUnsafeBytes {
            Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
    }

    private static func readPlaintext(_ engine: inout Engine<Client>, into buffer: inout [UInt8]) throws(TLSError) -> Int {
        var span = buffer.mutableSpan
        return try engine.receive(into: &span)
    }

    private static func dropOutgoing(_ engine: inout Engine<Client>) {
        let count = engine.outgoing.count
        engine.didSend(count)
    }
}
