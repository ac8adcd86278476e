/// CRL(der:) on arbitrary bytes. For a list that parses: every span lies inside the
/// input, nextUpdate (when present) is a time, and every serial on the revoked list is
/// found by `contains(serial:)` while a serial that cannot be on it (an empty one) is not.
/// The revocation check proper (signature, issuer, times) runs in the `path` target, whose
/// input may carry fuzzed CRLs next to a valid chain.
@_cdecl("fuzz_crl")
public func fuzz_crl(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzCRL.run($0) }
}

enum FuzzCRL {
    static func run(_ input: Span<UInt8>) {
        let crl: CRL
        do throws(TLSError) {
            crl = try CRL(der: input)
        } catch {
            fuzzRequire(error == .certificate(.malformed(where: .crl)), "a parse failure is malformed(where: .crl)")
            return
        }
        fuzzRequire(fuzzLiesWithin(crl.tbs, input), "tbs lies inside the input")
        fuzzRequire(fuzzLiesWithin(crl.issuer, crl.tbs), "issuer lies inside tbs")
        fuzzRequire(fuzzLiesWithin(crl.revoked, crl.tbs), "revoked entries lie inside tbs")
        fuzzRequire(fuzzLiesWithin(crl.signature, input), "signature lies inside the input")
        fuzzRequire(crl.issuer.count >= 2 && crl.issuer[0] == DER.sequence, "issuer is a SEQUENCE")
        _ = crl.hasUnknownCriticalExtension
        fuzzRequire(!crl.contains(serial: input.extracting(0..<0)), "an empty serial is never listed")
        var entries = DER(crl.revoked)
        var listed = 0
        while !entries.isAtEnd, listed < 64 {
            guard var entry = try? entries.nested(), let serial = try? entry.integerBytes() else {
                fuzzFail("a parsed CRL's entries read again", file: #fileID, line: #line)
            }
            fuzzRequire(crl.contains(serial: serial), "every listed serial is found")
            listed &+= 1
        }
    }
}
