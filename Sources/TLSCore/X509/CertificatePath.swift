/// One candidate path that path building found, handed to the profile's policies: the
/// leaf at index 0, intermediates upwards, the trust anchor last. It holds only offsets into
/// the chain and the anchors; `certificate(_:)` parses again (zero-copy and cheap) whenever
/// a policy needs a certificate, so nothing is stored per certificate.
public struct CertificatePath: ~Escapable {
    let chain: CertificateChain
    let anchors: Span<UInt8>
    /// The caller's CRLs (concatenated DER), for `RevocationPolicy`.
    public let crls: Span<UInt8>
    /// Chain offsets of the leaf and the intermediates.
    let offsets: InlineArray<8, Int>
    /// How many of `offsets` are used: leaf + intermediates.
    let chainCount: Int
    /// The anchor's DER.
    let anchor: Span<UInt8>

    @_lifetime(copy chain, copy anchors, copy crls)
    init(chain: CertificateChain, anchors: Span<UInt8>, crls: Span<UInt8>, offsets: InlineArray<8, Int>, chainCount: Int,
         anchorStart: Int, anchorCount: Int) {
        self.chain = chain
        self.anchors = anchors
        self.crls = crls
        self.offsets = offsets
        self.chainCount = chainCount
        self.anchor = anchors.extracting(anchorStart..<(anchorStart &+ anchorCount))
    }

    /// Certificates on the path, leaf and anchor included.
    public var count: Int { chainCount &+ 1 }
    /// The anchor's index, `count - 1`.
    public var anchorIndex: Int { chainCount }

    /// The k-th certificate: 0 the leaf, `anchorIndex` the trust anchor.
    @_lifetime(copy self)
    public func certificate(_ k: Int) throws(TLSError) -> Certificate {
        // Path building parsed each of them in full before it chose this path.
        if k < chainCount { return try Certificate(reparsing: chain.certificate(at: offsets[k])) }
        return try Certificate(reparsing: anchor)
    }
}
