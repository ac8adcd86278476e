import Foundation

/// PEM armour (RFC 7468) for the host tools: every block with a given label, decoded.
enum PEM {
    /// The DER of each `-----BEGIN <label>-----` block in `text`, in order.
    static func blocks(_ text: String, label: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        var rest = Substring(text)
        while let start = rest.range(of: begin) {
            guard let stop = rest[start.upperBound...].range(of: end) else { break }
            let body = rest[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
            if let data = Data(base64Encoded: String(body)) { result.append([UInt8](data)) }
            rest = rest[stop.upperBound...]
        }
        return result
    }

    /// The DER objects in a file that is PEM with `label` blocks, or raw DER.
    static func objects(in data: Data, label: String) -> [[UInt8]] {
        if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN ") {
            return blocks(text, label: label)
        }
        return data.isEmpty ? [] : [[UInt8](data)]
    }

    /// The first private key in a key file: PEM (PKCS#8, SEC1 or PKCS#1 blocks) or raw DER;
    /// empty when there is none.
    static func privateKey(in data: Data) -> [UInt8] {
        ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]
            .lazy.compactMap { objects(in: data, label: $0).first }.first ?? []
    }

    /// A TLS 1.2 certificate_list body: each certificate as uint24 length + DER.
    static func tlsCertificateList(_ certificates: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for der in certificates {
            out += [UInt8(truncatingIfNeeded: der.count >> 16), UInt8(truncatingIfNeeded: der.count >> 8),
                    UInt8(truncatingIfNeeded: der.count)]
            out += der
        }
        return out
    }
}
