/// A signature made by the caller, for a key the core never holds: a secure element, a
/// TPM, an HSM. The core hands over the TLS signature scheme (RFC 8446 §4.2.3 code point)
/// and the digest to sign — already hashed with the scheme's hash, and for TLS 1.3 over
/// the context string — and the room for the signature; the function writes it (ECDSA as
/// a DER Ecdsa-Sig-Value, RSA as modulus-length bytes, PSS with a salt as long as the
/// hash) and returns its length, or a negative value when it cannot sign, which fails the
/// handshake with internal_error. It must not call back into the engine.
public struct Signer: Sendable {
    /// The C shape (tlscore.h's `tlscore_sign_fn`); the core never passes a null pointer.
    public typealias Function = @convention(c) (
        _ context: UnsafeMutableRawPointer?, _ scheme: UInt16, _ digest: UnsafePointer<UInt8>?, _ digestLength: Int,
        _ signature: UnsafeMutablePointer<UInt8>?, _ capacity: Int
    ) -> Int

    public let function: Function
    /// Passed back to `function` untouched.
    public nonisolated(unsafe) let context: UnsafeMutableRawPointer?

    public init(_ function: Function, context: UnsafeMutableRawPointer? = nil) {
        self.function = function
        self.context = context
    }

    /// Signs `digest` with `algorithm` into `output`; returns the length.
    func sign(_ algorithm: SignatureAlgorithm, digest: Span<UInt8>, into output: inout MutableSpan<UInt8>) throws(TLSError) -> Int {
        let function = self.function, context = self.context
        let length = digest.withPointer { digestPointer, digestCount in
            output.withPointer { outputPointer, capacity in
                function(context, algorithm.tlsSignatureScheme, digestPointer, digestCount, outputPointer, capacity)
            }
        }
        guard length > 0, length <= output.count else { throw .invalidState }
        return length
    }
}
