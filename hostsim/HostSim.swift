import ArgumentParser

@main
struct HostSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostsim",
        abstract: "Runs the TLS core on a Linux host: self-check, verification, connections.",
        subcommands: [Connect.self, Verify.self, SelfCheck.self, Demo.self, UART.self, GatewayCommand.self]
    )
}
