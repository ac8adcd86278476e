// The core's hot paths with wall clock, CPU and malloc counts (package-benchmark's
// interposer counts every malloc in the process, Mbed TLS's included):
// - record protection: AEAD.seal and AEAD.open of one record, per AEAD, at 16 KB and 512 B;
// - chain validation: PathValidator over server-ec ← int-ec ← root-ec (Tests/Fixtures/pki);
// - transcript hashing: Digest.update of one handshake message plus currentDigest.
// Set-up (keys, buffers, fixtures) happens before startMeasurement, so the counts are of
// the operation alone.
import Benchmark
import Foundation
import TLSCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        maxDuration: .seconds(1),
        maxIterations: 10_000
    )

    let nonce = [UInt8](repeating: 0x5a, count: 12)
    let aad = [UInt8](repeating: 0x17, count: 13)
    let algorithms: [(String, AEADAlgorithm)] = [
        ("AES-128-GCM", .aes128GCM), ("AES-256-GCM", .aes256GCM), ("ChaCha20-Poly1305", .chacha20Poly1305),
        ("AES-128-CCM", .aes128CCM), ("AES-128-CCM-8", .aes128CCM8),
    ]
    for (name, algorithm) in algorithms {
        let key = [UInt8](repeating: 0x42, count: algorithm.keyLength)
        for (label, size) in [("16 KB", 16384), ("512 B", 512)] {
            Benchmark("AEAD.seal \(name) \(label)") { benchmark in
                var aead = try! AEAD(algorithm, key: key.span)
                var buffer = [UInt8](repeating: 0x61, count: size + algorithm.tagLength)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    var span = buffer.mutableSpan
                    blackHole(try! aead.seal(nonce: nonce.span, aad: aad.span, buffer: &span, plaintextCount: size))
                }
                benchmark.stopMeasurement()
            }
            Benchmark("AEAD.open \(name) \(label)") { benchmark in
                var aead = try! AEAD(algorithm, key: key.span)
                var sealed = [UInt8](repeating: 0x61, count: size + algorithm.tagLength)
                do {
                    var span = sealed.mutableSpan
                    _ = try! aead.seal(nonce: nonce.span, aad: aad.span, buffer: &span, plaintextCount: size)
                }
                var buffer = sealed
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    // open decrypts in place: restore the record first (a memcpy; small
                    // beside the cipher).
                    buffer.withUnsafeMutableBytes { target in
                        sealed.withUnsafeBytes { source in target.copyMemory(from: source) }
                    }
                    var span = buffer.mutableSpan
                    blackHole(try! aead.open(nonce: nonce.span, aad: aad.span, buffer: &span))
                }
                benchmark.stopMeasurement()
            }
        }
    }

    // Tests/Fixtures/pki, from this file's place in the repository.
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    func fixture(_ name: String) -> [UInt8] {
        let url = root.appendingPathComponent("Tests/Fixtures/pki/\(name)")
        guard let data = try? Data(contentsOf: url) else { fatalError("cannot read \(url.path)") }
        return Array(data)
    }
    var chain: [UInt8] = []
    for der in [fixture("server-ec.der"), fixture("int-ec.der")] {
        chain += [UInt8(truncatingIfNeeded: der.count >> 16), UInt8(truncatingIfNeeded: der.count >> 8),
                  UInt8(truncatingIfNeeded: der.count)]
        chain += der
    }
    let anchor = fixture("root-ec.der")
    let hostName = Array("localhost".utf8)
    let noCRLs: [UInt8] = []
    Benchmark("PathValidator server-ec ← int-ec ← root-ec") { benchmark in
        for _ in benchmark.scaledIterations {
            let policy = ValidationPolicy(time: 1_893_456_000, identity: .dnsName(hostName.span))
            let certificates = try! CertificateChain(chain.span, framing: .tls12)
            blackHole(try! PathValidator.validate(
                chain: certificates, trustAnchors: anchor.span, crls: noCRLs.span, policy: policy).pathLength)
        }
    }

    let message = [UInt8](repeating: 0x0b, count: 1024)
    for (name, hash) in [("SHA-256", HashAlgorithm.sha256), ("SHA-384", HashAlgorithm.sha384)] {
        Benchmark("Transcript \(name) update 1 KB + currentDigest") { benchmark in
            var digest = Digest(hash)
            var output = [UInt8](repeating: 0, count: 64)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                digest.update(message.span)
                var span = output.mutableSpan
                blackHole(try! digest.currentDigest(into: &span))
            }
            benchmark.stopMeasurement()
        }
    }
}
