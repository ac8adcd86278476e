#!/usr/bin/env python3
"""`make bench`: the core (hostsim connect, release) beside Mbed TLS's own TLS client
(Benchmarks/reference/ref-client) on the same handshakes, as one markdown table per handshake.

For each handshake and record profile it starts a local `openssl s_server` on an ephemeral
127.0.0.1 port, then measures both clients doing N exchanges (handshake, `GET /`, response to
close_notify, close_notify), each on a new TCP connection:

- instructions: valgrind --tool=callgrind, total Ir at N and at 1, (Ir(N) - Ir(1)) / (N - 1);
- heap allocations by caller (Benchmarks/malloc-count/malloc_count.c, LD_PRELOAD), same
  difference; the peak heap of any one connection from the same library;
- bytes each way and round trips at the socket (Benchmarks/malloc-count/io_count.c);
- static RAM: what each client prints with --quiet (the core: its regions and
  MemoryLayout<ClientEngine>.size; the reference: sizeof its contexts).

TLS 1.3 full handshakes are the core's alone (Mbed TLS 2.28's client has no TLS 1.3). Then the
resumed handshakes (RESUMPTIONS): the same server with session tickets (TLS 1.2), with
-no_ticket (TLS 1.2 session IDs) and TLS 1.3 (PSK, psk_dhe_ke), each client with its resuming
mode (`hostsim connect --resume`, `ref-client --resume`) doing N exchanges, each resuming from
the previous: the first is full, so (Ir(N) - Ir(1)) / (N - 1) is the mean of the N - 1 resumed
ones, beside the full handshake of the first table of the same suite; the run fails loudly unless
N - 1 of N resumed. The handshake's own bytes (io_count.c) give its wire time at 115200 and
9600 baud: (bytes each way) x 10 / baud, 8N1 framing and nothing else.

Then it runs the package-benchmark suite of Benchmarks/CoreBenchmarks. Only the standard
library; nothing listens after it ends. Usage: python3 Benchmarks/bench.py [--n N] [--out FILE]
[--skip-package-benchmark].
"""
import argparse
import datetime
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = os.path.join(ROOT, ".build-bench")
BIN = os.path.join(SCRATCH, "bench")
PKI = os.path.join(ROOT, "Tests", "Fixtures", "pki")
VALIDATION_TIME = "1893456000"  # 2030-01-01, inside every fixture's validity

PROFILES = [("16 KB records", None), ("max_fragment_length 1024", 1024)]
HANDSHAKES = [
    # title, version, IANA suite, OpenSSL suite, leaf, intermediate, root, profiles
    ("TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 (P-256 leaf and intermediate, P-256 key exchange)", "1.2",
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", "server-ec", "int-ec", "root-ec",
     PROFILES),
    ("TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 (RSA-2048 leaf and intermediate, P-256 key exchange)", "1.2",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "server-rsa", "int-rsa", "root-rsa",
     PROFILES),
    ("TLS 1.2 RSA-AES128-GCM-SHA256 (RSA-2048 key transport, RSA-2048 leaf and intermediate)", "1.2",
     "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", "server-rsa", "int-rsa", "root-rsa", PROFILES),
    ("TLS 1.3 TLS_AES_128_GCM_SHA256 (P-256 leaf and intermediate, P-256 key share)", "1.3",
     "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "server-ec", "int-ec", "root-ec", PROFILES[:1]),
]
NO_TLS13 = "Mbed TLS 2.28's client has no TLS 1.3 (so no TLS 1.3 resumption either)"
RESUMPTIONS = [
    # title, version, extra s_server flags, the resumption `hostsim connect --trace` names,
    # the full handshake (suite, profile) it stands beside
    ("TLS 1.2 resumed by RFC 5077 session ticket (s_server -tls1_2)", "1.2", [], "ticket",
     ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "16 KB records")),
    ("TLS 1.2 resumed by session ID (s_server -tls1_2 -no_ticket)", "1.2", ["-no_ticket"], "session ID",
     ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "16 KB records")),
    ("TLS 1.3 resumed by ticket PSK, psk_dhe_ke (s_server -tls1_3)", "1.3", [], "PSK",
     ("TLS_AES_128_GCM_SHA256", "16 KB records")),
]
BAUDS = [115200, 9600]
CLASSES = ["libmbedcrypto", "libmbedx509", "libmbedtls", "libc", "swift", "program", "other"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, **kwargs):
    log("+ " + " ".join(command))
    subprocess.run(command, check=True, cwd=ROOT, **kwargs)


def build():
    os.makedirs(BIN, exist_ok=True)
    run(["swift", "build", "-c", "release", "--product", "hostsim", "--scratch-path", SCRATCH])
    run(["gcc", "-O2", "-Wall", "-o", os.path.join(BIN, "ref-client"), "Benchmarks/reference/ref_client.c",
         "-lmbedtls", "-lmbedx509", "-lmbedcrypto"])
    for name in ("malloc_count", "io_count"):
        run(["gcc", "-O2", "-Wall", "-shared", "-fPIC", "-o", os.path.join(BIN, name + ".so"),
             "Benchmarks/malloc-count/%s.c" % name, "-ldl"])
    return os.path.join(SCRATCH, "release", "hostsim"), os.path.join(BIN, "ref-client")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """openssl s_server on 127.0.0.1, one version and suite, P-256 for ECDHE, `-www` status page."""

    def __init__(self, version, openssl_suite, leaf, intermediate, extra=()):
        self.port = free_port()
        p = lambda name: os.path.join(PKI, name)
        pinned = ["-tls1_2", "-cipher", openssl_suite] if version == "1.2" else ["-tls1_3", "-ciphersuites", openssl_suite]
        self.process = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:%d" % self.port] + pinned +
            ["-cert", p(leaf + ".crt"), "-cert_chain", p(intermediate + ".crt"), "-key", p(leaf + ".key"),
             "-curves", "prime256v1", "-www", "-quiet"] + list(extra),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("s_server did not start")
                time.sleep(0.05)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def clients(hostsim, ref_client, suite, root, port, fragment, n, version="1.2", resume=False):
    """The two commands for n exchanges: (core, reference). TLS 1.2 runs keep the core's default
    offer (as in every earlier run); TLS 1.3 pins it to 1.3 and a P-256 key share, the group
    s_server takes, so that no HelloRetryRequest is counted."""
    ca = os.path.join(PKI, root + ".crt")
    core = [hostsim, "connect", "127.0.0.1:%d" % port, "--ca", ca, "--server-name", "localhost",
            "--suite", suite, "--time", VALIDATION_TIME, "--repeat", str(n), "--quiet"]
    reference = [ref_client, "127.0.0.1", str(port), ca, "localhost", "--suite", suite,
                 "--time", VALIDATION_TIME, "--repeat", str(n), "--quiet"]
    if version == "1.3":
        core += ["--tls", "1.3", "--group", "secp256r1"]
    if resume:
        core.append("--resume")
        reference.append("--resume")
    if fragment:
        core += ["--max-fragment", str(fragment)]
        reference += ["--max-fragment", str(fragment)]
    return core, reference


def execute(command, env=None, prefix=()):
    """Runs a client (bounded), returns its stderr; fails loudly on a non-zero exit."""
    result = subprocess.run(list(prefix) + command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(command), result.returncode, result.stderr[-2000:]))
    return result.stderr


def callgrind_ir(command, workdir):
    """Total Ir (the `summary:`/`totals:` line) and the self cost of code in libmbedcrypto."""
    out = os.path.join(workdir, "callgrind.out")
    stderr = execute(command, prefix=["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out])
    check_resumed(command, stderr)
    total, by_object, names, current, skip = None, {}, {}, "", False
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
            elif line.startswith("cob="):
                # a callee's object: it may be where an object's compressed name is defined
                match = re.match(r"cob=\((\d+)\)\s*(.+)", line.strip())
                if match:
                    names[match.group(1)] = match.group(2)
            elif line.startswith("ob="):
                # ob=(id) name, or ob=(id) once the name is known (name compression)
                match = re.match(r"ob=\((\d+)\)\s*(.*)", line.strip())
                if match:
                    if match.group(2):
                        names[match.group(1)] = match.group(2)
                    current = names.get(match.group(1), "")
                else:
                    current = line[3:].strip()
            elif line.startswith("calls="):
                skip = True  # the next cost line is the call's inclusive cost
            elif line[:1].isdigit() or line[:1] in "+-*":
                if skip:
                    skip = False
                    continue
                fields = line.split()
                if len(fields) >= 2:
                    by_object[current] = by_object.get(current, 0) + int(fields[1])
    if total is None:
        raise RuntimeError("no totals in callgrind output")
    crypto = sum(v for k, v in by_object.items() if "libmbedcrypto" in os.path.basename(k))
    libc = sum(v for k, v in by_object.items() if os.path.basename(k).startswith("libc."))
    return total, crypto, libc


def check_resumed(command, stderr):
    """A resuming run of N must have resumed N - 1 times, or its figures are not resumptions."""
    if "--resume" not in command:
        return
    n = int(command[command.index("--repeat") + 1])
    match = re.search(r"(\d+) of (\d+) handshakes resumed", stderr)
    if n > 1 and (not match or int(match.group(1)) != n - 1):
        raise RuntimeError("%s: %s, not %d of %d" % (" ".join(command), match.group(0) if match else "no resumption line",
                                                     n - 1, n))


def counted(command, workdir):
    """Runs under both LD_PRELOAD counters; returns (malloc totals, windows, connections, stderr)."""
    mc, io = os.path.join(workdir, "malloc.txt"), os.path.join(workdir, "io.txt")
    env = dict(os.environ, MALLOC_COUNT_OUT=mc, IO_COUNT_OUT=io,
               LD_PRELOAD=os.path.join(BIN, "malloc_count.so") + " " + os.path.join(BIN, "io_count.so"))
    stderr = execute(command, env=env)
    check_resumed(command, stderr)
    totals, windows, connections = {}, [], []
    with open(mc) as f:
        for line in f:
            fields = line.split()
            if fields[0] == "total":
                totals[fields[1]] = int(fields[2])
            elif fields[0] == "window":
                values = dict(zip(fields[2 + len(CLASSES)::2], map(int, fields[3 + len(CLASSES)::2])))
                windows.append(values)
    with open(io) as f:
        for line in f:
            fields = line.split()
            connections.append(dict(zip(fields[2::2], map(int, fields[3::2]))))
    return totals, windows, connections, stderr


def measure(command_for, n, workdir):
    """All figures for one client; command_for(k) is its command for k exchanges."""
    figures = {}
    (ir_n, crypto_n, libc_n), (ir_1, crypto_1, libc_1) = callgrind_ir(command_for(n), workdir), callgrind_ir(command_for(1), workdir)
    figures["ir"] = (ir_n - ir_1) / (n - 1)
    figures["ir_libc"] = (libc_n - libc_1) / (n - 1)
    figures["ir_outside_crypto"] = figures["ir"] - (crypto_n - crypto_1) / (n - 1) - figures["ir_libc"]
    figures["ir_1"], figures["ir_n"] = ir_1, ir_n
    totals_n, windows, connections, stderr = counted(command_for(n), workdir)
    totals_1, _, _, _ = counted(command_for(1), workdir)
    figures["allocs"] = {c: (totals_n.get(c, 0) - totals_1.get(c, 0)) / (n - 1) for c in CLASSES}
    figures["heap_peak"] = max(w["peak"] for w in windows)
    figures["windows"] = len(windows)
    steady = connections[1:]
    figures["sent"] = sum(c["sent"] for c in steady) / len(steady)
    figures["received"] = sum(c["received"] for c in steady) / len(steady)
    figures["round_trips"] = max(c["round_trips"] for c in steady)
    figures["handshake_round_trips"] = max(c["handshake_round_trips"] for c in steady)
    figures["handshake_sent"] = sum(c["handshake_sent"] for c in steady) / len(steady)
    figures["handshake_received"] = sum(c["handshake_received"] for c in steady) / len(steady)
    figures["first"] = connections[0]
    match = re.search(r"handshakes resumed.*", stderr)
    figures["resumed_line"] = stderr[:match.end()].splitlines()[-1].split(": ", 1)[-1] if match else ""
    figures["connections"] = len(connections)
    figures["sizes"] = stderr.strip().splitlines()[-1]
    return figures


def certificate_message_size(leaf, intermediate):
    """The server's Certificate handshake message for this chain: header, list, entries."""
    entries = sum(3 + os.path.getsize(os.path.join(PKI, name + ".der")) for name in (leaf, intermediate))
    return 4 + 3 + entries


def measure_small_reassembly(command_for, size, workdir):
    """The core with its reassembly region cut to `size`: (static RAM, peak heap)."""
    _, windows, _, stderr = counted(command_for(2) + ["--reassembly-size", str(size)], workdir)
    return core_static(stderr.strip().splitlines()[-1])[0], max(w["peak"] for w in windows)


def core_static(line):
    regions = int(re.search(r"regions (\d+)", line).group(1))
    engine = int(re.search(r"ClientEngine (\d+)", line).group(1))
    return regions + engine, "regions %d + ClientEngine %d" % (regions, engine)


def reference_static(line):
    # The contexts a client needs; the entropy context is left out (see BENCHMARKS.md).
    names = ["ssl_context", "ssl_config", "ctr_drbg", "x509_crt", "net_context"]
    values = {name: int(re.search(name + r" (\d+)", line).group(1)) for name in names}
    return sum(values.values()), " + ".join("%s %d" % (k, v) for k, v in values.items())


def ratio(a, b):
    return "—" if not b else "%.2f" % (a / b)


def number(x):
    return "{:,.0f}".format(x) if abs(x - round(x)) < 0.05 else "{:,.1f}".format(x)


def table(core, ref, small=None, ref_error=None, ref_na=None):
    rows = []
    if ref is None:
        # The reference could not do this exchange: the core's figures alone.
        ref = {"ir": 0, "ir_outside_crypto": 0, "ir_libc": 0, "allocs": {c: 0 for c in CLASSES}, "heap_peak": 0, "sent": 0,
               "received": 0, "round_trips": 0, "handshake_round_trips": 0,
               "sizes": "ssl_context 0 ssl_config 0 ctr_drbg 0 x509_crt 0 net_context 0"}

    def row(label, a, b, show_ratio=True):
        rows.append("| %s | %s | %s | %s |" % (label, number(a), number(b), ratio(a, b) if show_ratio else "—"))

    row("Instructions per handshake (Ir, callgrind, steady state)", core["ir"], ref["ir"])
    row("&nbsp;&nbsp;in libmbedcrypto (the shared primitives)", core["ir"] - core["ir_outside_crypto"] - core["ir_libc"],
        ref["ir"] - ref["ir_outside_crypto"] - ref["ir_libc"])
    row("&nbsp;&nbsp;in libc (malloc/free for Mbed TLS's bignums, memcpy, socket calls)", core["ir_libc"], ref["ir_libc"])
    row("&nbsp;&nbsp;the protocol layer: core + Swift runtime / libmbedtls + libmbedx509 + ref-client",
        core["ir_outside_crypto"], ref["ir_outside_crypto"])
    mbed_core = sum(core["allocs"][c] for c in CLASSES[:3])
    mbed_ref = sum(ref["allocs"][c] for c in CLASSES[:3])
    row("Heap allocations per handshake inside Mbed TLS", mbed_core, mbed_ref)
    for c in CLASSES[:3]:
        row("&nbsp;&nbsp;called from %s" % c, core["allocs"][c], ref["allocs"][c])
    row("Heap allocations per handshake outside Mbed TLS", sum(core["allocs"][c] for c in CLASSES[3:]),
        sum(ref["allocs"][c] for c in CLASSES[3:]))
    row("&nbsp;&nbsp;called from Swift code (core + hostsim)", core["allocs"]["swift"], ref["allocs"]["swift"], False)
    row("&nbsp;&nbsp;called from libc (getaddrinfo in the transport)", core["allocs"]["libc"], ref["allocs"]["libc"])
    row("&nbsp;&nbsp;called from the program or other objects", core["allocs"]["program"] + core["allocs"]["other"],
        ref["allocs"]["program"] + ref["allocs"]["other"], False)
    core_static_bytes, _ = core_static(core["sizes"])
    ref_static_bytes, _ = reference_static(ref["sizes"])
    row("Peak heap during a connection (bytes)", core["heap_peak"], ref["heap_peak"])
    row("Static RAM: client state and regions (bytes)", core_static_bytes, ref_static_bytes)
    row("**Total RAM: static + peak heap (bytes)**", core_static_bytes + core["heap_peak"],
        ref_static_bytes + ref["heap_peak"])
    # The region sized exactly to the server's Certificate message, when that is smaller
    # than the configuration's suggestion (messages read in place need no room at 16 KB).
    if small and small[1] + small[2] < core_static_bytes + core["heap_peak"]:
        size, static, heap = small
        row("Total RAM, core's reassembly region cut to the Certificate message (%d bytes)" % size,
            static + heap, ref_static_bytes + ref["heap_peak"])
    row("Bytes client → server per connection", core["sent"], ref["sent"])
    row("Bytes server → client per connection", core["received"], ref["received"])
    row("Round trips: handshake", core["handshake_round_trips"], ref["handshake_round_trips"])
    row("Round trips: handshake + request/response", core["round_trips"], ref["round_trips"])
    header = ["| Figure | Core (hostsim) | Reference (Mbed TLS ssl) | Core / reference |",
              "|---|---:|---:|---:|"]
    if ref_error:
        rows = [r.rsplit("|", 3)[0] + "| fails | — |" for r in rows]
        rows.append("\nThe reference fails this exchange: `%s`" % ref_error)
    elif ref_na:
        rows = [r.rsplit("|", 3)[0] + "| n/a | — |" for r in rows]
        rows.append("\nReference n/a: %s." % ref_na)
    return "\n".join(header + rows)


def wire_ms(sent, received, baud):
    """The handshake's bytes at `baud`, 8N1 (10 bits a byte), both directions one after the
    other (each flight waits for the other side's), and nothing else: no latency, no compute."""
    return (sent + received) * 10 * 1000.0 / baud


def resumption_table(core_full, core_resumed, ref_full, ref_resumed, core_kind, ref_na=None):
    """Full beside resumed for both clients; ratios core / reference on each row."""
    rows = []

    def cell(figures, key):
        return None if figures is None else key(figures)

    def row(label, key, show_ratio=True, fmt=number):
        a, b = [(cell(full, key), cell(res, key)) for full, res in ((core_full, core_resumed), (ref_full, ref_resumed))]
        for index, kind in enumerate(("full", "resumed")):
            x, y = a[index], b[index]
            rows.append("| %s, %s | %s | %s | %s |" % (
                label, kind, fmt(x), "n/a" if y is None else fmt(y),
                ratio(x, y) if show_ratio and y is not None else "—"))

    row("Instructions per connection (Ir, callgrind)", lambda f: f["ir"])
    row("&nbsp;&nbsp;the protocol layer (outside libmbedcrypto and libc)", lambda f: f["ir_outside_crypto"])
    row("Heap allocations per connection inside Mbed TLS",
        lambda f: sum(f["allocs"][c] for c in CLASSES[:3]))
    row("Handshake bytes client → server", lambda f: f["handshake_sent"])
    row("Handshake bytes server → client", lambda f: f["handshake_received"])
    row("Bytes per connection client → server (+ request, close_notify)", lambda f: f["sent"])
    row("Bytes per connection server → client (+ the -www page, close_notify)", lambda f: f["received"])
    row("Round trips: handshake", lambda f: f["handshake_round_trips"])
    for baud in BAUDS:
        row("Handshake wire time at %d baud (ms)" % baud,
            lambda f, baud=baud: wire_ms(f["handshake_sent"], f["handshake_received"], baud),
            fmt=lambda x: "%.1f" % x)
    core_ratio = core_resumed["ir"] / core_full["ir"]
    ref_ratio = "n/a" if ref_resumed is None else "%.3f" % (ref_resumed["ir"] / ref_full["ir"])
    rows.append("| Instructions resumed / full | %.3f | %s | — |" % (core_ratio, ref_ratio))
    first = core_resumed["first"]
    ref_first = None if ref_resumed is None else ref_resumed["first"]
    rows.append("| First connection of the resuming run (full, gets the session): handshake bytes → / ← | %d / %d | %s | — |" % (
        first["handshake_sent"], first["handshake_received"],
        "n/a" if ref_first is None else "%d / %d" % (ref_first["handshake_sent"], ref_first["handshake_received"])))
    rows.append("| Resumed in the resuming run | %s (%s) | %s | — |" % (
        core_resumed["resumed_line"], core_kind, "n/a" if ref_resumed is None else ref_resumed["resumed_line"]))
    header = ["| Figure | Core (hostsim) | Reference (Mbed TLS ssl) | Core / reference |",
              "|---|---:|---:|---:|"]
    if ref_na:
        rows.append("\nReference n/a: %s." % ref_na)
    return "\n".join(header + rows)


def resumption_kind(command):
    """What the core's second connection resumed by, from `--trace`: ticket, session ID or PSK."""
    command = [c for c in command if c != "--quiet"]
    command[command.index("--repeat") + 1] = "2"
    result = subprocess.run(command + ["--trace"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    kinds = re.findall(r", resumed \(([^)]+)\)", result.stdout + result.stderr)
    return kinds[-1] if kinds else "not resumed"


def package_benchmark():
    package = os.path.join(ROOT, "Benchmarks", "CoreBenchmarks")
    command = ["swift", "package", "--scratch-path", os.path.join(SCRATCH, "core"), "benchmark",
               "--no-progress", "--format", "markdown"]
    log("+ (cd Benchmarks/CoreBenchmarks && %s)" % " ".join(command))
    result = subprocess.run(command, cwd=package, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError("package-benchmark failed:\n" + result.stdout[-4000:])
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5, help="exchanges in the long run (the short run is 1)")
    parser.add_argument("--out", help="also write the report to this file")
    parser.add_argument("--skip-package-benchmark", action="store_true")
    args = parser.parse_args()
    if args.n < 2:
        parser.error("--n must be at least 2")

    hostsim, ref_client = build()
    report = ["# Benchmark run %s, %s (`uname -m`), N = %d and 1" % (
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), platform.machine(), args.n)]
    sizes, full = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-", dir=SCRATCH) as workdir:
        for title, version, suite, openssl_suite, leaf, intermediate, root, profiles in HANDSHAKES:
            for profile, fragment in profiles:
                log("== %s, %s" % (title, profile))
                server = Server(version, openssl_suite, leaf, intermediate)
                try:
                    core = measure(lambda k: clients(hostsim, ref_client, suite, root, server.port, fragment, k,
                                                     version)[0], args.n, workdir)
                    ref, ref_error = None, None
                    try:
                        if version == "1.2":
                            ref = measure(lambda k: clients(hostsim, ref_client, suite, root, server.port, fragment,
                                                            k)[1], args.n, workdir)
                    except RuntimeError as error:
                        lines = [l for l in str(error).splitlines() if l.startswith("ref-client:")]
                        ref_error = lines[-1] if lines else str(error)[-300:]
                        log("reference failed: " + ref_error)
                    size = certificate_message_size(leaf, intermediate)
                    small = (size,) + measure_small_reassembly(
                        lambda k: clients(hostsim, ref_client, suite, root, server.port, fragment, k, version)[0],
                        size, workdir)
                finally:
                    server.stop()
                full[(suite, profile)] = (core, ref, root, leaf, intermediate, openssl_suite)
                report.append("\n## %s — %s\n" % (title, profile))
                report.append(table(core, ref, small, ref_error, None if version == "1.2" else NO_TLS13))
                if ref or version == "1.3":
                    ref_sizes = reference_static(ref["sizes"])[1] if ref else "n/a"
                    ref_ir = "%s, %s" % (number(ref["ir_1"]), number(ref["ir_n"])) if ref else "n/a"
                    sizes.append("- %s, %s: core %s; reference %s; Ir core %s at N=1, %s at N=%d; reference %s" % (
                        suite, profile, core_static(core["sizes"])[1], ref_sizes,
                        number(core["ir_1"]), number(core["ir_n"]), args.n, ref_ir))
                print(report[-2] + "\n" + report[-1], flush=True)
        for title, version, extra, expected, (suite, profile) in RESUMPTIONS:
            log("== %s" % title)
            core_full, ref_full, root, leaf, intermediate, openssl_suite = full[(suite, profile)]
            server = Server(version, openssl_suite, leaf, intermediate, extra)
            try:
                command = lambda k, which: clients(hostsim, ref_client, suite, root, server.port, None, k, version,
                                                   resume=True)[which]
                kind = resumption_kind(command(2, 0))
                if kind != expected:
                    raise RuntimeError("%s: the core resumed by %s, not %s" % (title, kind, expected))
                core_resumed = measure(lambda k: command(k, 0), args.n, workdir)
                ref_resumed = measure(lambda k: command(k, 1), args.n, workdir) if version == "1.2" else None
            finally:
                server.stop()
            report.append("\n## %s — %s, %s\n" % (title, suite, profile))
            report.append(resumption_table(core_full, core_resumed, ref_full, ref_resumed, kind,
                                           None if version == "1.2" else NO_TLS13))
            sizes.append("- resumed, %s: Ir core %s at N=1 (full), %s at N=%d%s" % (
                title, number(core_resumed["ir_1"]), number(core_resumed["ir_n"]), args.n,
                "" if ref_resumed is None else "; reference %s, %s" % (number(ref_resumed["ir_1"]),
                                                                       number(ref_resumed["ir_n"]))))
            print(report[-2] + "\n" + report[-1], flush=True)
    report.append("\n## Static RAM and raw instruction counts\n")
    report.extend(sizes)
    print("\n".join(sizes), flush=True)
    if not args.skip_package_benchmark:
        output = package_benchmark()
        report.append("\n## Core hot paths (package-benchmark)\n")
        report.append(output)
        print(output, flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(report) + "\n")


if __name__ == "__main__":
    main()
