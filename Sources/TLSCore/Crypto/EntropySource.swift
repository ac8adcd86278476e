/// Where the DRBG's seed comes from, chosen by the caller: a C-callable function with Mbed
/// TLS's `f_entropy` shape and its context pointer, which must stay valid as long as the
/// `Random` seeded from it (it is called again on automatic reseeds). TLSPlatform supplies
/// the Linux `getrandom` source; a board supplies its hardware RNG.
public struct EntropySource {
    /// Fills `count` bytes at the pointer; returns 0 on success, non-zero on failure.
    public typealias Function = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int32

    public var function: Function
    public var context: UnsafeMutableRawPointer?

    public init(function: Function, context: UnsafeMutableRawPointer?) {
        self.function = function
        self.context = context
    }
}
