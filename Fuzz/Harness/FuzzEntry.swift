// The harness every target in Fuzz/Targets shares. A target is one file with one entry
//
//     @_cdecl("fuzz_NAME") public func fuzz_NAME(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
//         fuzzEntry(data, size) { FuzzNAME.run($0) }
//     }
//
// where NAME is the file's name: scripts/fuzz-build.sh links one libFuzzer binary per file
// with LLVMFuzzerTestOneInput bound to fuzz_NAME, and the replay binary of `make test` calls
// the same function on every committed input. The core's sources are compiled into the same
// module as the harness (module TLSCore), so targets reach internal types (RecordInput,
// CipherState, the handshake codecs) as the core itself does: no @testable, no public
// widening of the core for the fuzzer's sake.

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's bytes as a span, handed to `body`; always returns 0 (libFuzzer reserves other
/// values). A failed property ends the process through `fuzzRequire`, which libFuzzer
/// reports as a crash and keeps the input of.
@inline(__always)
public func fuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: (Span<UInt8>) -> Void) -> Int32 {
    let buffer = UnsafeBufferPointer(start: size > 0 ? data : nil, count: size > 0 ? size : 0)
    body(buffer.span)
    return 0
}

/// A property every input must keep. On violation: one line naming it and where, then
/// abort(), which libFuzzer and the replay binary both report as a crash of this input.
@inline(__always)
func fuzzRequire(_ condition: Bool, _ property: StaticString, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fuzzFail(property, file: file, line: line) }
}

@inline(never)
func fuzzFail(_ property: StaticString, file: StaticString, line: UInt) -> Never {
    // stderr: libFuzzer runs with -close_fd_mask=1, and its report goes there too.
    fputs("fuzz property failed: \(property) (\(file):\(line))\n", stderr)
    abort()
}

/// Whether `inner` lies within `outer` in memory: every span a parser hands out must be a
/// piece of the bytes it was given (an empty span may lie anywhere).
func fuzzLiesWithin(_ inner: Span<UInt8>, _ outer: Span<UInt8>) -> Bool {
    guard inner.count > 0 else { return true }
    return inner.withUnsafeBufferPointer { i in
        outer.withUnsafeBufferPointer { o in
            guard let ib = i.baseAddress, let ob = o.baseAddress else { return false }
            return ib >= ob && ib + i.count <= ob + o.count
        }
    }
}
