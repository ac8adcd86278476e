import CMbedTLS

/// An ephemeral (EC)DH key pair on one named group: generate, export the public value in
/// TLS encoding, and compute the shared secret from the peer's encoded public value.
/// Mbed TLS's bignums live on its heap, so the owner moves freely; `mbedtls_mpi_free`
/// zeroes the private scalar.
public struct ECDHE: ~Copyable {
    public let group: NamedGroup
    private var ecpGroup = mbedtls_ecp_group()
    private var privateScalar = mbedtls_mpi()
    private var publicPoint = mbedtls_ecp_point()

    /// A fresh key pair from `random`.
    public init(group: NamedGroup, random: inout Random) throws(TLSError) {
        self.group = group
        initializeContexts()
        try TLSError.check(mbedtls_ecp_group_load(&ecpGroup, group.mbedTLSID))
        let status = random.withGenerator { generator, state in
            mbedtls_ecdh_gen_public(&ecpGroup, &privateScalar, &publicPoint, generator, state)
        }
        guard status == 0 else { throw TLSError.mbedTLSFailure(status, meaning: .randomFailure) }
    }

    /// Imports a private key, for known-answer tests and fixed test keys: X25519 as 32
    /// little-endian bytes, clamped here (RFC 7748 §5); NIST curves as a big-endian scalar
    /// in [1, n-1].
    public init(group: NamedGroup, privateKey: Span<UInt8>) throws(TLSError) {
        self.group = group
        initializeContexts()
        try TLSError.check(mbedtls_ecp_group_load(&ecpGroup, group.mbedTLSID))
        try privateKey.withPointer { (pointer, count) throws(TLSError) in
            switch group {
            case .x25519:
                guard count == 32 else { throw .malformed }
                try TLSError.check(mbedtls_mpi_read_binary_le(&privateScalar, pointer, count))
                try TLSError.check(mbedtls_mpi_set_bit(&privateScalar, 0, 0))
                try TLSError.check(mbedtls_mpi_set_bit(&privateScalar, 1, 0))
                try TLSError.check(mbedtls_mpi_set_bit(&privateScalar, 2, 0))
                try TLSError.check(mbedtls_mpi_set_bit(&privateScalar, 255, 0))
                try TLSError.check(mbedtls_mpi_set_bit(&privateScalar, 254, 1))
            case .secp256r1, .secp384r1:
                try TLSError.check(mbedtls_mpi_read_binary(&privateScalar, pointer, count))
            }
        }
        guard mbedtls_ecp_check_privkey(&ecpGroup, &privateScalar) == 0 else { throw .malformed }
        // No RNG: Mbed TLS then blinds the fixed-key multiplication with its internal DRBG.
        var generator = ecpGroup.G  // shallow copy: read only
        try TLSError.check(mbedtls_ecp_mul(&ecpGroup, &publicPoint, &privateScalar, &generator, nil, nil))
    }

    private mutating func initializeContexts() {
        mbedtls_ecp_group_init(&ecpGroup)
        mbedtls_mpi_init(&privateScalar)
        mbedtls_ecp_point_init(&publicPoint)
    }

    deinit {
        var g = ecpGroup, d = privateScalar, q = publicPoint
        mbedtls_mpi_free(&d)
        mbedtls_ecp_point_free(&q)
        mbedtls_ecp_group_free(&g)
    }

    /// Writes the public value as TLS sends it (0x04‖X‖Y, or the X25519 u-coordinate) and
    /// returns its length.
    public func writePublicKey(into output: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        let length = group.publicKeyLength
        guard output.count >= length else { throw .bufferTooSmall(needed: length, capacity: output.count) }
        var written = 0
        var g = ecpGroup, q = publicPoint  // shallow copies: Mbed TLS only reads them here
        try output.withPointer { (pointer, _) throws(TLSError) in
            try TLSError.check(mbedtls_ecp_point_write_binary(
                &g, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &written, pointer, length))
        }
        guard written == length else { throw .mbedTLS(0) }
        return length
    }

    /// Computes the shared secret with the peer's public value and returns its length.
    /// Refuses, as `invalidPeerKey`: a wrong length, a compressed or infinity encoding, a
    /// point not on the curve (RFC 8422 §5.11), a low-order X25519 point or an all-zero
    /// X25519 result (RFC 7748 §6.1, RFC 8446 §7.4.2).
    public mutating func sharedSecret(
        peerPublicKey: Span<UInt8>, random: inout Random, into output: inout MutableSpan<UInt8>
    ) throws(TLSError) -> Int {
        let length = group.sharedSecretLength
        guard output.count >= length else { throw .bufferTooSmall(needed: length, capacity: output.count) }
        guard peerPublicKey.count == group.publicKeyLength else { throw .invalidPeerKey }
        if group != .x25519, peerPublicKey[0] != 0x04 { throw .invalidPeerKey }

        var peer = mbedtls_ecp_point()
        var shared = mbedtls_mpi()
        mbedtls_ecp_point_init(&peer)
        mbedtls_mpi_init(&shared)
        defer {
            mbedtls_ecp_point_free(&peer)
            mbedtls_mpi_free(&shared)
        }
        let readStatus = peerPublicKey.withPointer { pointer, count in
            mbedtls_ecp_point_read_binary(&ecpGroup, &peer, pointer, count)
        }
        guard readStatus == 0 else { throw TLSError.mbedTLSFailure(readStatus, meaning: .invalidPeerKey) }
        let pointStatus = mbedtls_ecp_check_pubkey(&ecpGroup, &peer)
        guard pointStatus == 0 else { throw TLSError.mbedTLSFailure(pointStatus, meaning: .invalidPeerKey) }

        let status = random.withGenerator { generator, state in
            mbedtls_ecdh_compute_shared(&ecpGroup, &shared, &peer, &privateScalar, generator, state)
        }
        guard status == 0 else { throw TLSError.mbedTLSFailure(status, meaning: .invalidPeerKey) }

        var nonZero: UInt8 = 0
        try output.withPointer { (pointer, _) throws(TLSError) in
            switch group {
            case .x25519: try TLSError.check(mbedtls_mpi_write_binary_le(&shared, pointer, length))
            case .secp256r1, .secp384r1: try TLSError.check(mbedtls_mpi_write_binary(&shared, pointer, length))
            }
            for i in 0..<length { nonZero |= pointer[i] }
        }
        guard nonZero != 0 else {
            var secret = output._mutatingExtracting(0..<length)
            secureZero(&secret)
            throw .invalidPeerKey
        }
        return length
    }
}
