import Testing
@testable import TLSCore

/// The TLS 1.3 record framing (RFC 8446 §5): under 1.3 read keys only application_data
/// records are opened and the middlebox ChangeCipherSpec passes in the clear (for the
/// machine to judge); a plaintext handshake or alert record, an inner plaintext of padding
/// only, a record past 2^14 + type + tag, and content past the limit are refused.
@Suite struct RecordLayer13Tests {
    static let key = [UInt8](repeating: 0x11, count: 16)
    static let iv = [UInt8](repeating: 0x22, count: 12)

    static func protection() throws -> RecordProtection {
        .tls13(try CipherState(.aes128GCM, key: key.span, iv: iv.span))
    }

    /// `content` sealed as one record whose true type is `type` (sequence 0, no padding).
    static func sealed(_ type: UInt8, _ content: [UInt8]) throws -> [UInt8] {
        var writer = try protection()
        var buffer = [type, 3, 3, 0, 0] + content + [UInt8](repeating: 0, count: 17)
        var span = buffer.mutableSpan
        let count = try writer.seal(record: &span, plaintextCount: content.count)
        return Array(buffer[0..<(5 + count)])
    }

    static func feed(_ bytes: [UInt8], protection: consuming RecordProtection, maxFragment: Int = 16384) throws(TLSError) -> (UInt8, Int)? {
        let region = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 20_000)
        defer { region.deallocate() }
        var input = RecordInput(region: region)
        input.maxFragment = maxFragment
        input.activate(protection)
        var room = input.room()
        for i in 0..<bytes.count { room[i] = bytes[i] }
        input.didReceive(bytes.count)
        guard let record = try input.nextRecord() else { return nil }
        return (record.type, record.count)
    }

    /// Padding (RFC 8446 §5.4): the inner plaintext is rounded up to the block, within the
    /// room and the inner limit given; the reader strips it and finds the type.
    @Test(arguments: [(3, 64, 16385, 64), (63, 64, 16385, 64), (64, 64, 16385, 128), (100, 512, 300, 300)])
    func paddedRecords(content: Int, block: Int, innerLimit: Int, inner: Int) throws {
        var state = try CipherState(.aes128GCM, key: Self.key.span, iv: Self.iv.span)
        state.paddingBlock = UInt16(block)
        var writer = RecordProtection.tls13(state)
        let body = [UInt8](repeating: 9, count: content)
        var buffer = [23, 3, 3, 0, 0] + body + [UInt8](repeating: 0xEE, count: 1 + 16 + block - 1)
        var span = buffer.mutableSpan
        let sealed = try writer.seal(record: &span, plaintextCount: content, innerLimit: innerLimit)
        #expect(sealed == inner + 16)
        let record = Array(buffer[0..<(5 + sealed)])
        #expect(Int(record[3]) << 8 | Int(record[4]) == sealed)
        let opened = try Self.feed(record, protection: try Self.protection())
        #expect(opened?.0 == 23 && opened?.1 == content)
    }

    @Test func handshakeInsideApplicationData() throws {
        let record = try Self.sealed(22, [20, 0, 0, 0])
        #expect(record[0] == 23 && record.count == 5 + 4 + 1 + 16)
        let opened = try Self.feed(record, protection: try Self.protection())
        #expect(opened?.0 == 22 && opened?.1 == 4)
    }

    @Test func plaintextRecordsUnderKeys() throws {
        // The compatibility ChangeCipherSpec passes through, unopened.
        #expect(try Self.feed([20, 3, 3, 0, 1, 1], protection: try Self.protection())?.0 == 20)
        #expect(throws: TLSError.unexpectedMessage) { _ = try Self.feed([22, 3, 3, 0, 4, 20, 0, 0, 0], protection: try Self.protection()) }
        #expect(throws: TLSError.unexpectedMessage) { _ = try Self.feed([21, 3, 3, 0, 2, 2, 40], protection: try Self.protection()) }
    }

    @Test func innerPlaintextOfZerosOnly() throws {
        // Sealing zero bytes of content with a zero "type": all padding, no type.
        let record = try Self.sealed(0, [])
        #expect(throws: TLSError.unexpectedMessage) { _ = try Self.feed(record, protection: try Self.protection()) }
    }

    @Test func oversizedRecords() throws {
        // 2^14 content + type + tag is the largest valid record; one byte more is an overflow.
        let full = try Self.sealed(23, [UInt8](repeating: 7, count: 16384))
        #expect(try Self.feed(full, protection: try Self.protection())?.1 == 16384)
        var tooLong = full + [0]
        tooLong[3] = UInt8((tooLong.count - 5) >> 8)
        tooLong[4] = UInt8((tooLong.count - 5) & 0xFF)
        #expect(throws: TLSError.recordOverflow) { _ = try Self.feed(tooLong, protection: try Self.protection()) }
        // A tampered tag.
        var tampered = try Self.sealed(23, [1, 2, 3])
        tampered[tampered.count - 1] ^= 1
        #expect(throws: TLSError.badRecordMAC) { _ = try Self.feed(tampered, protection: try Self.protection()) }
        // A negotiated smaller limit (record_size_limit / max_fragment_length) binds content.
        let large = try Self.sealed(23, [UInt8](repeating: 7, count: 600))
        #expect(throws: TLSError.recordOverflow) { _ = try Self.feed(large, protection: try Self.protection(), maxFragment: 512) }
    }
}
