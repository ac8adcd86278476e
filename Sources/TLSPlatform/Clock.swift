import CPOSIX
import TLSCore

/// Monotonic milliseconds for timeouts, and wall-clock seconds for certificate validity.
public enum Clock {
    public static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(widening: now.tv_sec) * 1000 + Int64(widening: now.tv_nsec / 1_000_000)
    }

    public static func unixSeconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(widening: now.tv_sec)
    }
}
