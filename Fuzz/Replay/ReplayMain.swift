// `replay TARGET PATH...`: runs TARGET's entry (the same fuzz_TARGET the libFuzzer binary
// calls) once on every file given, or on every file in each directory given, and prints
// how many it ran. Built without the fuzzer but with the address sanitizer, so `make test`
// proves every committed corpus and crash input as the fuzzer saw it, in seconds. A trap, a
// failed property or a sanitizer report names the input before the process ends; an input
// that runs longer than ten seconds is reported as a hang.

#if canImport(Glibc)
import Glibc
#endif

/// The input being run, for the handlers below (they may only call async-signal-safe code).
nonisolated(unsafe) var replayCurrent = [CChar](repeating: 0, count: 4096)

@_silgen_name("__asan_set_death_callback")
func asanSetDeathCallback(_ callback: @convention(c) () -> Void)

func replayReportCurrent(_ what: StaticString) {
    let prefix: StaticString = "replay: "
    _ = write(2, prefix.utf8Start, prefix.utf8CodeUnitCount)
    _ = write(2, what.utf8Start, what.utf8CodeUnitCount)
    replayCurrent.withUnsafeBufferPointer { buffer in
        _ = write(2, buffer.baseAddress, strlen(buffer.baseAddress!))
    }
    _ = write(2, "\n", 1)
}

@main
enum ReplayMain {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = replayTargets.first(where: { $0.name == arguments[1] }) else {
            let names = replayTargets.map(\.name).joined(separator: " ")
            print("usage: replay TARGET PATH...   (targets: \(names))")
            exit(2)
        }
        asanSetDeathCallback { replayReportCurrent("sanitizer report on ") }
        for sig in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE] {
            signal(sig) { sig in
                replayReportCurrent("crash on ")
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
        signal(SIGALRM) { _ in
            replayReportCurrent("hang (over 10 s) on ")
            _exit(1)
        }

        var files: [String] = []
        for path in arguments.dropFirst(2) {
            if let dir = opendir(path) {
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                    if entry.pointee.d_type == UInt8(DT_REG) || entry.pointee.d_type == UInt8(DT_UNKNOWN), !name.hasPrefix(".") {
                        names.append(path + "/" + name)
                    }
                }
                closedir(dir)
                files += names.sorted()
            } else if access(path, R_OK) == 0 {
                files.append(path)
            }
        }

        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        for file in files {
            guard let bytes = read(file) else {
                print("replay: cannot read \(file)")
                exit(1)
            }
            let c = Array(file.utf8CString.prefix(replayCurrent.count - 1)) + [0]
            for i in c.indices { replayCurrent[i] = c[i] }
            alarm(10)
            _ = bytes.withUnsafeBufferPointer { target.entry($0.baseAddress, $0.count) }
            alarm(0)
        }
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1_000_000
        print("replay \(target.name): \(files.count) inputs, \(ms) ms")
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }
}
