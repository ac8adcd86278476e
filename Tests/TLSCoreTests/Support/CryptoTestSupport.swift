import CMbedTLS
import TLSCore

/// Runs `body` and returns the `TLSError` it threw, or nil when it returned normally.
func thrownError(_ body: () throws(TLSError) -> Void) -> TLSError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// Makes a zeroed array of `count` bytes, lets `body` write into it through a span, and
/// returns it.
func filled(_ count: Int, _ body: (inout MutableSpan<UInt8>) throws(TLSError) -> Void) throws(TLSError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    do {
        var span = bytes.mutableSpan
        try body(&span)
    }
    return bytes
}

/// A deterministic entropy source for tests: every call yields the same byte pattern, so a
/// DRBG seeded from it produces a reproducible stream.
let fixedTestEntropy: EntropySource.Function = { _, buffer, count in
    guard let buffer else { return -1 }
    for i in 0..<count { buffer[i] = UInt8(truncatingIfNeeded: i &* 29 &+ 11) }
    return 0
}

/// An entropy source that always fails (MBEDTLS_ERR_ENTROPY_SOURCE_FAILED).
let failingTestEntropy: EntropySource.Function = { _, _, _ in -0x003C }

/// A DRBG seeded from `fixedTestEntropy`.
func makeTestRandom(_ personalization: [UInt8] = Array("TLSCore crypto tests".utf8)) throws(TLSError) -> Random {
    try Random(entropy: EntropySource(function: fixedTestEntropy, context: nil), personalization: personalization.span)
}

/// Digest of `message` through the wrapper (itself checked against FIPS 180-2 in DigestTests).
func digest(_ algorithm: HashAlgorithm, _ message: [UInt8]) throws(TLSError) -> [UInt8] {
    try filled(algorithm.digestLength) { (out) throws(TLSError) in
        _ = try Digest.hash(algorithm, message.span, into: &out)
    }
}
