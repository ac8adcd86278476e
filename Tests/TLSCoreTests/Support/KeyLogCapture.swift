import TLSCore

/// Collects what an engine hands its key log, for tests that look at secrets: the lines in
/// order, as label, client random and secret. Keep it alive as long as the engine.
final class KeyLogCapture {
    private(set) var lines: [(label: KeyLog.Label, clientRandom: [UInt8], secret: [UInt8])] = []

    var keyLog: KeyLog {
        KeyLog(function: { context, label, random, secret, count in
            guard let context, let random, let secret, let label = KeyLog.Label(rawValue: label) else { return }
            let capture = Unmanaged<KeyLogCapture>.fromOpaque(context).takeUnretainedValue()
            capture.lines.append((label, Array(UnsafeBufferPointer(start: random, count: 32)),
                                  Array(UnsafeBufferPointer(start: secret, count: count))))
        }, context: Unmanaged.passUnretained(self).toOpaque())
    }

    /// The secret last logged under `label`, or nil.
    func secret(_ label: KeyLog.Label) -> [UInt8]? { lines.last { $0.label == label }?.secret }

    /// The lines as an NSS key log file would hold them.
    var text: String {
        lines.map { "\($0.label.name) \(hex($0.clientRandom)) \(hex($0.secret))" }.joined(separator: "\n")
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
