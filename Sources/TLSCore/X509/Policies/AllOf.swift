/// Two policies as one: both must pass, `first` runs first (put the cheap and the most
/// telling checks first: the first refusal is what the caller sees). Understands what either
/// understands. Nest it to combine more.
public struct AllOf<First: PathPolicy, Second: PathPolicy>: PathPolicy {
    public let first: First
    public let second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public var understoodExtensions: UInt64 { first.understoodExtensions | second.understoodExtensions }

    public func check(
        _ path: borrowing CertificatePath, _ policy: borrowing ValidationPolicy, _ work: inout ValidationWork
    ) throws(TLSError) {
        try first.check(path, policy, &work)
        try second.check(path, policy, &work)
    }
}
