import Foundation
import Testing
import TLSCore

/// README's "Memory per profile" table, recomputed from the configurations it describes:
/// each row's regions and the engine state must be the figures printed there, so the table
/// cannot drift from the code (the arena column is measured on the boards by test-boards.sh).
@Suite struct MemoryTableTests {
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text += " " }
            text.append(digit)
        }
        return text
    }

    /// "| profile | input | output | reassembly | engine | total |" as README prints it.
    static func row(_ profile: String, _ versions: TLSVersions, limit: Int? = nil, fragment: MaxFragmentLength? = nil) -> String {
        let name = Array("localhost".utf8)
        let configuration = ClientConfiguration(
            serverName: name.span, serverAddress: Span(), trustAnchors: Span(), crls: Span(), time: 0, versions: versions,
            recordSizeLimit: limit, maxFragmentLength: fragment)
        let engine = MemoryLayout<Engine<Client>>.size
        let cells = [configuration.inputRegionSize, configuration.outputRegionSize, configuration.reassemblyRegionSize, engine]
        let total = cells.reduce(0, +)
        return "| \(profile) | " + cells.map(grouped).joined(separator: " | ") + " | \(grouped(total)) bytes |"
    }

    @Test func readmeTableMatchesTheConfigurations() throws {
        let readme = try String(
            contentsOf: Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md"),
            encoding: .utf8)
        let rows = [
            Self.row("TLS 1.3 and 1.2 offered, 16 KB records (default)", .all),
            Self.row("TLS 1.3 only, record_size_limit 1024 (GnuTLS)", .tls13, limit: 1024),
            Self.row("TLS 1.2 only, 16 KB records", .tls12),
            Self.row("TLS 1.2 only, max_fragment_length 1024", .tls12, fragment: .bytes1024),
            Self.row("TLS 1.2 only, max_fragment_length 512", .tls12, fragment: .bytes512),
        ]
        for row in rows {
            #expect(readme.contains(row), "README lacks the row:\n\(row)")
        }
    }
}
