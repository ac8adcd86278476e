import ArgumentParser
import Foundation
import TLSCore
import TLSPlatform

/// `hostsim connect`: one TLS 1.2 exchange with a server over TCP through the core.
struct Connect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Handshakes with HOST:PORT, sends a request, prints the response, closes with close_notify.",
        discussion: """
            Exit status: 0 success, 1 TLS failure (the reason names the alert) or a response that \
            ended without close_notify (see --allow-missing-close-notify), 2 usage errors.
            """
    )

    @Argument(help: "The server, HOST:PORT.") var server: String
    @OptionGroup var options: ClientOptions
    @Option(help: "Run the exchange N times, each on a new TCP connection, in the same regions (for benchmarks).")
    var `repeat`: Int = 1
    @Flag(help: "Print no response; print the exchange count and the core's static memory on stderr instead.")
    var quiet = false
    @Option(help: "Bytes of the handshake reassembly region (default: the configuration's suggestion, 1 KB at 16 KB records, 4 KB with --max-fragment); a server that splits a larger message across records needs that message's size.")
    var reassemblySize: Int?

    func run() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if let reassemblySize, reassemblySize < 4 { throw ValidationError("--reassembly-size must be at least 4") }
        let (host, port) = try ClientOptions.split(server)
        let setup = try options.load(host: host)
        let hostBytes = Array(host.utf8)
        var session = setup.loadSession()
        let result = setup.withConfiguration(session: &session) { configuration in
            Result { () throws(TLSError) -> ClientSession.Outcome in
                // Everything the host allocates is made here, once; the runs reuse it
                // (Benchmarks: allocations per handshake are the core's and Mbed TLS's own).
                var regions = ClientSession.Regions(
                    configuration: configuration, request: options.request, reassemblySize: reassemblySize)
                var outcome = ClientSession.Outcome()
                var everyRunClosedByNotify = true
                var resumedRuns = 0
                for index in 0..<`repeat` {
                    let transport = try TCPTransport(
                        host: hostBytes.span, port: port, timeoutMilliseconds: options.timeoutMilliseconds)
                    let run = try ClientSession.run(
                        configuration: configuration, transport: transport, options: options, regions: &regions,
                        keepResponse: index == 0 && !quiet)
                    if index == 0 { outcome = run }  // the response printed is the first one
                    everyRunClosedByNotify = everyRunClosedByNotify && run.closedByNotify
                    resumedRuns += run.resumed == nil ? 0 : 1
                }
                outcome.closedByNotify = everyRunClosedByNotify
                if options.resumes, `repeat` > 1 {
                    print("hostsim: \(resumedRuns) of \(`repeat`) handshakes resumed", to: &standardError)
                }
                if quiet {
                    print("hostsim: \(`repeat`) exchanges; static RAM: regions \(regions.coreBytes) (input \(regions.input.count) + output \(regions.output.count) + reassembly \(regions.reassembly.count)), ClientEngine \(MemoryLayout<ClientEngine>.size), Connection<TCPTransport> \(MemoryLayout<Connection<TCPTransport>>.size) bytes",
                          to: &standardError)
                }
                return outcome
            }
        }
        setup.saveSession(session)
        try ClientSession.report(result, options: options, printResponse: !quiet)
    }
}
