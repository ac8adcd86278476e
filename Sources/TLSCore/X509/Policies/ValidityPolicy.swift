/// notBefore <= time <= notAfter for every certificate (RFC 5280 §6.1.3 (a)(2)), the trust
/// anchor included, as OpenSSL and Mbed TLS do.
public struct ValidityPolicy: PathPolicy {
    public init() {}

    public var understoodExtensions: UInt64 { 0 }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        for i in 0..<path.count {
            let certificate = try path.certificate(i)
            if policy.time < certificate.notBefore { throw .certificate(.notYetValid) }
            if policy.time > certificate.notAfter { throw .certificate(.expired) }
        }
    }
}
