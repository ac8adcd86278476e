#!/usr/bin/env bash
# `make boards-test`: runs each board's tls-device (built by scripts/build-boards.sh) under
# its qemu against real openssl s_server processes on 127.0.0.1 at ephemeral ports:
#   - ECDSA (server-ec + int-ec, anchor root-ec as PEM) and RSA (server-rsa + int-rsa, anchor
#     root-rsa as DER) over TCP: the response is printed and the exit status is 0;
#   - a wrong anchor: non-zero exit with the certificate error;
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

# run_device BOARD LABEL EXPECT(ok|fail) PATTERN ARGS...: runs tls-device under qemu (bounded).
run_device() {
    local board=$1 label=$2 expect=$3 pattern=$4
    shift 4
    local status=0
    # shellcheck disable=SC2086
    timeout 120 $BOARD_QEMU "$out/$board/tls-device" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
    if [[ $expect == ok ]]; then
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
echo "test-boards: openssl s_server ECDSA on 127.0.0.1:$port_ec, RSA on 127.0.0.1:$port_rsa"

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
