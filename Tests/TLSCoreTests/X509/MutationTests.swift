import Foundation
import Testing
import TLSCore

/// Random corruption of valid certificates, chains and CRLs: every outcome must be a typed
/// error or a success, never a trap. Seeded, and bounded in iterations and time.
@Suite struct X509MutationTests {
    @Test func flippedBytesNeverCrash() {
        var random = SeededRandom(state: 0x5EED_0F_C3B7)
        let leaves = ["server-ec", "server-rsa", "server-rsa-pss", "nc-ok", "server-ip", "server-ec384"]
        let chains = leaves.map { PKI.chain($0) }
        let crl = PKI.der("int-ec.crl")
        let anchors = PKI.anchors
        let none: [UInt8] = []
        let deadline = Date().addingTimeInterval(60)
        var parsedAnyway = 0
        var iterations = 0
        for iteration in 0..<4000 {
            guard Date() < deadline else { break }
            iterations = iteration + 1
            var chain = chains[Int(random.next() % UInt64(chains.count))]
            let target = Int(random.next() % UInt64(chain.count))
            let flips = 1 + Int(random.next() % 4)
            for _ in 0..<flips {
                let at = Int(random.next() % UInt64(chain[target].count))
                chain[target][at] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            }
            if parses(chain[target]) { parsedAnyway += 1 }
            // Full validation only for a share of iterations: signatures cost milliseconds.
            if iteration % 4 == 0 {
                _ = PKI.validate(chain, name: .host("localhost"))
            }
            var mutatedCRL = crl
            let at = Int(random.next() % UInt64(mutatedCRL.count))
            mutatedCRL[at] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            _ = parsesCRL(mutatedCRL)
            if iteration % 16 == 0 {
                _ = PKI.validate(PKI.chain("server-ec"), crls: mutatedCRL)
            }
            // Truncated and extended TLS framing.
            var list = PKI.list(chain)
            list.removeLast(Int(random.next() % 8))
            _ = PKI.run(list.span, anchors.span, none.span, none.span, kind: 0, purpose: .serverAuth,
                        time: PKI.time, cnFallback: false, revocation: .checkAvailable)
        }
        #expect(iterations >= 500)
        // Some flips land in signatures or names and still parse: the parser is not merely
        // refusing everything.
        #expect(parsedAnyway > 0)
    }

    func parses(_ bytes: [UInt8]) -> Bool {
        do {
            _ = try Certificate(der: bytes.span)
            return true
        } catch {
            return false
        }
    }

    func parsesCRL(_ bytes: [UInt8]) -> Bool {
        do {
            _ = try CRL(der: bytes.span)
            return true
        } catch {
            return false
        }
    }
}
