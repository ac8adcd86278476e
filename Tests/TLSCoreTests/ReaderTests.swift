import Testing
import TLSCore

@Suite struct ReaderTests {
    @Test func readsIntegersAndVectors() throws {
        let bytes: [UInt8] = [0x01, 0x02, 0x03, 0x00, 0x02, 0xAA, 0xBB, 0x07]
        var reader = Reader(bytes.span)
        #expect(try reader.u8() == 1)
        #expect(try reader.u16() == 0x0203)
        let vector = try reader.vector(lengthBytes: 2)
        #expect(vector.count == 2 && vector[0] == 0xAA && vector[1] == 0xBB)
        #expect(throws: TLSError.trailingBytes) { try reader.expectEnd() }
        #expect(try reader.u8() == 7)
        try reader.expectEnd()
        #expect(throws: TLSError.truncated) { try reader.u8() }
    }

    @Test func refusesVectorLongerThanInput() {
        let bytes: [UInt8] = [0x00, 0x05, 0x01, 0x02]
        var reader = Reader(bytes.span)
        #expect(throws: TLSError.truncated) { _ = try reader.vector(lengthBytes: 2) }
    }

    @Test func writerReportsNeededCapacity() throws {
        var storage = [UInt8](repeating: 0, count: 4)
        do {
            var writer = Writer(storage.mutableSpan)
            let mark = try writer.beginVector(lengthBytes: 2)
            try writer.u8(9)
            try writer.endVector(mark)
            #expect(writer.count == 3)
            #expect(throws: TLSError.bufferTooSmall(needed: 5, capacity: 4)) { try writer.u16(1) }
        }
        #expect(storage[0...2] == [0, 1, 9])
    }
}
