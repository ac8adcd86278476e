import ArgumentParser
import Foundation
import TLSCore
import TLSPlatform

/// `hostsim connect`: one TLS 1.2 exchange with a server over TCP through the core.
struct Connect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Handshakes with HOST:PORT, sends a request, prints the response, closes with close_notify.",
        discussion: "Exit status: 0 success, 1 TLS failure (the reason names the alert), 2 usage errors."
    )

    @Argument(help: "The server, HOST:PORT.") var server: String
    @OptionGroup var options: ClientOptions

    func run() throws {
        let (host, port) = try ClientOptions.split(server)
        let setup = try options.load(host: host)
        let result = setup.withConfiguration { configuration in
            Result { () throws(TLSError) -> ClientSession.Outcome in
                let transport = try TCPTransport(
                    host: Array(host.utf8).span, port: port, timeoutMilliseconds: options.timeoutMilliseconds)
                return try ClientSession.run(
                    configuration: configuration, transport: transport, options: options)
            }
        }
        try ClientSession.report(result, options: options)
    }
}
