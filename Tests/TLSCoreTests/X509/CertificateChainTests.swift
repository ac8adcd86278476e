import Foundation
import Testing
import TLSCore

/// The three framings of `CertificateChain`: checked once, walked by offset.
@Suite struct X509CertificateChainTests {
    static func u24(_ n: Int) -> [UInt8] { [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }

    /// RFC 8446 §4.4.2 CertificateEntry list: cert_data, then extensions (here one
    /// status_request-shaped dummy for the leaf).
    static func tls13(_ certificates: [[UInt8]], leafExtensions: [UInt8] = [0x00, 0x05, 0x00, 0x02, 0xAB, 0xCD]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, der) in certificates.enumerated() {
            out += u24(der.count) + der
            let extensions = i == 0 ? leafExtensions : []
            out += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
        }
        return out
    }

    func framingError(_ bytes: [UInt8], _ framing: CertificateChain.Framing) -> TLSError? {
        thrownError { () throws(TLSError) in _ = try CertificateChain(bytes.span, framing: framing) }
    }

    func offsets(_ bytes: [UInt8], _ framing: CertificateChain.Framing) throws -> [Int] {
        let chain = try CertificateChain(bytes.span, framing: framing)
        var result: [Int] = []
        var entries = chain.entries()
        while let entry = entries.next() { result.append(entry.offset) }
        return result
    }

    @Test func framingsGiveTheSameEntries() throws {
        let certificates = PKI.chain("server-ec")
        let leafCount = certificates[0].count
        #expect(try offsets(PKI.list(certificates), .tls12) == [0, 3 + leafCount])
        #expect(try offsets(Self.tls13(certificates), .tls13) == [0, 3 + leafCount + 2 + 6])
        #expect(try offsets(certificates.flatMap { $0 }, .der) == [0, leafCount])
        for (bytes, framing) in [(PKI.list(certificates), CertificateChain.Framing.tls12),
                                 (Self.tls13(certificates), .tls13), (certificates.flatMap { $0 }, .der)] {
            #expect(PKI.run(bytes.span, PKI.anchors.span, [UInt8]().span, Array("localhost".utf8).span, kind: 1,
                            purpose: .serverAuth, time: PKI.time, cnFallback: false, revocation: .checkAvailable,
                            framing: framing) == nil, "\(framing)")
            let chain = try CertificateChain(bytes.span, framing: framing)
            let count = chain.count
            var leaf: [UInt8] = []
            let leafDER = chain.leaf()
            for i in 0..<leafDER.count { leaf.append(leafDER[i]) }
            #expect(count == 2)
            #expect(leaf == certificates[0])
        }
    }

    @Test func badFramingIsMalformedChain() {
        let chainError = TLSError.certificate(.malformed(where: .chain))
        let certificates = PKI.chain("server-ec")
        let tls12 = PKI.list(certificates)
        let tls13 = Self.tls13(certificates)
        let der = certificates.flatMap { $0 }
        for (bytes, framing) in [
            ([], .tls12), (Array(tls12.dropLast()), .tls12), (tls12 + [0], .tls12), ([0, 0, 0] + tls12, .tls12),
            ([], .tls13), (Array(tls13.dropLast()), .tls13), (tls12, .tls13),
            // An extension whose length runs past its block.
            (Self.tls13(certificates, leafExtensions: [0x00, 0x05, 0x00, 0x09, 0xAB]), .tls13),
            ([], .der), (Array(der.dropLast()), .der), (der + [0x30, 0x00], .der), ([0x31, 0x00] + der, .der),
        ] as [([UInt8], CertificateChain.Framing)] {
            #expect(framingError(bytes, framing) == chainError, "\(framing) \(bytes.count) bytes")
        }
    }

    @Test func countIsBounded() {
        let leaf = PKI.der("server-ec")
        let extras = [[UInt8]](repeating: PKI.der("int-ec"), count: CertificateChain.maximumCount - 1)
        #expect(framingError(PKI.list([leaf] + extras), .tls12) == nil)
        // One more: a limit, named, not a framing fault.
        #expect(framingError(PKI.list([leaf] + extras + [PKI.der("int-ec")]), .tls12)
                == .certificate(.violates(.chainEntryCount)))
        #expect(framingError((([leaf] + extras + [PKI.der("int-ec")]).flatMap { $0 }), .der)
                == .certificate(.violates(.chainEntryCount)))
        // Sixteen copies of the intermediate: validation still ends, and passes.
        #expect(PKI.validate([leaf] + extras) == nil)
    }
}
