/// X.509 times (RFC 5280 §4.1.2.5) as seconds since the Unix epoch, in `Int64` from the
/// first digit on so that 32-bit targets neither overflow nor widen through a generic
/// conversion. Only the two forms RFC 5280 allows are accepted: UTCTime YYMMDDHHMMSSZ and
/// GeneralizedTime YYYYMMDDHHMMSSZ — always in Zulu, seconds present, no fractions.
public enum Time {
    /// 2050-01-01T00:00:00Z, where UTCTime ends (RFC 5280 §4.1.2.5).
    public static let year2050: Int64 = 2_524_608_000

    /// Parses the contents of a UTCTime (tag 0x17) or GeneralizedTime (tag 0x18).
    public static func seconds(tag: UInt8, _ bytes: Span<UInt8>) throws(TLSError) -> Int64 {
        var year: Int64
        var at: Int
        switch tag {
        case DER.utcTime:
            guard bytes.count == 13 else { throw .malformed }
            let yy = try digits(bytes, 0, 2)
            // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, below 50 is 20YY.
            year = yy >= 50 ? 1900 &+ yy : 2000 &+ yy
            at = 2
        case DER.generalizedTime:
            guard bytes.count == 15 else { throw .malformed }
            year = try digits(bytes, 0, 4)
            at = 4
        default:
            throw .malformed
        }
        guard bytes[bytes.count &- 1] == 0x5A else { throw .malformed }  // "Z"
        let month = try digits(bytes, at, 2)
        let day = try digits(bytes, at &+ 2, 2)
        let hour = try digits(bytes, at &+ 4, 2)
        let minute = try digits(bytes, at &+ 6, 2)
        let second = try digits(bytes, at &+ 8, 2)
        guard month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59 else { throw .malformed }
        return daysSinceEpoch(year: year, month: month, day: day) &* 86_400
            &+ hour &* 3600 &+ minute &* 60 &+ second
    }

    static func digits(_ bytes: Span<UInt8>, _ start: Int, _ count: Int) throws(TLSError) -> Int64 {
        var value: Int64 = 0
        for i in start..<(start &+ count) {
            let c = bytes[i]
            guard c >= 0x30, c <= 0x39 else { throw .malformed }
            value = value &* 10 &+ Int64(widening: Int(c &- 0x30))
        }
        return value
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil).
    public static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year &- 1 : year
        let era = (y >= 0 ? y : y &- 399) / 400
        let yoe = y &- era &* 400
        let mp = (month &+ 9) % 12
        let doy = (153 &* mp &+ 2) / 5 &+ day &- 1
        let doe = yoe &* 365 &+ yoe / 4 &- yoe / 100 &+ doy
        return era &* 146_097 &+ doe &- 719_468
    }
}
