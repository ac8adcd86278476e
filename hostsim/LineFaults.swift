import ArgumentParser
import Foundation

/// Which way bytes travel through the gateway: `up` device → server, `down` server → device.
enum LineDirection: String, CaseIterable, Sendable {
    case up, down
}

/// One injected fault, written `[up:|down:]KIND` with KIND one of `flip@OFFSET`,
/// `drop@OFFSET`, `truncate@OFFSET`, `stall@OFFSET:MS` or `noise:RATE`. Offsets count the
/// bytes read in that direction from 0; without a direction the fault applies to both.
struct LineFault: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        /// Flips the lowest bit of the byte at the offset.
        case flip(Int)
        /// Removes the byte at the offset.
        case drop(Int)
        /// Ends the stream before the byte at the offset and closes that direction.
        case truncate(Int)
        /// Holds the line for `milliseconds` before the byte at the offset.
        case stall(Int, milliseconds: Int)
        /// Flips one random bit of a byte with this probability, per byte.
        case noise(Double)
    }

    var direction: LineDirection?
    var kind: Kind
    let text: String

    var description: String { text }

    func applies(to direction: LineDirection) -> Bool { self.direction == nil || self.direction == direction }

    init(parsing text: String) throws {
        self.text = text
        var rest = Substring(text)
        direction = nil
        for candidate in LineDirection.allCases where rest.hasPrefix("\(candidate.rawValue):") {
            direction = candidate
            rest = rest.dropFirst(candidate.rawValue.count + 1)
        }
        func offset(_ digits: Substring) throws -> Int {
            guard let value = Int(digits), value >= 0 else {
                throw ValidationError("bad offset in fault \(text)")
            }
            return value
        }
        if rest.hasPrefix("noise:") {
            guard let rate = Double(rest.dropFirst(6)), rate >= 0, rate <= 1 else {
                throw ValidationError("noise wants a rate from 0 to 1: \(text)")
            }
            kind = .noise(rate)
            return
        }
        guard let at = rest.firstIndex(of: "@") else {
            throw ValidationError("expected [up:|down:]flip@N, drop@N, truncate@N, stall@N:MS or noise:RATE, got \(text)")
        }
        let name = rest[..<at]
        let argument = rest[rest.index(after: at)...]
        switch name {
        case "flip": kind = .flip(try offset(argument))
        case "drop": kind = .drop(try offset(argument))
        case "truncate": kind = .truncate(try offset(argument))
        case "stall":
            let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let milliseconds = Int(parts[1]), milliseconds >= 0, milliseconds <= 600_000 else {
                throw ValidationError("stall wants stall@OFFSET:MS, got \(text)")
            }
            kind = .stall(try offset(parts[0]), milliseconds: milliseconds)
        default:
            throw ValidationError("unknown fault \(name) in \(text)")
        }
    }
}

/// The serial line's shape: speed, latency, faults and the seed of the noise.
struct LineSettings: Sendable {
    var baud = 115_200
    var latencyMilliseconds = 0
    var faults: [LineFault] = []
    var seed: UInt64 = 1

    /// Bytes per second on an 8N1 line: ten bits on the wire per byte.
    var bytesPerSecond: Double { Double(baud) / 10 }
}

/// The options that shape the simulated line, shared by `gateway`, `uart` and `demo`.
struct LineOptions: ParsableArguments {
    @Option(help: "Line speed in bits per second (8N1: ten bits per byte).") var baud: Int = 115_200
    @Option(help: "One-way latency added to each direction, in milliseconds.") var latency: Int = 0
    @Option(name: .customLong("fault"),
            help: "Inject a fault: [up:|down:]flip@OFFSET, drop@OFFSET, truncate@OFFSET, stall@OFFSET:MS or noise:RATE; repeatable.")
    var faults: [String] = []
    @Option(help: "Seed of the noise generator (noise:RATE is reproducible for a given seed).") var seed: UInt64 = 1

    func settings() throws -> LineSettings {
        guard baud >= 50, baud <= 4_000_000 else { throw ValidationError("--baud must be from 50 to 4000000") }
        guard latency >= 0, latency <= 60_000 else { throw ValidationError("--latency must be from 0 to 60000 ms") }
        return LineSettings(baud: baud, latencyMilliseconds: latency,
                            faults: try faults.map { try LineFault(parsing: $0) }, seed: seed)
    }
}

/// SplitMix64: small, seedable, and the same sequence on every run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// The faults of one direction applied to its byte stream, in order.
struct FaultInjector {
    enum Segment {
        case bytes([UInt8])
        case stall(milliseconds: Int)
        /// The stream ends here; `offset` is where it was cut.
        case truncate(offset: Int)
    }

    private let faults: [LineFault.Kind]
    private var random: SplitMix64
    /// How many bytes of this direction have been read so far.
    private(set) var offset = 0
    /// What happened, for the log: "flipped byte 120".
    private(set) var notes: [String] = []

    init(settings: LineSettings, direction: LineDirection) {
        faults = settings.faults.filter { $0.applies(to: direction) }.map(\.kind)
        // A stream per direction, so that thread timing never changes which bytes are hit.
        random = SplitMix64(seed: settings.seed ^ (direction == .up ? 0x7570 : 0x646F_776E))
    }

    /// Runs `input` through the faults; after a `truncate` segment nothing more is produced.
    mutating func process(_ input: ArraySlice<UInt8>) -> [Segment] {
        var segments: [Segment] = []
        var pending: [UInt8] = []
        for var byte in input {
            let at = offset
            offset += 1
            var dropped = false
            for fault in faults {
                switch fault {
                case .stall(let where_, let milliseconds) where where_ == at:
                    if !pending.isEmpty { segments.append(.bytes(pending)); pending = [] }
                    segments.append(.stall(milliseconds: milliseconds))
                    notes.append("stalled \(milliseconds) ms before byte \(at)")
                case .truncate(let where_) where where_ == at:
                    if !pending.isEmpty { segments.append(.bytes(pending)) }
                    segments.append(.truncate(offset: at))
                    notes.append("truncated at byte \(at)")
                    return segments
                case .drop(let where_) where where_ == at:
                    dropped = true
                    notes.append("dropped byte \(at)")
                case .flip(let where_) where where_ == at:
                    byte ^= 0x01
                    notes.append("flipped byte \(at)")
                case .noise(let rate):
                    if rate > 0 && random.nextUnit() < rate {
                        byte ^= UInt8(1) << UInt8(random.next() % 8)
                        notes.append("noise hit byte \(at)")
                    }
                default:
                    break
                }
            }
            if !dropped { pending.append(byte) }
        }
        if !pending.isEmpty { segments.append(.bytes(pending)) }
        return segments
    }
}
