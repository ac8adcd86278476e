import ArgumentParser
import Foundation

@main
struct HostSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostsim",
        abstract: "Runs the TLS core on a Linux host: self-check, verification, connections.",
        subcommands: [Connect.self, Serve.self, Verify.self, SelfCheck.self, Demo.self, UART.self, UARTServe.self, GatewayCommand.self]
    )

    /// Exit statuses are part of the interface: 0 success, 1 a TLS or validation failure,
    /// 2 a usage error or an unreadable file (ArgumentParser's own default would be 64).
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // Parse errors and --help: ArgumentParser's message for the right subcommand.
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(2)
        }
        do {
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data("hostsim: \(error.message)\n".utf8))
            Foundation.exit(2)
        } catch {
            // --help on a subcommand arrives here too, as do errors thrown by run().
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data("hostsim: \(message)\n".utf8))
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}
