/// TLS extension code points (IANA "TLS ExtensionType Values") that this core writes or reads.
enum ExtensionType: UInt16 {
    /// RFC 6066 §3.
    case serverName = 0
    /// RFC 6066 §4.
    case maxFragmentLength = 1
    /// RFC 8422 §5.1.1 (named "elliptic_curves" there), RFC 8446 §4.2.7.
    case supportedGroups = 10
    /// RFC 8422 §5.1.2.
    case ecPointFormats = 11
    /// RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3.
    case signatureAlgorithms = 13
    /// RFC 7301 §3.1.
    case applicationLayerProtocolNegotiation = 16
    /// RFC 7627 §5.1.
    case extendedMasterSecret = 23
    /// RFC 8449 §4.
    case recordSizeLimit = 28
    /// RFC 5077 §3.2.
    case sessionTicket = 35
    /// RFC 8446 §4.2.11.
    case preSharedKey = 41
    /// RFC 8446 §4.2.10.
    case earlyData = 42
    /// RFC 8446 §4.2.1.
    case supportedVersions = 43
    /// RFC 8446 §4.2.2.
    case cookie = 44
    /// RFC 8446 §4.2.9.
    case pskKeyExchangeModes = 45
    /// RFC 8446 §4.2.4.
    case certificateAuthorities = 47
    /// RFC 8446 §4.2.6.
    case postHandshakeAuth = 49
    /// RFC 8446 §4.2.3.
    case signatureAlgorithmsCert = 50
    /// RFC 8446 §4.2.8.
    case keyShare = 51
    /// RFC 5746 §3.2.
    case renegotiationInfo = 0xFF01
}
