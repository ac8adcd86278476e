import ArgumentParser

struct SelfCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selfcheck",
        abstract: "Runs a real key exchange and an AEAD round trip through the core."
    )

    func run() throws {
        print("selfcheck: not yet")
    }
}
