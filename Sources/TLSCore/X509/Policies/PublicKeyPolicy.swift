/// RSA public keys of the chain's certificates: an exponent that is odd, at least 3 and
/// below 2^32 everywhere (a huge exponent makes each verification as slow as a private-key
/// operation: work a peer must not be able to cause; `PublicKey` has the same bound, so
/// the refusal is named here before a key is imported), and with
/// `minimumRSABits` (webpki: 2048, BR §6.1.5) a modulus of at least that many bits and a
/// whole number of octets.
public struct PublicKeyPolicy: PathPolicy {
    public let minimumRSABits: Int

    public init(minimumRSABits: Int = 0) { self.minimumRSABits = minimumRSABits }

    public var understoodExtensions: UInt64 { 0 }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        for i in 0..<path.anchorIndex {
            let key = try path.certificate(i).publicKey
            guard key.kind == .rsa else { continue }
            let exponent = Self.magnitude(key.second)
            if exponent.count == 0 || exponent.count > 4 || exponent[exponent.count &- 1] & 1 == 0
                || (exponent.count == 1 && exponent[0] < 3) {
                throw .certificate(.violates(.rsaPublicExponent))
            }
            guard minimumRSABits > 0 else { continue }
            let bits = Self.bitLength(Self.magnitude(key.first))
            if bits < minimumRSABits || bits % 8 != 0 { throw .certificate(.violates(.rsaKeySize)) }
        }
    }

    /// An unsigned INTEGER's contents without its leading zero octets.
    @_lifetime(copy bytes)
    static func magnitude(_ bytes: Span<UInt8>) -> Span<UInt8> {
        var start = 0
        while start < bytes.count, bytes[start] == 0 { start &+= 1 }
        return bytes.extracting(start..<bytes.count)
    }

    static func bitLength(_ magnitude: Span<UInt8>) -> Int {
        guard magnitude.count > 0 else { return 0 }
        var top = magnitude[0]
        var bits = 0
        while top != 0 {
            bits &+= 1
            top >>= 1
        }
        return (magnitude.count &- 1) &* 8 &+ bits
    }
}
