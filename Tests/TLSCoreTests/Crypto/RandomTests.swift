import CMbedTLS
import Testing
import TLSCore

/// The CTR_DRBG wrapper against Mbed TLS's own `mbedtls_ctr_drbg_seed` / `_random` run here
/// with the same deterministic entropy callback (`fixedTestEntropy`) and personalization.
@Suite struct RandomTests {
    static let personalization = Array("TLSCore RandomTests".utf8)
    /// Request sizes, including ones over MBEDTLS_CTR_DRBG_MAX_REQUEST (1024) that the
    /// wrapper must split.
    static let sizes = [32, 1, 100, 1024, 1500, 2048, 48]

    /// Mbed TLS's CTR_DRBG directly; requests over 1024 bytes are split into 1024-byte calls
    /// as the wrapper documents. The context lives at a fixed heap address.
    static func referenceStream(personalization: [UInt8], sizes: [Int]) -> [[UInt8]] {
        let context = UnsafeMutablePointer<mbedtls_ctr_drbg_context>.allocate(capacity: 1)
        mbedtls_ctr_drbg_init(context)
        defer {
            mbedtls_ctr_drbg_free(context)
            context.deallocate()
        }
        let seeded = personalization.withUnsafeBufferPointer {
            mbedtls_ctr_drbg_seed(context, fixedTestEntropy, nil, $0.baseAddress, $0.count)
        }
        #expect(seeded == 0)
        var outputs: [[UInt8]] = []
        for size in sizes {
            var out = [UInt8](repeating: 0, count: size)
            var offset = 0
            while offset < size {
                let chunk = min(size - offset, Int(MBEDTLS_CTR_DRBG_MAX_REQUEST))
                let status = out.withUnsafeMutableBufferPointer {
                    mbedtls_ctr_drbg_random(context, $0.baseAddress! + offset, chunk)
                }
                #expect(status == 0)
                offset += chunk
            }
            outputs.append(out)
        }
        return outputs
    }

    static func stream(_ random: inout Random, sizes: [Int]) throws(TLSError) -> [[UInt8]] {
        var outputs: [[UInt8]] = []
        for size in sizes {
            outputs.append(try filled(size) { (o) throws(TLSError) in try random.fill(&o) })
        }
        return outputs
    }

    @Test func matchesMbedTLSReference() throws {
        var random = try makeTestRandom(Self.personalization)
        let got = try Self.stream(&random, sizes: Self.sizes)
        let expected = Self.referenceStream(personalization: Self.personalization, sizes: Self.sizes)
        for (i, size) in Self.sizes.enumerated() {
            #expect(got[i] == expected[i], "request \(i) of \(size) bytes")
        }
    }

    @Test func twoInstancesAgree() throws {
        var a = try makeTestRandom(Self.personalization)
        var b = try makeTestRandom(Self.personalization)
        #expect(try Self.stream(&a, sizes: Self.sizes) == (try Self.stream(&b, sizes: Self.sizes)))
    }

    @Test func outputIsNotConstant() throws {
        var random = try makeTestRandom(Self.personalization)
        let first = try Self.stream(&random, sizes: [64, 64])
        #expect(first[0] != first[1])
        #expect(Set(first[0]).count > 16)
    }

    @Test func personalizationChangesTheStream() throws {
        var a = try makeTestRandom(Self.personalization)
        var b = try makeTestRandom(Self.personalization + [0])
        var c = try makeTestRandom([])
        let x = try Self.stream(&a, sizes: [64])
        let y = try Self.stream(&b, sizes: [64])
        let z = try Self.stream(&c, sizes: [64])
        #expect(x != y && x != z && y != z)
        #expect(z == Self.referenceStream(personalization: [], sizes: [64]))
    }

    @Test func failingEntropyThrowsRandomFailure() {
        let error = thrownError { () throws(TLSError) in
            _ = try Random(entropy: EntropySource(function: failingTestEntropy, context: nil),
                           personalization: [UInt8]().span)
        }
        #expect(error == .randomFailure)
    }

    @Test func emptyFillIsFine() throws {
        var random = try makeTestRandom(Self.personalization)
        _ = try filled(0) { (o) throws(TLSError) in try random.fill(&o) }
        // An empty request does not advance the stream... or if it does, it does so the way
        // Mbed TLS does for an empty request; compare the next output with the reference
        // that makes no call.
        let next = try Self.stream(&random, sizes: [32])
        #expect(next == Self.referenceStream(personalization: Self.personalization, sizes: [32]))
    }

    static func passThrough(_ random: consuming Random) -> Random { random }

    struct Holder: ~Copyable {
        var padding: (UInt64, UInt64, UInt64) = (1, 2, 3)
        var random: Random
    }

    /// Mbed TLS 2.28's AES context points into itself; the wrapper re-points it after a
    /// move. Moved values must keep producing the reference stream.
    @Test func movedRandomKeepsTheStream() throws {
        let sizes = [16, 32, 1100, 48, 64, 20]
        let expected = Self.referenceStream(personalization: Self.personalization, sizes: sizes)
        var random = try makeTestRandom(Self.personalization)
        var got: [[UInt8]] = []
        got.append(try filled(sizes[0]) { (o) throws(TLSError) in try random.fill(&o) })
        let moved = consume random
        var movedVar = moved
        got.append(try filled(sizes[1]) { (o) throws(TLSError) in try movedVar.fill(&o) })
        var returned = Self.passThrough(movedVar)
        got.append(try filled(sizes[2]) { (o) throws(TLSError) in try returned.fill(&o) })
        var holder = Holder(random: returned)
        got.append(try filled(sizes[3]) { (o) throws(TLSError) in try holder.random.fill(&o) })
        var optional: Random? = Self.passThrough(holder.random)
        var unwrapped = optional.take()!
        got.append(try filled(sizes[4]) { (o) throws(TLSError) in try unwrapped.fill(&o) })
        var last = { (r: consuming Random) -> Random in r }(unwrapped)
        got.append(try filled(sizes[5]) { (o) throws(TLSError) in try last.fill(&o) })
        for i in sizes.indices {
            #expect(got[i] == expected[i], "after move \(i)")
        }
        last.wipe()
    }
}
