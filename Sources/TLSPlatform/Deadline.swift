import TLSCore

/// A point on the monotonic clock after which a wait gives up: every transport wait in
/// TLSPlatform polls against one, so a timeout covers retries after EINTR/EAGAIN too.
struct Deadline {
    let milliseconds: Int64

    init(_ timeoutMilliseconds: Int) {
        milliseconds = Clock.monotonicMilliseconds() + Int64(widening: timeoutMilliseconds > 0 ? timeoutMilliseconds : 0)
    }

    /// What is left, as poll's timeout argument: 0 once the deadline has passed.
    func remainingMilliseconds() -> Int32 {
        let left = milliseconds - Clock.monotonicMilliseconds()
        if left <= 0 { return 0 }
        if left >= 0x7fff_ffff { return Int32.max }
        return Int32(truncatingIfNeeded: left)
    }
}
