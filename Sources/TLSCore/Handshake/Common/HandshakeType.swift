/// Handshake message types of TLS 1.2 and 1.3 (RFC 5246 §7.4, RFC 8446 §4).
public enum HandshakeType: UInt8, Sendable {
    case helloRequest = 0
    case clientHello = 1
    case serverHello = 2
    case newSessionTicket = 4
    case encryptedExtensions = 8
    case certificate = 11
    case serverKeyExchange = 12
    case certificateRequest = 13
    case serverHelloDone = 14
    case certificateVerify = 15
    case clientKeyExchange = 16
    case finished = 20
    case keyUpdate = 24
}
