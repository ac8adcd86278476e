#!/usr/bin/env bash
# `make boards-test`: runs each board's tls-device (built by scripts/build-boards.sh) under
# its qemu against real openssl s_server processes on 127.0.0.1 at ephemeral ports:
#   - ECDSA (server-ec + int-ec, anchor root-ec as PEM) and RSA (server-rsa + int-rsa, anchor
#     root-rsa as DER) over TCP: the response is printed and the exit status is 0;
#   - a wrong anchor: non-zero exit with the certificate error; a CA file that is no
#     certificate: refused before connecting;
#   - a truncated response: the ECDSA server behind a relay that removes its close_notify and
#     ends TCP with a FIN (what an attacker on the path can do): exit 1 with the message, and
#     exit 0 with --allow-missing-close-notify;
#   - the same ECDSA exchange over the host simulator's pty gateway at 115200 baud, when
#     `hostsim gateway --pty` exists (HOSTSIM=path overrides the binary looked for).
# Every process started here is stopped on exit (trap). BOARDS="armv7-linux" limits the run.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build-boards
pki=Tests/Fixtures/pki
time_arg=(--time 1893456000)   # the fixtures are valid 2020-2099
boards=(${BOARDS:-$(cd boards && for f in */board.env; do echo "${f%/board.env}"; done)})
work=$(mktemp -d "${TMPDIR:-/tmp}/test-boards.XXXXXX")
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "  ok    $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL  $*"; }

# Starts openssl s_server on 127.0.0.1:0 with certificate $2, chain $3; sets port_$1.
start_server() {
    local name=$1 cert=$2 issuer=$3 log="$work/server-$1.log"
    # stdin held open (s_server reads commands from it) by a fifo nobody writes.
    mkfifo "$work/stdin-$name"
    openssl s_server -accept 127.0.0.1:0 -tls1_2 -cert "$pki/$cert.crt" -cert_chain "$pki/$issuer.crt" \
        -key "$pki/$cert.key" -www <"$work/stdin-$name" >"$log" 2>&1 &
    pids+=($!)
    exec {fd}>"$work/stdin-$name"   # opening the write end lets s_server's open of stdin proceed
    local port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "test-boards: openssl s_server ($name) did not start:"; cat "$log"; exit 1
    fi
    printf -v "port_$name" '%s' "$port"
}

# A relay on 127.0.0.1:0 in front of 127.0.0.1:$1 playing the truncation attacker: the
# client's bytes pass unchanged, the server's pass record by record until its first alert
# record (the close_notify of s_server -www, which sends no other), which is dropped with all
# after it, and the client's side ends with a FIN. Deterministic: the cut is at a record
# boundary, after the whole response, not at a moment. Sets relay_port.
start_truncating_relay() {
    local log="$work/relay.log"
    python3 -u - "$1" >"$log" 2>&1 <<'RELAY' &
import select, socket, sys

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
print("LISTEN", listener.getsockname()[1])
while True:
    client, _ = listener.accept()
    try:
        server = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        client.close()
        continue
    pending, cut, client_end, server_end = b"", False, False, False
    try:
        while not (client_end and (cut or server_end)):
            open_ends = [s for s, ended in ((client, client_end), (server, server_end)) if not ended]
            ready = select.select(open_ends, [], [], 60)[0]
            if not ready:
                break
            if client in ready:
                data = client.recv(16384)
                if not data:
                    client_end = True
                    if not server_end:
                        server.shutdown(socket.SHUT_WR)
                elif not cut:  # after the cut the client's close_notify goes nowhere
                    server.sendall(data)
            if server in ready:
                data = server.recv(16384)
                if not data:
                    server_end = True
                    if not cut:
                        client.sendall(pending)
                        client.shutdown(socket.SHUT_WR)
                elif not cut:
                    pending += data
                    while len(pending) >= 5:
                        length = 5 + int.from_bytes(pending[3:5], "big")
                        if len(pending) < length:
                            break
                        if pending[0] == 21:  # an alert record: cut here
                            cut, pending = True, b""
                            client.shutdown(socket.SHUT_WR)
                            print("CUT")
                            break
                        client.sendall(pending[:length])
                        pending = pending[length:]
    except OSError as error:
        print("relay:", error)
    client.close()
    server.close()
RELAY
    pids+=($!)
    relay_port=""
    for _ in $(seq 1 100); do
        relay_port=$(sed -n 's/^LISTEN \([0-9][0-9]*\)$/\1/p' "$log" | head -1)
        [[ -n "$relay_port" ]] && break
        sleep 0.1
    done
    if [[ -z "$relay_port" ]]; then
        echo "test-boards: the truncating relay did not start:"; cat "$log"; exit 1
    fi
}

# run_device BOARD LABEL EXPECT(ok|fail|exit1) PATTERN ARGS...: runs tls-device under qemu
# (bounded). ok: exit 0 and PATTERN on stdout; fail: a non-zero exit (not the timeout's) and
# PATTERN on stderr; exit1: exit 1, PATTERN on stderr and a response on stdout.
run_device() {
    local board=$1 label=$2 expect=$3 pattern=$4
    shift 4
    local status=0
    # shellcheck disable=SC2086
    timeout 120 $BOARD_QEMU "$out/$board/tls-device" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
    if [[ $expect == exit1 ]]; then
        if [[ $status -eq 1 ]] && grep -q "$pattern" "$work/stderr" && [[ -s "$work/stdout" ]]; then
            pass "$board $label: exit 1, $(head -1 "$work/stdout" | tr -d '\r'), $(tail -1 "$work/stderr")"
        else
            fail "$board $label: exit $status, expected exit 1 with '$pattern' and a response"
            sed 's/^/        /' "$work/stderr"
        fi
    elif [[ $expect == ok ]]; then
        if [[ $status -eq 0 ]] && grep -q "$pattern" "$work/stdout"; then
            pass "$board $label: exit 0, $(head -1 "$work/stdout" | tr -d '\r'), $(tail -1 "$work/stderr")"
        else
            fail "$board $label: exit $status"; sed 's/^/        /' "$work/stderr"; head -5 "$work/stdout"
        fi
    else
        if [[ $status -ne 0 && $status -ne 124 ]] && grep -q "$pattern" "$work/stderr"; then
            pass "$board $label: exit $status, $(tail -1 "$work/stderr")"
        else
            fail "$board $label: exit $status, expected a failure matching '$pattern'"; sed 's/^/        /' "$work/stderr"
        fi
    fi
}

start_server ec server-ec int-ec
start_server rsa server-rsa int-rsa
start_truncating_relay "$port_ec"
echo "test-boards: openssl s_server ECDSA on 127.0.0.1:$port_ec, RSA on 127.0.0.1:$port_rsa, truncating relay to ECDSA on 127.0.0.1:$relay_port"

# The pty gateway of the host simulator, if it is there yet.
hostsim=${HOSTSIM:-}
if [[ -z "$hostsim" ]] && command -v swift >/dev/null; then
    hostsim="$(swift build --show-bin-path 2>/dev/null)/hostsim" || hostsim=""
fi
gateway=no
if [[ -n "$hostsim" && -x "$hostsim" ]] && "$hostsim" gateway --help 2>/dev/null | grep -q -- '--pty'; then
    gateway=yes
fi

for board in "${boards[@]}"; do
    BOARD_QEMU=
    # shellcheck disable=SC1090
    source "boards/$board/board.env"
    if [[ ! -x "$out/$board/tls-device" ]]; then
        fail "$board: $out/$board/tls-device is missing (run make boards)"
        continue
    fi
    echo "test-boards: $board under ${BOARD_QEMU%% *}"
    run_device "$board" "TCP ECDSA (root-ec PEM)" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_ec" --ca "$pki/root-ec.crt" "${time_arg[@]}"
    run_device "$board" "TCP RSA (root-rsa DER)" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_rsa" --ca "$pki/root-rsa.der" "${time_arg[@]}"
    run_device "$board" "TCP by name, request given" ok "HTTP/1.0 200 ok" \
        --tcp "localhost:$port_ec" --ca "$pki/root-ec.der" --request 'GET /stats HTTP/1.0\r\n\r\n' "${time_arg[@]}"
    run_device "$board" "wrong anchor (root-rsa for the ECDSA server)" fail "certificate: unknown issuer" \
        --tcp "127.0.0.1:$port_ec" --ca "$pki/root-rsa.der" "${time_arg[@]}"
    run_device "$board" "wrong name" fail "certificate: name mismatch" \
        --tcp "127.0.0.1:$port_ec" --ca "$pki/root-ec.der" --server-name other.example "${time_arg[@]}"
    echo "not a certificate" >"$work/not-a-certificate.txt"
    run_device "$board" "a CA file that holds no certificate" fail "no certificate" \
        --tcp "127.0.0.1:$port_ec" --ca "$work/not-a-certificate.txt" "${time_arg[@]}"
    run_device "$board" "close_notify removed on the way" exit1 \
        "connection closed without close_notify: the response may be truncated" \
        --tcp "127.0.0.1:$relay_port" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}"
    run_device "$board" "close_notify removed, --allow-missing-close-notify" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$relay_port" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}" \
        --allow-missing-close-notify

    if [[ $gateway == yes ]]; then
        glog="$work/gateway-$board.log"
        "$hostsim" gateway --pty --server "127.0.0.1:$port_ec" --baud 115200 >"$glog" 2>&1 &
        gpid=$!
        pids+=($gpid)
        pty=""
        for _ in $(seq 1 100); do
            pty=$(sed -n 's/^pty: \(\/dev\/[^ ]*\).*/\1/p' "$glog" | head -1)
            [[ -n "$pty" ]] && break
            sleep 0.1
        done
        if [[ -z "$pty" ]]; then
            fail "$board pty gateway: no 'pty:' line"; cat "$glog"
        else
            run_device "$board" "pty gateway $pty at 115200 baud" ok "HTTP/1.0 200 ok" \
                --tty "$pty" --baud 115200 --server-name localhost --ca "$pki/root-ec.crt" "${time_arg[@]}"
        fi
        kill "$gpid" 2>/dev/null || true
        wait "$gpid" 2>/dev/null || true
    fi
done
if [[ $gateway == no ]]; then
    echo "test-boards: SKIPPED the pty gateway part: 'hostsim gateway --pty' not found (${hostsim:-no hostsim binary})"
fi

echo "test-boards: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
