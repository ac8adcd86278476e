// `recorder PROFILE PORT OUT`: runs the client engine of FuzzClient profile PROFILE (0...3)
// — the engine targets' configuration and fixed randomness — against a TLS server on
// 127.0.0.1:PORT, sends "GET / HTTP/1.0" once connected, reads until the server closes,
// and writes every byte the server sent to OUT. Fed back to an engine of the same profile,
// that stream replays the whole handshake. Built by `scripts/fuzz-build.sh recorder` and
// run by scripts/fuzz-record-flights.sh against openssl s_server.

#if canImport(Glibc)
import Glibc
#endif

@main
enum FlightRecorder {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count == 4, let profile = Int(arguments[1]), (0..<4).contains(profile),
              let port = UInt16(arguments[2]) else {
            print("usage: recorder PROFILE(0-3) PORT OUT")
            exit(2)
        }
        let socket = connect(port: port)
        var received: [UInt8] = []
        let result: String = FuzzClient.withEngine(profile: profile) { engine, hello in
            guard send(socket, hello, hello.count, Int32(MSG_NOSIGNAL)) == hello.count else { return "send failed" }
            var sentRequest = false
            var response = 0
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                if engine.hasOutgoing {
                    var bytes: [UInt8] = []
                    do {
                        let out = engine.outgoing
                        for i in 0..<out.count { bytes.append(out[i]) }
                    }
                    guard send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return "send failed" }
                    engine.didSend(bytes.count)
                }
                if engine.state == .connected, !sentRequest {
                    let request = Array("GET / HTTP/1.0\r\n\r\n".utf8)
                    do throws(TLSError) { _ = try engine.send(request.span) } catch { return "send: \(error)" }
                    sentRequest = true
                    continue
                }
                while engine.hasReceivedData {
                    var span = buffer.mutableSpan
                    let n: Int
                    do throws(TLSError) { n = try engine.receive(into: &span) } catch { return "receive: \(error)" }
                    response += n
                }
                if engine.state == .closed { return "closed by the server after \(response) bytes of response" }
                if case .failed(let error) = engine.state { return "failed: \(error)" }
                var room = engine.incomingRoom()
                let capacity = room.count
                var chunk = [UInt8](repeating: 0, count: capacity)
                let n = recv(socket, &chunk, capacity, 0)
                if n <= 0 { return "end of stream after \(response) bytes of response" }
                for i in 0..<n { room[i] = chunk[i] }
                received += chunk[0..<n]
                do throws(TLSError) { try engine.didReceive(n) } catch { return "failed: \(error)" }
            }
        }
        close(socket)
        guard let file = fopen(arguments[3], "wb") else { print("recorder: cannot write \(arguments[3])"); exit(1) }
        fwrite(received, 1, received.count, file)
        fclose(file)
        print("recorder: profile \(FuzzClient.profiles[profile]): \(received.count) bytes from the server; \(result)")
        exit(result.hasPrefix("closed") || result.hasPrefix("end of stream") ? 0 : 1)
    }

    /// A TCP connection to 127.0.0.1:port, retried for five seconds while the server starts.
    static func connect(port: UInt16) -> Int32 {
        for _ in 0..<50 {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if status == 0 { return s }
            close(s)
            usleep(100_000)
        }
        print("recorder: nothing listens on 127.0.0.1:\(port)")
        exit(1)
    }
}
