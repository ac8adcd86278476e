/// The running hash of the handshake messages (RFC 5246 §7.4.9). The PRF hash is known only
/// once ServerHello names the suite, after ClientHello has been hashed, so both candidate
/// hashes run until then.
struct Transcript: ~Copyable {
    private var sha256 = Digest(.sha256)
    private var sha384 = Digest(.sha384)

    mutating func update(_ message: Span<UInt8>) {
        sha256.update(message)
        sha384.update(message)
    }

    /// The hash of all messages so far under `hash` (SHA-256 or SHA-384).
    func current(_ hash: HashAlgorithm, into output: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        switch hash {
        case .sha256: try sha256.currentDigest(into: &output)
        case .sha384: try sha384.currentDigest(into: &output)
        case .sha512: throw .unsupportedAlgorithm
        }
    }
}
