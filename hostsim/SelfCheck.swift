import ArgumentParser
import TLSCore
import TLSPlatform

/// The interim main job: a real key exchange and AEAD round trip through the core, the way
/// a TLS 1.2 ECDHE handshake uses them, printed step by step.
struct SelfCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selfcheck",
        abstract: "Runs a real ECDHE key exchange, key derivation and AEAD round trip through the core."
    )

    @Option(help: "Key-exchange group: x25519, secp256r1 or secp384r1.")
    var group: String = "x25519"

    func run() throws {
        guard let namedGroup = ["x25519": NamedGroup.x25519, "secp256r1": .secp256r1, "secp384r1": .secp384r1][group] else {
            throw ValidationError("unknown group \(group)")
        }
        do {
            try exchange(namedGroup)
        } catch {
            print("selfcheck: FAILED: \(error)")
            throw ExitCode(1)
        }
    }

    private func exchange(_ group: NamedGroup) throws(TLSError) {
        var random = try Random(entropy: SystemEntropy.source, personalization: Array("hostsim selfcheck".utf8).span)

        // Two parties, each with an ephemeral key pair.
        var client = try ECDHE(group: group, random: &random)
        var server = try ECDHE(group: group, random: &random)
        var clientPublic = [UInt8](repeating: 0, count: group.publicKeyLength)
        var serverPublic = [UInt8](repeating: 0, count: group.publicKeyLength)
        do {
            var span = clientPublic.mutableSpan
            _ = try client.writePublicKey(into: &span)
        }
        do {
            var span = serverPublic.mutableSpan
            _ = try server.writePublicKey(into: &span)
        }
        print("1. ECDHE \(group): client public \(hex(clientPublic.prefix(8)))… (\(clientPublic.count) bytes)")
        print("   ECDHE \(group): server public \(hex(serverPublic.prefix(8)))… (\(serverPublic.count) bytes)")

        var clientShared = [UInt8](repeating: 0, count: group.sharedSecretLength)
        var serverShared = [UInt8](repeating: 0, count: group.sharedSecretLength)
        do {
            var span = clientShared.mutableSpan
            _ = try client.sharedSecret(peerPublicKey: serverPublic.span, random: &random, into: &span)
        }
        do {
            var span = serverShared.mutableSpan
            _ = try server.sharedSecret(peerPublicKey: clientPublic.span, random: &random, into: &span)
        }
        guard clientShared == serverShared else { throw TLSError.badRecordMAC }
        print("2. shared secret agrees on both sides (\(clientShared.count) bytes)")

        // TLS 1.2 key derivation (RFC 5246 §8.1, §6.3) with fresh randoms.
        var randoms = [UInt8](repeating: 0, count: 64)
        do {
            var span = randoms.mutableSpan
            try random.fill(&span)
        }
        var master = [UInt8](repeating: 0, count: 48)
        do {
            var span = master.mutableSpan
            try PRF.derive(.sha256, secret: clientShared.span, label: "master secret",
                           seed: randoms.span.extracting(0..<32), seed2: randoms.span.extracting(32..<64), into: &span)
        }
        var keyBlock = [UInt8](repeating: 0, count: 40)
        do {
            var span = keyBlock.mutableSpan
            try PRF.derive(.sha256, secret: master.span, label: "key expansion",
                           seed: randoms.span.extracting(32..<64), seed2: randoms.span.extracting(0..<32), into: &span)
        }
        print("3. master secret and key block derived with the TLS 1.2 PRF (SHA-256)")

        // AES-128-GCM record protection, nonce = salt ‖ explicit sequence (RFC 5288 §3).
        let message = Array("GET / HTTP/1.0\r\n\r\n".utf8)
        var record = message + [UInt8](repeating: 0, count: 16)
        var nonce = Array(keyBlock[32..<36]) + [0, 0, 0, 0, 0, 0, 0, 1]
        let aad: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0, UInt8(message.count)]
        var sealer = try AEAD(.aes128GCM, key: keyBlock.span.extracting(0..<16))
        var opener = try AEAD(.aes128GCM, key: keyBlock.span.extracting(0..<16))
        let sealedCount: Int
        do {
            var span = record.mutableSpan
            sealedCount = try sealer.seal(nonce: nonce.span, aad: aad.span, buffer: &span, plaintextCount: message.count)
        }
        print("4. sealed \(message.count) bytes into \(sealedCount) (AES-128-GCM)")
        var opened = record
        let openedCount: Int
        do {
            var span = opened.mutableSpan
            openedCount = try opener.open(nonce: nonce.span, aad: aad.span, buffer: &span)
        }
        guard Array(opened[0..<openedCount]) == message else { throw TLSError.badRecordMAC }
        print("5. opened and matched: \(String(decoding: opened[0..<openedCount], as: UTF8.self).debugDescription)")

        nonce[11] ^= 1
        var tampered = record
        var refused = false
        do throws(TLSError) {
            var span = tampered.mutableSpan
            _ = try opener.open(nonce: nonce.span, aad: aad.span, buffer: &span)
        } catch {
            refused = error == .badRecordMAC
        }
        guard refused else { throw TLSError.malformed }
        print("6. a wrong sequence number is refused: bad_record_mac")
        print("selfcheck: ok")
    }
}

private func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
