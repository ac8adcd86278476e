import ArgumentParser
import CPOSIX
import Foundation
import TLSCore
import TLSPlatform

/// Set by SIGINT/SIGTERM; the poll loop looks at it at least every 100 ms.
nonisolated(unsafe) private var serveStopSignal: sig_atomic_t = 0

/// SIGINT and SIGTERM end `serve` and `uart-serve` (their loops look at least every 100 ms).
enum StopSignal {
    static var requested: Bool { serveStopSignal != 0 }

    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in serveStopSignal = 1 }
        }
        // A test runner's threads may block these; the process inherits the mask.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        sigaddset(&wanted, SIGINT)
        sigaddset(&wanted, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        signal(SIGPIPE, SIG_IGN)
    }
}

/// `hostsim serve`: the core's server role over TCP. One thread, one poll() loop, a fixed
/// table of connection slots, each with its own stored `Engine<Server>` and regions.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serves HTTPS/1.0 through the core's server role until SIGINT or SIGTERM.",
        discussion: """
            Prints "listening on HOST:PORT" once bound (port 0: the kernel picks). Each \
            connection: handshake, one HTTP request (up to 8 KB of headers), a text/plain \
            answer naming the version, suite, ALPN protocol and client certificate subject, \
            close_notify. One log line per connection on stderr. When all --max-connections \
            slots are busy, new connections wait in the listen backlog until a slot frees.
            """
    )

    @Option(help: "Address to listen on, HOST:PORT (IPv4; port 0 picks a free one).") var listen = "127.0.0.1:0"
    @OptionGroup var server: ServeOptions
    @Option(help: "Connection slots (connections served at once).") var maxConnections = 16

    func run() throws {
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        let (host, port) = try ClientOptions.split(listen)
        let (files, options) = try server.load()
        let listener = try Listener(host: host, port: port)
        // Unbuffered: a test reads the port from this line while the server runs.
        FileHandle.standardOutput.write(Data("listening on \(host):\(listener.port)\n".utf8))
        let loop = ServeLoop(files: files, options: options, slots: maxConnections)
        loop.run(listener: listener.descriptor)
        close(listener.descriptor)
    }
}

/// What every connection is configured with besides the files.
struct ServerOptions {
    var authentication: ServerSettings.ClientAuthentication
    var revocation: ValidationPolicy.Revocation
    var suites: CipherSuites
    var versions: TLSVersions
    var idleMilliseconds: Int64
    var handshakeMilliseconds: Int64
    var trace: Bool
    var ticketLifetime: UInt32
}

/// The bytes the server's settings refer to, copied once into memory that never moves and
/// outlives every engine (the stored engine's contract).
final class ServerFiles {
    let chain, key, secondChain, secondKey, anchors, crls, protocols: UnsafeMutableBufferPointer<UInt8>
    /// `--ticket-key`, `--previous-ticket-key`, `--psk-identity`, `--psk` (empty: none).
    let ticketKey, previousTicketKey, pskIdentity, pskKey: UnsafeMutableBufferPointer<UInt8>
    /// `--session-cache`'s entries, shared by every slot (one poll loop: one thread).
    let sessionCache: UnsafeMutableBufferPointer<UInt8>

    init(chain: [UInt8], key: [UInt8], secondChain: [UInt8], secondKey: [UInt8], anchors: [UInt8], crls: [UInt8],
         protocols: [UInt8], ticketKey: [UInt8] = [], previousTicketKey: [UInt8] = [], pskIdentity: [UInt8] = [],
         pskKey: [UInt8] = [], sessionCacheBytes: Int = 0) {
        func pinned(_ bytes: [UInt8]) -> UnsafeMutableBufferPointer<UInt8> {
            let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
            _ = region.initialize(from: bytes)
            return UnsafeMutableBufferPointer(rebasing: region[0..<bytes.count])
        }
        self.chain = pinned(chain)
        self.key = pinned(key)
        self.secondChain = pinned(secondChain)
        self.secondKey = pinned(secondKey)
        self.anchors = pinned(anchors)
        self.crls = pinned(crls)
        self.protocols = pinned(protocols)
        self.ticketKey = pinned(ticketKey)
        self.previousTicketKey = pinned(previousTicketKey)
        self.pskIdentity = pinned(pskIdentity)
        self.pskKey = pinned(pskKey)
        self.sessionCache = pinned([UInt8](repeating: 0, count: sessionCacheBytes))
    }

    deinit {
        for region in [chain, key, secondChain, secondKey, anchors, crls, protocols, ticketKey, previousTicketKey,
                       pskIdentity, pskKey, sessionCache] {
            // The keys and the cached master secrets are secrets: zeroed before it goes back to the allocator.
            if let base = region.baseAddress {
                memset(base, 0, region.count)
                UnsafeMutableRawPointer(base).deallocate()
            }
        }
    }

    /// The name of the ALPN protocol at `range` of our list (length byte first).
    func protocolName(_ range: Range<Int>) -> String {
        guard range.lowerBound >= 0, range.upperBound <= protocols.count, range.count > 1 else { return "?" }
        return String(decoding: protocols[(range.lowerBound + 1)..<range.upperBound], as: UTF8.self)
    }

    /// Settings for one slot, keeping the verified client leaf in `certificate`.
    func settings(_ options: ServerOptions, certificate: UnsafeMutableBufferPointer<UInt8>) -> ServerSettings {
        let chain = UnsafeBufferPointer(self.chain), key = UnsafeBufferPointer(self.key)
        let secondChain = UnsafeBufferPointer(self.secondChain), secondKey = UnsafeBufferPointer(self.secondKey)
        let anchors = UnsafeBufferPointer(self.anchors), crls = UnsafeBufferPointer(self.crls)
        let protocols = UnsafeBufferPointer(self.protocols)
        let base = ServerConfiguration(
            certificateChain: chain.span, privateKey: key.span, clientAuthentication: options.authentication,
            clientTrustAnchors: anchors.span, crls: crls.span, time: Clock.unixSeconds(), suites: options.suites,
            versions: options.versions, applicationProtocols: protocols.span, revocation: options.revocation)
        let both = secondChain.isEmpty ? base : base.withSecondCertificate(chain: secondChain.span, key: secondKey.span)
        let ticketKey = UnsafeBufferPointer(self.ticketKey), previousTicketKey = UnsafeBufferPointer(self.previousTicketKey)
        let tickets = ticketKey.isEmpty
            ? both : both.issuingTickets(key: ticketKey.span, previous: previousTicketKey.span, lifetime: options.ticketLifetime)
        let pskIdentity = UnsafeBufferPointer(self.pskIdentity), pskKey = UnsafeBufferPointer(self.pskKey)
        let keyed = pskKey.isEmpty ? tickets : tickets.withExternalPSK(identity: pskIdentity.span, key: pskKey.span)
        let cached = sessionCache.isEmpty
            ? keyed : keyed.cachingSessions(in: sessionCache.mutableSpan, lifetime: options.ticketLifetime)
        return cached.keepingClientCertificate(in: certificate.mutableSpan).settings
    }
}

/// A bound, listening, non-blocking IPv4 socket.
struct Listener {
    let descriptor: Int32
    let port: UInt16

    init(host: String, port: UInt16) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw ValidationError("--listen needs an IPv4 address, got \(host)")
        }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ValidationError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && Glibc.listen(descriptor, 128) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(descriptor)
            throw ValidationError("cannot listen on \(host):\(port): \(String(cString: strerror(code)))")
        }
        self.descriptor = descriptor
        self.port = UInt16(bigEndian: address.sin_port)
    }

    /// One waiting connection of `listener`, non-blocking and close-on-exec, with its peer
    /// as "ADDRESS:PORT"; nil when none is waiting (or accept failed).
    static func accept(_ listener: Int32) -> (descriptor: Int32, peer: String)? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let descriptor = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.accept(listener, $0, &length)
            }
        }
        if descriptor < 0 { return nil }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count))
        return (descriptor, "\(String(cString: text)):\(UInt16(bigEndian: address.sin_port))")
    }
}

/// One connection of the table.
struct ServeSlot: ~Copyable {
    enum Phase: Equatable {
        case handshaking
        /// Connected, collecting the request.
        case reading
        /// Answered or failed: the last bytes go out, then the write side shuts and the
        /// slot waits briefly for the client's end (closing with unread input would reset
        /// the connection and could destroy the alert or the answer before it is read).
        case closing
    }

    var engine: Engine<Server>
    let socket: Int32
    let peer: String
    let opened: Int64
    var lastActivity: Int64
    var phase = Phase.handshaking
    var request: [UInt8] = []
    var closingSince: Int64 = 0
    var shutDown = false
    var logged = false
    /// How the handshake resumed, once the engine said so.
    var resumed: Session.Kind? = nil
    /// The engine's last event, for the trace's line on the step that failed.
    var lastEvent: HandshakeEvent? = nil
}

/// The per-slot memory: the engine's three regions and the client certificate's.
struct SlotMemory {
    let input, output, reassembly, certificate: UnsafeMutableBufferPointer<UInt8>

    /// Regions of the sizes the settings ask for, and 8 KB for the client certificate.
    init(files: ServerFiles, options: ServerOptions) throws(TLSError) {
        certificate = .allocate(capacity: 8192)
        let settings = files.settings(options, certificate: certificate)
        input = .allocate(capacity: settings.inputRegionSize)
        output = .allocate(capacity: settings.outputRegionSize)
        reassembly = .allocate(capacity: settings.reassemblyRegionSize)
    }

    func free() {
        for region in [input, output, reassembly, certificate] { region.deallocate() }
    }
}

/// The poll loop over the listening socket and the slot table.
final class ServeLoop {
    static let requestLimit = 8192
    static let lingerMilliseconds: Int64 = 1000

    let files: ServerFiles
    let options: ServerOptions
    let capacity: Int
    private let table: UnsafeMutablePointer<ServeSlot>
    private var used: [Bool]
    private var memory: [SlotMemory?]
    private var chunk = [UInt8](repeating: 0, count: 4096)

    init(files: ServerFiles, options: ServerOptions, slots: Int) {
        self.files = files
        self.options = options
        capacity = slots
        table = .allocate(capacity: slots)
        used = Array(repeating: false, count: slots)
        memory = Array(repeating: nil, count: slots)
    }

    deinit {
        for i in 0..<capacity where used[i] { finish(i) }
        table.deallocate()
        for region in memory { region?.free() }
    }

    private var active: Int { used.lazy.filter { $0 }.count }

    private func log(_ line: String) { print("serve: \(line)", to: &standardError) }

    func run(listener: Int32) {
        StopSignal.install()

        var entries: [pollfd] = []
        var slotOf: [Int] = []
        while !StopSignal.requested {
            entries.removeAll(keepingCapacity: true)
            slotOf.removeAll(keepingCapacity: true)
            // A full table leaves new connections in the listen backlog.
            if active < capacity {
                entries.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
                slotOf.append(-1)
            }
            for i in 0..<capacity where used[i] {
                var events: Int16 = 0
                if table[i].phase == .closing || table[i].engine.wantsInput { events |= Int16(POLLIN) }
                if table[i].engine.hasOutgoing { events |= Int16(POLLOUT) }
                entries.append(pollfd(fd: table[i].socket, events: events, revents: 0))
                slotOf.append(i)
            }
            let ready = poll(&entries, nfds_t(entries.count), 100)
            if ready < 0 && errno != EINTR {
                log("poll failed: errno \(errno)")
                break
            }
            for (index, entry) in entries.enumerated() where entry.revents != 0 {
                if slotOf[index] < 0 { accept(listener) } else { service(slotOf[index], entry.revents) }
            }
            expire()
        }
        for i in 0..<capacity where used[i] {
            // Stopping: whatever is queued (an alert) gets one try, then the socket closes.
            flush(i)
            log("\(table[i].peer): server stopping, connection closed")
            table[i].logged = true
            finish(i)
        }
    }

    // MARK: Slots

    private func accept(_ listener: Int32) {
        while active < capacity {
            // EAGAIN: no more waiting; anything else: next round.
            guard let (descriptor, peer) = Listener.accept(listener) else { return }
            open(descriptor, peer: peer)
        }
    }

    private func slotMemory(_ i: Int) throws(TLSError) -> SlotMemory {
        if let made = memory[i] { return made }
        let made = try SlotMemory(files: files, options: options)
        memory[i] = made
        return made
    }

    private func open(_ descriptor: Int32, peer: String) {
        guard let i = used.firstIndex(of: false) else {
            close(descriptor)
            return
        }
        do throws(TLSError) {
            let regions = try slotMemory(i)
            let random = try Random(entropy: SystemEntropy.source, personalization: Span())
            // Settings per connection: client certificates are validated at its start time.
            var engine = try Engine<Server>(
                unsafeSettings: files.settings(options, certificate: regions.certificate), input: regions.input, output: regions.output,
                reassembly: regions.reassembly, random: random)
            try engine.start()
            let now = Clock.monotonicMilliseconds()
            (table + i).initialize(to: ServeSlot(engine: engine, socket: descriptor, peer: peer, opened: now, lastActivity: now))
            used[i] = true
        } catch {
            log("\(peer): cannot set up a connection: \(error.summary)")
            close(descriptor)
        }
    }

    /// Closes the socket and ends the engine (its regions stay for the slot's next use).
    private func finish(_ i: Int) {
        close(table[i].socket)
        (table + i).deinitialize(count: 1)
        used[i] = false
    }

    private func fail(_ i: Int, _ error: TLSError) {
        if options.trace, table[i].phase == .handshaking {
            events(i)
            log("\(table[i].peer) \(Self.failureLine(error, after: table[i].lastEvent))")
        }
        if !table[i].logged {
            let phase = table[i].phase == .handshaking ? "handshake failed" : "failed"
            log("\(table[i].peer): \(phase): \(Self.describe(error))")
            table[i].logged = true
        }
        startClosing(i)
    }

    private func startClosing(_ i: Int) {
        if table[i].phase != .closing {
            table[i].phase = .closing
            table[i].closingSince = Clock.monotonicMilliseconds()
        }
    }

    /// Timeouts: idle, the whole handshake, and the closing linger.
    private func expire() {
        let now = Clock.monotonicMilliseconds()
        for i in 0..<capacity where used[i] {
            switch table[i].phase {
            case .closing:
                if now - table[i].closingSince > Self.lingerMilliseconds { finish(i) }
            case .handshaking where now - table[i].opened > options.handshakeMilliseconds:
                log("\(table[i].peer): handshake failed: not complete after \(options.handshakeMilliseconds) ms (no alert)")
                table[i].logged = true
                finish(i)
            default:
                if now - table[i].lastActivity > options.idleMilliseconds {
                    let phase = table[i].phase == .handshaking ? "handshake failed" : "failed"
                    log("\(table[i].peer): \(phase): nothing received for \(options.idleMilliseconds) ms (no alert)")
                    table[i].logged = true
                    finish(i)
                }
            }
        }
    }

    private func service(_ i: Int, _ revents: Int16) {
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            if table[i].phase == .closing {
                if drain(i) { return }
            } else if table[i].engine.wantsInput {
                receive(i)
            }
        }
        if !used[i] { return }
        events(i)
        if table[i].phase != .closing { advance(i) }
        flush(i)
    }

    /// Reads what the client sent into the engine.
    private func receive(_ i: Int) {
        let count = Self.receive(into: &table[i])
        if count < 0 {
            let code = errno
            if code == EAGAIN || code == EINTR { return }
            fail(i, .transport(code))
            return
        }
        if count == 0 {
            fail(i, .connectionClosed)
            return
        }
        table[i].lastActivity = Clock.monotonicMilliseconds()
        do throws(TLSError) {
            try table[i].engine.didReceive(count)
        } catch {
            events(i)
            fail(i, error)
        }
    }

    /// Closing: reads and drops what still comes until the client closes; true when the slot ended.
    private func drain(_ i: Int) -> Bool {
        let socket = table[i].socket
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
            finish(i)
            return true
        }
        return false
    }

    private func events(_ i: Int) {
        while let event = table[i].engine.nextEvent() {
            ServedConnection.note(event, resumed: &table[i].resumed)
            table[i].lastEvent = event
            if options.trace { log("\(table[i].peer) \(event.line)") }
        }
    }

    /// After the handshake: collect the request, answer it, close_notify.
    private func advance(_ i: Int) {
        switch table[i].engine.state {
        case .failed(let error):
            fail(i, error)
            return
        case .connected, .closed:
            if table[i].phase == .handshaking {
                table[i].phase = .reading
                if options.trace { log("\(table[i].peer)    \(negotiated(i))") }
            }
        default:
            return
        }
        // Data that came before a close_notify is still there to read.
        do throws(TLSError) {
            while table[i].engine.hasReceivedData {
                var span = chunk.mutableSpan
                let count = try table[i].engine.receive(into: &span)
                if count == 0 { break }
                table[i].request += chunk[0..<count]
            }
        } catch {
            fail(i, error)
            return
        }
        let request = table[i].request
        let end = Self.headerEnd(request)
        // After the client's close_notify a TLS 1.3 engine still sends (RFC 8446 §6.1: the
        // client closed its direction only) until close(); a TLS 1.2 one answered it with
        // its own at once (RFC 5246 §7.2.1), so a request that came with it goes unanswered.
        if table[i].engine.state.isClosed, end == nil || table[i].engine.negotiatedVersion != .tls13 {
            let what = end == nil ? "before a whole request" : "right after its request (TLS 1.2: no half-close)"
            log("\(table[i].peer): \(negotiated(i)), the client sent close_notify \(what): not answered")
            table[i].logged = true
            table[i].engine.close()
            startClosing(i)
            return
        }
        guard let end else {
            if request.count > Self.requestLimit {
                log("\(table[i].peer): \(negotiated(i)), request headers over \(Self.requestLimit) bytes: closed")
                table[i].logged = true
                table[i].engine.close()
                startClosing(i)
            }
            return
        }
        let response = served(i).response
        do throws(TLSError) {
            var offset = 0
            while offset < response.count {
                let sent = try table[i].engine.send(response.span.extracting(offset..<response.count))
                if sent == 0 { break }
                offset += sent
                flush(i)
            }
        } catch {
            fail(i, error)
            return
        }
        log("\(table[i].peer): \(served(i).answeredLine(ServedConnection.requestLine(request, end: end)))")
        table[i].logged = true
        table[i].engine.close()
        startClosing(i)
    }

    /// Sends what the engine has queued, as far as the socket takes it; after closing,
    /// shuts the write side once everything is out.
    private func flush(_ i: Int) {
        let socket = table[i].socket
        while table[i].engine.hasOutgoing {
            let sent = Self.send(from: &table[i])
            if sent <= 0 {
                let code = errno
                if sent < 0 && (code == EAGAIN || code == EINTR) { return }
                // The client is gone: nothing more can reach it.
                if !table[i].logged {
                    log("\(table[i].peer): failed: \(Self.describe(.transport(code)))")
                    table[i].logged = true
                }
                startClosing(i)
                Self.dropOutgoing(&table[i])
                break
            }
            table[i].engine.didSend(sent)
            table[i].lastActivity = Clock.monotonicMilliseconds()
        }
        if table[i].phase == .closing && !table[i].shutDown {
            shutdown(socket, Int32(SHUT_WR))
            table[i].shutDown = true
        }
    }

    // Spans of a slot's engine live only as long as an inout access to the slot.

    private static func receive(into slot: inout ServeSlot) -> Int {
        let socket = slot.socket
        var room = slot.engine.incomingRoom()
        return room.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
    }

    private static func send(from slot: inout ServeSlot) -> Int {
        let socket = slot.socket
        return slot.engine.outgoing.withUnsafeBytes {
            Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
    }

    private static func dropOutgoing(_ slot: inout ServeSlot) {
        let count = slot.engine.outgoing.count
        slot.engine.didSend(count)
    }

    // MARK: Text

    private func served(_ i: Int) -> ServedConnection {
        ServedConnection(engine: table[i].engine, files: files, certificate: memory[i]?.certificate, resumed: table[i].resumed)
    }

    private func negotiated(_ i: Int) -> String { served(i).negotiated }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for start in 0...(bytes.count - 4)
        where bytes[start] == 13 && bytes[start + 1] == 10 && bytes[start + 2] == 13 && bytes[start + 3] == 10 {
            return start
        }
        return nil
    }

    /// The error as the server's log says it (the summary's words are the client's).
    /// The trace's line for a handshake that failed, on the step it failed at: ⑥ when the
    /// client's Certificate or CertificateVerify was the last thing received (the server's
    /// check of the client), otherwise the step of the last event.
    static func failureLine(_ error: TLSError, after last: HandshakeEvent?) -> String {
        let circled = ["①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩"]
        switch last?.kind {
        case .received(.certificate)?, .received(.certificateVerify)?, .clientCertificateAbsent?:
            return "⑥ ✗ client certificate refused: \(describe(error))"
        default:
            let step = max(1, min(10, last?.step ?? 1))
            return "\(circled[step - 1]) ✗ \(describe(error))"
        }
    }

    static func describe(_ error: TLSError) -> String {
        switch error {
        case .peerAlert(let alert): "the client sent a fatal alert: \(alert.name)"
        case .connectionClosed: "the client closed the connection (no alert)"
        case .timeout: "timed out waiting for the client (no alert)"
        default: error.summary
        }
    }
}

/// RFC 4514 text of a certificate's subject ("CN=device-1,O=TLSCore Test PKI").
enum DistinguishedNameText {
    static func subject(ofCertificate der: [UInt8]) -> String? {
        do throws(TLSError) {
            let certificate = try Certificate(der: der.span)
            let subject = certificate.subject
            var bytes: [UInt8] = []
            for index in 0..<subject.count { bytes.append(subject[index]) }
            return try text(name: bytes)
        } catch {
            return nil
        }
    }

    /// `name`: the encoded Name (SEQUENCE OF RelativeDistinguishedName).
    static func text(name: [UInt8]) throws(TLSError) -> String {
        var outer = DER(name.span)
        var rdns = DER(try outer.contents(DER.sequence))
        var parts: [String] = []
        while !rdns.isAtEnd {
            var set = DER(try rdns.contents(DER.set))
            var attributes: [String] = []
            while !set.isAtEnd {
                var attribute = DER(try set.contents(DER.sequence))
                let oid = try attribute.contents(DER.objectIdentifier)
                let value = try attribute.next().contents
                var oidBytes: [UInt8] = []
                for index in 0..<oid.count { oidBytes.append(oid[index]) }
                var valueBytes: [UInt8] = []
                for index in 0..<value.count { valueBytes.append(value[index]) }
                attributes.append("\(label(oidBytes))=\(String(decoding: valueBytes, as: UTF8.self))")
            }
            parts.append(attributes.joined(separator: "+"))
        }
        return parts.reversed().joined(separator: ",")
    }

    private static func label(_ oid: [UInt8]) -> String {
        if oid.count == 3 && oid[0] == 0x55 && oid[1] == 0x04 {
            switch oid[2] {
            case 3: return "CN"
            case 5: return "serialNumber"
            case 6: return "C"
            case 7: return "L"
            case 8: return "ST"
            case 10: return "O"
            case 11: return "OU"
            default: break
            }
        }
        return oid.map { String(format: "%02x", $0) }.joined(separator: ".")
    }
}
