import CMbedTLS

/// Compares MACs, Finished values and padding without an early exit, so that the time
/// taken does not reveal where the first difference is. Different lengths compare unequal
/// (lengths are public).
public func constantTimeEquals(_ a: Span<UInt8>, _ b: Span<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}

/// Overwrites secret bytes in a way the optimiser keeps (Mbed TLS's zeroize).
public func secureZero(_ bytes: inout MutableSpan<UInt8>) {
    bytes.withPointer { pointer, count in mbedtls_platform_zeroize(pointer, count) }
}
