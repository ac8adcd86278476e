/// The TLS 1.2 record layer's input half (RecordInput with a CipherState, internal types)
/// with fixed keys, so that encrypted content is reached and not only the header. The
/// input describes a server's record stream; the harness seals the records itself under the
/// same key the reader opens with, so the fuzzer controls plaintexts, not just ciphertexts
/// whose tags never verify.
///
/// Input: a config byte (bits 0-2 the AEAD: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305,
/// AES-128-CCM, AES-128-CCM-8, 5-7 none; bit 3 version locked to 3,3; bits 4-5 the fragment
/// limit 16384/512/1024/4096; bit 6 a region too small for a full record), a transport
/// chunk size, a read chunk size, then records, each `kind, uint16 length, bytes`. kind
/// bits 0-1 the content type (20 + n); bit 2 raw (the bytes go on the wire as they are,
/// header included); bit 3 a bit flipped in the sealed fragment; bit 4 record version 3,1;
/// bit 5 a header length one too large. Records up to and including the first
/// ChangeCipherSpec go in the clear, later ones sealed; the reader switches keys on that
/// ChangeCipherSpec as the engine does.
///
/// Properties: while every record so far is well-formed, each comes out of `nextRecord`
/// with its type and exactly the bytes sent, however the stream is cut into chunks and
/// however slowly the plaintext is drained, and the whole stream is read; every range the
/// reader returns lies inside the region; a damaged or oversized record ends in an error.
@_cdecl("fuzz_record")
public func fuzz_record(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data, size) { FuzzRecord.run($0) }
}

enum FuzzRecord {
    static let algorithms: [AEADAlgorithm] = [.aes128GCM, .aes256GCM, .chacha20Poly1305, .aes128CCM, .aes128CCM8]
    static let limits = [16384, 512, 1024, 4096]
    /// Fixed key material: the first keyLength / fixedIVLength bytes are used.
    static let key: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
    static let iv: [UInt8] = (0..<12).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }

    /// One record as the reader must deliver it, if the stream is clean up to it.
    struct Expected {
        var type: UInt8
        var plaintext: [UInt8]
        /// Sealed as sent, within the limits: the reader must accept it.
        var clean: Bool
    }

    static func run(_ bytes: Span<UInt8>) {
        var input = FuzzInput(bytes)
        let config = input.byte()
        let algorithm: AEADAlgorithm? = Int(config & 7) < algorithms.count ? algorithms[Int(config & 7)] : nil
        let versionLocked = config & 8 != 0
        let limit = limits[Int(config >> 4 & 3)]
        let fullRegion = 5 &+ limit &+ 24
        let regionSize = config & 0x40 != 0 ? 5 &+ limit / 2 : fullRegion
        let chunk = max(1, Int(input.byte()) &* 37)
        let readChunk = max(1, Int(input.byte()))

        // The sender: the stream and what the reader must make of it.
        var stream: [UInt8] = []
        var expected: [Expected] = []
        var writer: CipherState? = nil
        var sawChangeCipherSpec = false
        while !input.isAtEnd, expected.count < 64 {
            let kind = input.byte()
            let payload = input.take(input.u16())
            let type = 20 &+ (kind & 3)
            if kind & 4 != 0 {
                for i in 0..<payload.count { stream.append(payload[i]) }
                expected.append(Expected(type: 0, plaintext: [], clean: false))
                // Whatever this was, later records are judged unclean: stop sealing too.
                break
            }
            var record: [UInt8] = [type, 3, kind & 0x10 != 0 ? 1 : 3, 0, 0]
            var clean = kind & 0x38 == 0 && payload.count <= limit
            if !versionLocked && kind & 0x10 != 0 { clean = kind & 0x28 == 0 && payload.count <= limit }
            var plaintext = [UInt8](repeating: 0, count: payload.count)
            for i in 0..<payload.count { plaintext[i] = payload[i] }
            if var state = writer.take() {
                let explicit = state.explicitNonceLength
                record += [UInt8](repeating: 0, count: explicit) + plaintext + [UInt8](repeating: 0, count: state.tagLength)
                do throws(TLSError) {
                    var span = record.mutableSpan
                    _ = try state.seal(record: &span, plaintextCount: plaintext.count)
                } catch {
                    fuzzFail("sealing a record under a fixed key works", file: #fileID, line: #line)
                }
                writer = consume state
                if kind & 8 != 0 { record[5 &+ (payload.count &* 7) % (record.count &- 5)] ^= 0x10 }
            } else {
                record += plaintext
                let count = plaintext.count
                record[3] = UInt8(truncatingIfNeeded: count >> 8)
                record[4] = UInt8(truncatingIfNeeded: count)
                if kind & 8 != 0 { clean = kind & 0x30 == 0 && payload.count <= limit }  // nothing to damage
            }
            if kind & 0x20 != 0 {
                let length = (Int(record[3]) << 8 | Int(record[4])) &+ 1
                record[3] = UInt8(truncatingIfNeeded: length >> 8)
                record[4] = UInt8(truncatingIfNeeded: length)
            }
            if record.count > regionSize { clean = false }
            stream += record
            expected.append(Expected(type: type, plaintext: plaintext, clean: clean))
            if !clean { break }
            if type == 20, !sawChangeCipherSpec, let algorithm {
                sawChangeCipherSpec = true
                writer = makeState(algorithm)
            }
        }

        // The reader, fed in chunks through the engine's own calls.
        // The engine keeps its regions as buffers: one of exactly the size, so that the
        // address sanitizer sees a read past it.
        let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: regionSize)
        region.initialize(repeating: 0)
        defer { region.deallocate() }
        var reader = RecordInput(region: region)
        reader.versionLocked = versionLocked
        reader.maxFragment = limit
        var next = 0
        var fed = 0
        var activated = false
        var held: [UInt8] = []
        var failed = false
        var rounds = 0
        while !failed, rounds < 100_000 {
            rounds &+= 1
            var progress = false
            if !reader.hasPlaintext, fed < stream.count {
                var room = reader.room()
                let n = min(room.count, chunk, stream.count &- fed)
                for i in 0..<n { room[i] = stream[fed &+ i] }
                reader.didReceive(n)
                fed &+= n
                progress = n > 0
            }
            while !reader.hasPlaintext {
                let record: (type: UInt8, start: Int, count: Int)?
                do throws(TLSError) {
                    record = try reader.nextRecord()
                } catch {
                    fuzzRequire(next >= expected.count || !expected[next].clean, "a clean record is accepted")
                    failed = true
                    break
                }
                guard let record else { break }
                progress = true
                fuzzRequire(record.start >= 0 && record.count >= 0 && record.start &+ record.count <= regionSize,
                            "a record lies inside the region")
                fuzzRequire(record.count <= limit, "no fragment above the limit")
                let body = copy(reader.bytes(start: record.start, count: record.count))
                if next < expected.count, expected[next].clean {
                    let e = expected[next]
                    fuzzRequire(record.type == e.type, "the record's type is the one sent")
                    fuzzRequire(body == e.plaintext, "the plaintext is the one sent")
                }
                next &+= 1
                if record.type == 20, !activated, let algorithm {
                    activated = true
                    reader.activate(.tls12(makeState(algorithm)))
                }
                if record.type == 23, record.count > 0 {
                    held = body
                    reader.holdPlaintext(start: record.start, count: record.count)
                }
            }
            if reader.hasPlaintext {
                // Drain slowly: what comes out is what was held.
                var out = [UInt8](repeating: 0, count: readChunk)
                var span = out.mutableSpan
                let n = reader.readPlaintext(into: &span)
                fuzzRequire(n > 0 && n <= held.count, "waiting plaintext comes out")
                for i in 0..<n where out[i] != held[i] {
                    fuzzFail("read plaintext is the record's", file: #fileID, line: #line)
                }
                held.removeFirst(n)
                fuzzRequire(reader.hasPlaintext == !held.isEmpty, "plaintext waits until all is read")
                progress = true
            }
            if !progress { break }
        }
        if !failed, expected.allSatisfy(\.clean) {
            fuzzRequire(next == expected.count, "a clean stream is read whole")
        }
    }

    static func copy(_ span: Span<UInt8>) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: span.count)
        for i in 0..<span.count { bytes[i] = span[i] }
        return bytes
    }

    static func makeState(_ algorithm: AEADAlgorithm) -> CipherState {
        do throws(TLSError) {
            return try CipherState(
                algorithm, key: key.span.extracting(0..<algorithm.keyLength),
                iv: iv.span.extracting(0..<CipherState.fixedIVLength(algorithm)))
        } catch {
            fuzzFail("a fixed key makes a cipher state", file: #fileID, line: #line)
        }
    }
}
