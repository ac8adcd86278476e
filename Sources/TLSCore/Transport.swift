/// A byte stream the blocking `Connection` driver runs the engine over: a TCP socket, a
/// tty/UART, or a board's own serial driver. Every call takes the caller's timeout.
public protocol Transport: ~Copyable {
    /// Sends some of `bytes` and returns how many were taken (at least 1), waiting at most
    /// `timeoutMilliseconds` for room. Throws `timeout`, `connectionClosed` or `transport`.
    mutating func send(_ bytes: Span<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int

    /// Receives into the front of `buffer` and returns how many bytes arrived (at least 1),
    /// or 0 at end of stream, waiting at most `timeoutMilliseconds`. Throws `timeout` or
    /// `transport`.
    mutating func receive(into buffer: inout MutableSpan<UInt8>, timeoutMilliseconds: Int) throws(TLSError) -> Int
}
