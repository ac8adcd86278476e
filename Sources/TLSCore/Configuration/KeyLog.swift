/// Where an engine hands its secrets as it derives them, for Wireshark and `tshark`: the
/// NSS key log format's lines, one per label (what OpenSSL's `-keylogfile` and Mbed TLS's
/// export-keys callback give). A C function and its context, so that the core stores no
/// closure and a board's C code can be the sink; nil (the default) logs nothing.
public struct KeyLog {
    /// Called with the label, the client random (32 bytes) and the secret.
    public typealias Function = @convention(c) (
        _ context: UnsafeMutableRawPointer?, _ label: UInt8, _ clientRandom: UnsafePointer<UInt8>?,
        _ secret: UnsafePointer<UInt8>?, _ secretCount: Int
    ) -> Void

    public let function: Function
    public let context: UnsafeMutableRawPointer?

    public init(function: Function, context: UnsafeMutableRawPointer?) {
        self.function = function
        self.context = context
    }

    /// The NSS key log labels (TLS 1.2's master secret, TLS 1.3's traffic secrets).
    public enum Label: UInt8, Sendable {
        case clientRandom = 0
        case clientHandshakeTrafficSecret = 1
        case serverHandshakeTrafficSecret = 2
        case clientTrafficSecret0 = 3
        case serverTrafficSecret0 = 4
        case exporterSecret = 5

        public var name: StaticString {
            switch self {
            case .clientRandom: "CLIENT_RANDOM"
            case .clientHandshakeTrafficSecret: "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
            case .serverHandshakeTrafficSecret: "SERVER_HANDSHAKE_TRAFFIC_SECRET"
            case .clientTrafficSecret0: "CLIENT_TRAFFIC_SECRET_0"
            case .serverTrafficSecret0: "SERVER_TRAFFIC_SECRET_0"
            case .exporterSecret: "EXPORTER_SECRET"
            }
        }
    }

    func log(_ label: Label, clientRandom: Span<UInt8>, secret: Span<UInt8>) {
        guard clientRandom.count == 32 else { return }
        clientRandom.withUnsafeBufferPointer { random in
            secret.withUnsafeBufferPointer { secret in
                function(context, label.rawValue, random.baseAddress, secret.baseAddress, secret.count)
            }
        }
    }
}
