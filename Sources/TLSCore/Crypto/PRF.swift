/// The TLS 1.2 pseudorandom function (RFC 5246 §5): P_hash(secret, label + seed), with the
/// suite's hash (SHA-256 unless the suite says SHA-384). The seed comes in two parts
/// because TLS seeds are two randoms (or a session hash and nothing).
public enum PRF {
    public static func derive(
        _ hash: HashAlgorithm, secret: Span<UInt8>, label: StaticString,
        seed: Span<UInt8>, seed2: Span<UInt8>, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        var hmac = try HMAC(hash, key: secret)
        let length = hash.digestLength
        // A(i) and the current output block; both are secret-derived, so both are wiped.
        var a = InlineArray<64, UInt8>(repeating: 0)
        var block = InlineArray<64, UInt8>(repeating: 0)
        defer {
            var aSpan = a.mutableSpan
            secureZero(&aSpan)
            var blockSpan = block.mutableSpan
            secureZero(&blockSpan)
        }

        // A(1) = HMAC(secret, label + seed)
        try hmac.update(label)
        try hmac.update(seed)
        try hmac.update(seed2)
        do {
            var aSpan = a.mutableSpan
            _ = try hmac.finish(into: &aSpan)
        }

        var written = 0
        while written < output.count {
            // block = HMAC(secret, A(i) + label + seed)
            try hmac.update(a.span.extracting(0..<length))
            try hmac.update(label)
            try hmac.update(seed)
            try hmac.update(seed2)
            do {
                var blockSpan = block.mutableSpan
                _ = try hmac.finish(into: &blockSpan)
            }
            let take = min(length, output.count &- written)
            for i in 0..<take { output[written &+ i] = block[i] }
            written &+= take
            guard written < output.count else { break }
            // A(i+1) = HMAC(secret, A(i))
            try hmac.update(a.span.extracting(0..<length))
            var aSpan = a.mutableSpan
            _ = try hmac.finish(into: &aSpan)
        }
    }
}
