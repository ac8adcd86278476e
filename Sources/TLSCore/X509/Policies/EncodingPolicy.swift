/// DER and field-encoding rules that parse but are refused by name (`CertificateFlaws`):
/// explicit DEFAULTs (X.690 §11.5), duplicate extensions (RFC 5280 §4.2), validity dates
/// through 2049 as GeneralizedTime (§4.1.2.5), serial numbers zero, negative or over 20
/// octets (§4.1.2.2), dNSName constraints that are not DNS names (§4.2.1.10). Applied to the chain's certificates; the trust anchor is the
/// caller's own configuration and is taken as it is.
public struct EncodingPolicy: PathPolicy {
    public init() {}

    public var understoodExtensions: UInt64 { 0 }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        for i in 0..<path.anchorIndex {
            let flaws = try path.certificate(i).flaws
            if flaws.contains(.explicitDefault) { throw .certificate(.violates(.explicitDefault)) }
            if flaws.contains(.duplicateExtension) { throw .certificate(.violates(.duplicateExtension)) }
            if flaws.contains(.validityEncoding) { throw .certificate(.violates(.validityEncoding)) }
            if flaws.contains(.serialNumber) { throw .certificate(.violates(.serialNumber)) }
            if flaws.contains(.nameConstraintSyntax) { throw .certificate(.violates(.nameConstraintSyntax)) }
        }
    }
}
