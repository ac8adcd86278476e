// Swift 6.3's generic integer conversions into 64-bit types (`Int64(someInt)`,
// `UInt64(someUInt8)`) pull `[UInt]` storage into Embedded builds for 32-bit targets, which
// -no-allocations rejects. These widen through `_truncatingBits` instead.

extension Int64 {
    /// Sign-extends `value`.
    @inline(__always)
    public init(widening value: Int) {
        if value >= 0 {
            self.init(_truncatingBits: UInt(bitPattern: value))
        } else {
            self = ~Int64(_truncatingBits: UInt(bitPattern: ~value))
        }
    }
}

extension UInt64 {
    /// Zero-extends `value`.
    @inline(__always)
    public init(widening value: UInt32) {
        self.init(_truncatingBits: UInt(value))
    }
}
