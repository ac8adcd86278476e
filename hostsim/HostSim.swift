import ArgumentParser
import Foundation

@main
struct HostSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostsim",
        abstract: "Runs the TLS core on a Linux host: self-check, verification, connections.",
        subcommands: [Connect.self, Verify.self, SelfCheck.self, Demo.self, UART.self, GatewayCommand.self]
    )

    /// Exit statuses are part of the interface: 0 success, 1 a TLS or validation failure,
    /// 2 a usage error or an unreadable file (ArgumentParser's own default would be 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(code == .failure ? 1 : 2)
        }
    }
}
