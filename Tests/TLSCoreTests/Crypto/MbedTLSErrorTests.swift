import Testing
@testable import TLSCore

/// Mbed TLS codes as errors: an allocation failure anywhere (MPI's own, or a module's
/// *_ALLOC_FAILED, alone or over a low-level code) is `outOfMemory` — our memory limit, which
/// must not pass for a bad signature or a bad peer key; anything else stays `mbedTLS`.
@Suite struct MbedTLSErrorTests {
    @Test(arguments: [Int32]([
        -0x0010,  // MPI_ALLOC_FAILED
        -0x006A,  // ASN1_ALLOC_FAILED
        -0x4D80,  // ECP_ALLOC_FAILED
        -0x3F80,  // PK_ALLOC_FAILED
        -0x6180,  // CIPHER_ALLOC_FAILED
        -0x5180,  // MD_ALLOC_FAILED
        -0x2880,  // X509_ALLOC_FAILED
        -(0x3D00 + 0x0010),  // PK_KEY_INVALID_FORMAT over MPI_ALLOC_FAILED
    ]))
    func allocationFailuresAreOutOfMemory(code: Int32) {
        #expect(TLSError.mbedTLSError(code) == .outOfMemory(code))
        #expect(TLSError.mbedTLSFailure(code, meaning: .badSignature) == .outOfMemory(code))
        #expect(TLSError.outOfMemory(code).alert == .internalError)
    }

    @Test(arguments: [Int32]([-0x0004, -0x4F80, -0x4E00, -0x4380, -0x6100]))
    func otherFailuresKeepTheirMeaning(code: Int32) {
        #expect(TLSError.mbedTLSError(code) == .mbedTLS(code))
        #expect(TLSError.mbedTLSFailure(code, meaning: .badSignature) == .badSignature)
        #expect(TLSError.mbedTLSFailure(code, meaning: .invalidPeerKey) == .invalidPeerKey)
    }
}
