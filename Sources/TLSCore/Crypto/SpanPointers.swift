// Mbed TLS takes (pointer, length) pairs. An empty Swift span has no base address, and
// several Mbed TLS functions reject a NULL pointer even with a zero length, so empty spans
// are handed over as a pointer to a zero byte.

extension Span where Element == UInt8 {
    @inline(__always)
    func withPointer<R, E: Error>(_ body: (UnsafePointer<UInt8>, Int) throws(E) -> R) throws(E) -> R {
        try withUnsafeBufferPointer { (buffer) throws(E) -> R in
            if let base = buffer.baseAddress { return try body(base, buffer.count) }
            var zero: UInt8 = 0
            return try withUnsafePointer(to: &zero) { (pointer) throws(E) -> R in try body(pointer, 0) }
        }
    }
}

extension MutableSpan where Element == UInt8 {
    @inline(__always)
    mutating func withPointer<R, E: Error>(_ body: (UnsafeMutablePointer<UInt8>, Int) throws(E) -> R) throws(E) -> R {
        try withUnsafeMutableBufferPointer { (buffer) throws(E) -> R in
            if let base = buffer.baseAddress { return try body(base, buffer.count) }
            var zero: UInt8 = 0
            return try withUnsafeMutablePointer(to: &zero) { (pointer) throws(E) -> R in try body(pointer, 0) }
        }
    }
}

extension StaticString {
    @inline(__always)
    func withPointer<R, E: Error>(_ body: (UnsafePointer<UInt8>, Int) throws(E) -> R) throws(E) -> R {
        try body(utf8Start, utf8CodeUnitCount)
    }
}
