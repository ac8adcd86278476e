/// What one validation may still spend: signature verifications (path building and CRLs)
/// and name-constraint comparisons. Both run out with a named rule, so that a chain built
/// to exhaust the device (decoy issuers with the same name, thousands of names against
/// thousands of subtrees) is refused by a bound rather than computed.
public struct ValidationWork: Sendable {
    public private(set) var signaturesLeft: Int
    public private(set) var comparisonsLeft: Int

    public init(signatures: Int, comparisons: Int) {
        signaturesLeft = max(signatures, 0)
        comparisonsLeft = max(comparisons, 0)
    }

    /// Takes one signature verification from the budget, or throws when none is left.
    public mutating func spendSignature() throws(TLSError) {
        guard signaturesLeft > 0 else { throw .certificate(.violates(.signatureBudget)) }
        signaturesLeft &-= 1
    }

    /// Takes `count` comparisons, or throws (without spending) when fewer are left.
    public mutating func spendComparisons(_ count: Int) throws(TLSError) {
        guard count >= 0, count <= comparisonsLeft else { throw .certificate(.violates(.nameConstraintBudget)) }
        comparisonsLeft &-= count
    }
}
