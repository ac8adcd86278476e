import CMbedTLS

/// HKDF (RFC 5869) over Mbed TLS, and the TLS 1.3 wrappers HKDF-Expand-Label and
/// Derive-Secret (RFC 8446 §7.1).
public enum HKDF {
    /// Writes PRK = HMAC(salt, IKM) and returns its length (the hash length).
    public static func extract(
        _ hash: HashAlgorithm, salt: Span<UInt8>, inputKeyMaterial: Span<UInt8>,
        into prk: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        let length = hash.digestLength
        guard prk.count >= length else { throw .bufferTooSmall(needed: length, capacity: prk.count) }
        guard let info = mbedtls_md_info_from_type(hash.mbedTLSType) else { throw .unsupportedAlgorithm }
        try salt.withPointer { (saltPointer, saltCount) throws(TLSError) in
            try inputKeyMaterial.withPointer { (ikmPointer, ikmCount) throws(TLSError) in
                try prk.withPointer { (prkPointer, _) throws(TLSError) in
                    try TLSError.check(mbedtls_hkdf_extract(info, saltPointer, saltCount, ikmPointer, ikmCount, prkPointer))
                }
            }
        }
        return length
    }

    /// Fills all of `output` with OKM (at most 255 × the hash length).
    public static func expand(
        _ hash: HashAlgorithm, pseudorandomKey: Span<UInt8>, info: Span<UInt8>,
        into output: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        guard let md = mbedtls_md_info_from_type(hash.mbedTLSType) else { throw .unsupportedAlgorithm }
        try pseudorandomKey.withPointer { (prkPointer, prkCount) throws(TLSError) in
            try info.withPointer { (infoPointer, infoCount) throws(TLSError) in
                try output.withPointer { (okmPointer, okmCount) throws(TLSError) in
                    try TLSError.check(mbedtls_hkdf_expand(md, prkPointer, prkCount, infoPointer, infoCount, okmPointer, okmCount))
                }
            }
        }
    }

    /// HKDF-Expand-Label(secret, label, context, output.count). `label` is given without
    /// the "tls13 " prefix, which is added here (RFC 8446 §7.1).
    public static func expandLabel(
        _ hash: HashAlgorithm, secret: Span<UInt8>, label: StaticString,
        context: Span<UInt8>, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        // struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel
        guard output.count <= 0xFFFF, label.utf8CodeUnitCount <= 249, context.count <= 255 else { throw .malformed }
        var storage = InlineArray<520, UInt8>(repeating: 0)
        let count: Int
        do {
            var writer = Writer(storage.mutableSpan)
            try writer.u16(UInt16(output.count))
            try writer.u8(UInt8(6 &+ label.utf8CodeUnitCount))
            try writer.bytes("tls13 ")
            try writer.bytes(label)
            try writer.u8(UInt8(context.count))
            try writer.bytes(context)
            count = writer.count
        }
        try expand(hash, pseudorandomKey: secret, info: storage.span.extracting(0..<count), into: &output)
    }

    /// Derive-Secret(secret, label, messages) = HKDF-Expand-Label(secret, label,
    /// Transcript-Hash(messages), Hash.length); the caller passes the transcript hash.
    public static func deriveSecret(
        _ hash: HashAlgorithm, secret: Span<UInt8>, label: StaticString,
        transcriptHash: Span<UInt8>, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) {
        let length = hash.digestLength
        guard output.count >= length else { throw .bufferTooSmall(needed: length, capacity: output.count) }
        var secretOutput = output._mutatingExtracting(0..<length)
        try expandLabel(hash, secret: secret, label: label, context: transcriptHash, into: &secretOutput)
    }
}
