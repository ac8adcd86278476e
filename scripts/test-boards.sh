#!/usr/bin/env bash
# `make boards-test`: runs each board's tls-device (built by scripts/build-boards.sh) under
# its qemu against real openssl s_server processes on 127.0.0.1 at ephemeral ports:
#   - ECDSA (server-ec + int-ec, anchor root-ec as PEM) and RSA (server-rsa + int-rsa, anchor
#     root-rsa as DER) over TCP: the response is printed and the exit status is 0;
#   - a wrong anchor: non-zero exit with the certificate error; a chain refused by a named rule
#     (an intermediate without keyCertSign): the rule's number and name printed; a CA file that is no
#     certificate: refused before connecting;
#   - a truncated response: the ECDSA server behind a relay that removes its close_notify and
#     ends TCP with a FIN (what an attacker on the path can do): exit 1 with the message, and
#     exit 0 with --allow-missing-close-notify;
#   - the same ECDSA exchange over the host simulator's pty gateway at 115200 baud, when
#     `hostsim gateway --pty` exists (HOSTSIM=path overrides the binary looked for);
#   - the handle API (handle-test, linked against libtlscore-noposix.a) against the TLS 1.2
#     and 1.3 ECDSA servers: one byte at a time each way, random split points (seeded, the
#     seed printed), 2 and 8 connections in one poll loop, garbage after the handshake
#     (a relay) failing with TLSCORE_ERR_BAD_RECORD_MAC, the truncating relay's cut ending in
#     TLSCORE_STATE_TRUNCATED, and the context size checks;
#   - the version: the servers above speak only TLS 1.2 (-tls1_2) and are reached with both
#     versions offered (the default) and with --tls 1.2; TLS 1.3-only servers (-tls1_3, ECDSA
#     and RSA) are reached by default, with --tls 1.3 and over the pty gateway, and each run
#     asserts the negotiated version, suite and group tls-device prints; --tls 1.3 against the
#     1.2-only server must fail.
#   - MQTT over TLS (mqtt-telemetry, the handle API in one poll loop) against Debian's mosquitto
#     on 127.0.0.1 (free ports picked here; listeners: TLS 1.2 and 1.3 requiring a client
#     certificate checked against int-ec.crl, and one refusing anonymous clients): CONNECT,
#     SUBSCRIBE, N readings at QoS 1 each acknowledged and echoed back, DISCONNECT and
#     close_notify, over TCP (TLS 1.2, 1.3, a short keepalive that needs PINGREQ) and over the
#     pty gateway at 115200 baud; mosquitto_sub (started first, over TLS with the client
#     certificate) must receive every reading. Bad cases: the revoked client certificate, no
#     client certificate, a wrong CA, a CONNACK refusal and a TLS peer that never answers
#     CONNECT (the stall bounded by the example's timeout) each exit 1 with the reason.
#   - the server role: tls-device --serve (ephemeral port, the handle API over a socket) against
#     openssl s_client: TLS 1.3 then 1.2 on one server (--count 2), a client certificate
#     required and sent (client-ec, checked against int-ec.crl; the body says it was verified),
#     required and missing (s_client sees certificate_required / handshake_failure, tls-device
#     exits 1 with the reason), each version; and server-handle-test (libtlscore-noposix.a): a
#     client and a server context driven against each other in memory one byte at a time to
#     connected, data both ways, with and without a client certificate, and the context checks.
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

# Starts openssl s_server on 127.0.0.1:0 with certificate $2, chain $3, version option $4
# (-tls1_2 unless given) and any further s_server options; sets port_$1.
start_server() {
    local name=$1 cert=$2 issuer=$3 version=${4:--tls1_2} log="$work/server-$1.log"
    shift 3; [[ $# -gt 0 ]] && shift
    # stdin held open (s_server reads commands from it) by a fifo nobody writes.
    mkfifo "$work/stdin-$name"
    openssl s_server -accept 127.0.0.1:0 "$version" -cert "$pki/$cert.crt" -cert_chain "$pki/$issuer.crt" \
        -key "$pki/$cert.key" -www "$@" <"$work/stdin-$name" >"$log" 2>&1 &
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

# A relay on 127.0.0.1:0 in front of 127.0.0.1:$2 playing a server that turns to garbage
# after the handshake: both directions pass until the client has sent its first
# application_data record (TLS 1.2: the request; TLS 1.3: its Finished, so the handshake is
# done), then the client gets one well-framed record whose body does not decrypt and
# nothing more from the server, on a connection left open (a client that waits for more
# would hang). Sets garbage_$1.
start_garbage_relay() {
    local name=$1 log="$work/garbage-$1.log"
    python3 -u - "$2" >"$log" 2>&1 <<'RELAY' &
import select, socket, sys, threading

def serve(client):
    try:
        server = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        client.close()
        return
    pending, cut, watch = b"", False, [client, server]
    try:
        while True:
            ready = select.select(watch, [], [], 60)[0]
            if not ready:
                break
            if client in ready:
                data = client.recv(16384)
                if not data:
                    break
                if not cut:
                    server.sendall(data)
                    pending += data
                    while len(pending) >= 5 and not cut:
                        length = 5 + int.from_bytes(pending[3:5], "big")
                        if len(pending) < length:
                            break
                        if pending[0] == 23:
                            cut = True
                            client.sendall(bytes([23, 3, 3, 0, 32]) + bytes([0x5A] * 32))
                            print("GARBAGE")
                        pending = pending[length:]
            if server in ready:
                data = server.recv(16384)
                if not data:
                    if not cut:
                        break
                    watch = [client]  # the client's side stays open
                    continue
                if not cut:
                    client.sendall(data)
    except OSError as error:
        print("relay:", error)
    client.close()
    server.close()

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
print("LISTEN", listener.getsockname()[1])
while True:
    client, _ = listener.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
RELAY
    pids+=($!)
    local port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^LISTEN \([0-9][0-9]*\)$/\1/p' "$log" | head -1)
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "test-boards: the garbage relay ($name) did not start:"; cat "$log"; exit 1
    fi
    printf -v "garbage_$name" '%s' "$port"
}

# run_handle BOARD LABEL ARGS...: runs handle-test (or $run_handle_program) under qemu
# (bounded); passes on exit 0 with its summary line, which is printed.
run_handle() {
    local board=$1 label=$2
    shift 2
    local status=0
    # shellcheck disable=SC2086
    timeout 120 $BOARD_QEMU "$out/$board/${run_handle_program:-handle-test}" "$@" >"$work/handle.out" 2>&1 || status=$?
    if [[ $status -eq 0 ]]; then
        pass "$board handle API, $label: $(grep -v ': passed$' "$work/handle.out" | tail -1 | sed 's/^[a-z-]*handle-test: //')"
    else
        fail "$board handle API, $label: exit $status"; sed 's/^/        /' "$work/handle.out"
    fi
}

# run_device BOARD LABEL EXPECT(ok|fail|exit1) PATTERN ARGS...: runs tls-device under qemu
# (bounded). ok: exit 0, PATTERN on stdout and, when $negotiated is set, that text on stderr
# (the "negotiated TLS 1.x SUITE (group)" line); fail: a non-zero exit (not the timeout's) and
# PATTERN on stderr; exit1: exit 1, PATTERN on stderr and a response on stdout.
run_device() {
    local board=$1 label=$2 expect=$3 pattern=$4
    shift 4
    local status=0
    # shellcheck disable=SC2086
    timeout 120 $BOARD_QEMU "$out/$board/${device_program:-tls-device}" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
    if [[ $expect == exit1 ]]; then
        if [[ $status -eq 1 ]] && grep -q "$pattern" "$work/stderr" && [[ -s "$work/stdout" ]]; then
            pass "$board $label: exit 1, $(head -1 "$work/stdout" | tr -d '\r'), $(tail -1 "$work/stderr")"
        else
            fail "$board $label: exit $status, expected exit 1 with '$pattern' and a response"
            sed 's/^/        /' "$work/stderr"
        fi
    elif [[ $expect == ok ]]; then
        if [[ $status -eq 0 ]] && grep -q "$pattern" "$work/stdout" \
            && { [[ -z "${negotiated:-}" ]] || grep -qF "negotiated $negotiated" "$work/stderr"; }; then
            pass "$board $label: exit 0, $(head -1 "$work/stdout" | tr -d '\r'), $(tail -1 "$work/stderr")"
        else
            fail "$board $label: exit $status${negotiated:+, expected 'negotiated $negotiated'}"
            sed 's/^/        /' "$work/stderr"; head -5 "$work/stdout"
        fi
    else
        if [[ $status -ne 0 && $status -ne 124 ]] && grep -q "$pattern" "$work/stderr"; then
            pass "$board $label: exit $status, $(tail -1 "$work/stderr")"
        else
            fail "$board $label: exit $status, expected a failure matching '$pattern'"; sed 's/^/        /' "$work/stderr"
        fi
    fi
}

# run_key_update BOARD: a TLS 1.3 s_server (not -www: its stdin is its console) that, once
# tls-device's request has arrived, sends a KeyUpdate asking for ours ("K"), then a line under
# its new keys, then ends the connection ("q", no close_notify); tls-device must read the line
# (the engine took the KeyUpdate and answered with its own) and report the end. Bounded waits.
run_key_update() {
    local board=$1 log="$work/server-keyupdate.log" port="" status=0 spid dpid
    rm -f "$work/stdin-keyupdate" && mkfifo "$work/stdin-keyupdate"
    openssl s_server -accept 127.0.0.1:0 -tls1_3 -cert "$pki/server-ec.crt" -cert_chain "$pki/int-ec.crt" \
        -key "$pki/server-ec.key" <"$work/stdin-keyupdate" >"$log" 2>&1 &
    spid=$!
    exec {console}>"$work/stdin-keyupdate"
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    # shellcheck disable=SC2086
    timeout 30 $BOARD_QEMU "$out/$board/tls-device" --tcp "127.0.0.1:${port:-1}" --server-name localhost \
        --ca "$pki/root-ec.der" "${time_arg[@]}" --allow-missing-close-notify >"$work/stdout" 2>"$work/stderr" &
    dpid=$!
    for _ in $(seq 1 200); do grep -q "^GET / HTTP/1.0" "$log" && break; sleep 0.1; done
    printf 'K\n' >&"$console"; sleep 0.3
    printf 'after key update\n' >&"$console"; sleep 0.3
    printf 'q\n' >&"$console"
    wait "$dpid" || status=$?
    exec {console}>&-
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    if [[ $status -eq 0 ]] && grep -q "^after key update" "$work/stdout" && grep -q "negotiated TLS 1.3" "$work/stderr"; then
        pass "$board TLS 1.3, the server's KeyUpdate (update_requested) then data under its new keys: exit 0, $(tail -1 "$work/stderr")"
    else
        fail "$board TLS 1.3 KeyUpdate from the server: exit $status"; sed 's/^/        /' "$work/stderr" "$work/stdout"
    fi
}

# start_serve BOARD LABEL ARGS...: tls-device --serve --listen 127.0.0.1:0 under qemu (bounded
# by timeout), its output in $work/serve.out and .err; waits for its "listening on" line and
# sets serve_port and serve_pid. Fails the case LABEL (status 1) when it did not start.
start_serve() {
    local board=$1 label=$2
    shift 2
    rm -f "$work/serve.out" "$work/serve.err"
    # shellcheck disable=SC2086
    timeout 120 $BOARD_QEMU "$out/$board/tls-device" --serve --listen 127.0.0.1:0 --cert "$pki/server-ec.chain.pem" \
        --key "$pki/server-ec.key" "${time_arg[@]}" "$@" >"$work/serve.out" 2>"$work/serve.err" &
    serve_pid=$!
    pids+=("$serve_pid")
    serve_port=""
    for _ in $(seq 1 200); do
        serve_port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$work/serve.out" | head -1)
        [[ -n "$serve_port" ]] && break
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$serve_port" ]]; then
        fail "$board $label: tls-device --serve did not start"; sed 's/^/        /' "$work/serve.err"
        return 1
    fi
}

# s_client_get VERSION OUT ARGS...: one HTTP request through openssl s_client (bounded) to
# serve_port, checking the chain against root-ec; everything it prints goes to OUT.
s_client_get() {
    local version=$1 output=$2
    shift 2
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 60 openssl s_client -connect "127.0.0.1:$serve_port" -servername localhost \
        -CAfile "$pki/root-ec.crt" -verify_return_error -ign_eof "-tls1_${version#1.}" "$@" >"$output" 2>&1 || true
}

# finish_serve: the exit status of the tls-device --serve started last (it ends by itself
# after its connections; timeout bounds it), in serve_status.
finish_serve() {
    serve_status=0
    wait "$serve_pid" 2>/dev/null || serve_status=$?
}

start_server ec server-ec int-ec
start_server rsa server-rsa int-rsa
start_server ec13 server-ec int-ec -tls1_3
# Only P-384: the client's x25519 share is refused with a HelloRetryRequest.
start_server rsa13 server-rsa int-rsa -tls1_3 -groups P-384
# A chain refused by a named rule: the intermediate's keyUsage lacks keyCertSign.
start_server nocertsign server-under-no-certsign int-no-certsign
# External PSKs (RFC 8446 §4.2.11; RFC 4279 suites): the device is provisioned with a key.
psk_hex=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
start_server psk13 server-ec int-ec -tls1_3 -psk "$psk_hex" -psk_identity device-1
start_server psk12 server-ec int-ec -tls1_2 -psk "$psk_hex" -psk_identity device-1 -cipher 'PSK:ECDHE-PSK:@SECLEVEL=0'
start_truncating_relay "$port_ec"
start_garbage_relay ec "$port_ec"
start_garbage_relay ec13 "$port_ec13"
# Debian's mosquitto with TLS listeners on 127.0.0.1. It cannot bind port 0 and say which
# port it got, so free ports are picked here (bound to 0 and released) and the start is
# retried on a clash. Listeners: mqtt_port12 (TLS 1.2 and up) and mqtt_port13 (TLS 1.3 only)
# require a client certificate under the test roots, checked against int-ec.crl;
# mqtt_port_auth (no client certificate asked) refuses anonymous clients in CONNACK.
start_mosquitto() {
    local conf="$work/mosquitto.conf" attempt port mpid ready
    for attempt in 1 2 3 4 5; do
        read -r mqtt_port12 mqtt_port13 mqtt_port_auth < <(python3 - <<'PORTS'
import socket
sockets = [socket.socket() for _ in range(3)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in sockets])
PORTS
)
        {
            echo "per_listener_settings true"
            echo "log_dest file $work/mosquitto.log"
            echo "log_type all"
            echo "user root"   # as root it otherwise drops to user mosquitto, who cannot read the keys here
            for port in "$mqtt_port12" "$mqtt_port13" "$mqtt_port_auth"; do
                echo "listener $port 127.0.0.1"
                echo "cafile $pki/ca-bundle.pem"
                echo "certfile $pki/server-ec.chain.pem"
                echo "keyfile $pki/server-ec.key"
                if [[ $port == "$mqtt_port_auth" ]]; then
                    echo "tls_version tlsv1.2"
                    echo "allow_anonymous false"
                else
                    [[ $port == "$mqtt_port13" ]] && echo "tls_version tlsv1.3" || echo "tls_version tlsv1.2"
                    echo "require_certificate true"
                    echo "crlfile $pki/int-ec.crl"
                    echo "allow_anonymous true"
                fi
            done
        } >"$conf"
        /usr/sbin/mosquitto -c "$conf" >"$work/mosquitto.out" 2>&1 &
        mpid=$!
        ready=no
        for _ in $(seq 1 50); do
            kill -0 "$mpid" 2>/dev/null || break
            if (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port12" && exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port13" &&
                exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port_auth") 2>/dev/null; then
                ready=yes
                break
            fi
            sleep 0.1
        done
        if [[ $ready == yes ]]; then
            pids+=("$mpid")
            return 0
        fi
        kill "$mpid" 2>/dev/null || true
        wait "$mpid" 2>/dev/null || true
        echo "test-boards: mosquitto did not start (attempt $attempt):"; cat "$work/mosquitto.out" "$work/mosquitto.log" 2>/dev/null || true
    done
    echo "test-boards: mosquitto did not start on free ports"; exit 1
}
start_mosquitto
echo "test-boards: mosquitto TLS 1.2 on 127.0.0.1:$mqtt_port12, TLS 1.3 on 127.0.0.1:$mqtt_port13 (client certificate" \
    "required, int-ec.crl), anonymous refused on 127.0.0.1:$mqtt_port_auth"
mqtt_client_cert=(--cert "$pki/client-ec.chain.pem" --key "$pki/client-ec.key")
mqtt_cases=0

# run_mqtt BOARD LABEL COUNT PATTERN ARGS...: mosquitto_sub on a fresh topic first (over TLS
# with the client certificate, -C COUNT, bounded), then mqtt-telemetry under qemu publishing
# COUNT readings to it with ARGS. Passes when mqtt-telemetry exits 0 saying all COUNT
# readings went out and came back, PATTERN is on its stderr, and the subscriber received
# readings 1..COUNT, each once.
run_mqtt() {
    local board=$1 label=$2 count=$3 pattern=$4
    shift 4
    mqtt_cases=$((mqtt_cases + 1))
    local topic="tlscore/$board/case-$mqtt_cases" id="sub-$board-$mqtt_cases" status=0 sub_status=0
    # Line-buffered: its SUBACK line must show while it runs.
    stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$mqtt_port13" --cafile "$pki/root-ec.crt" --cert "$pki/client-ec.chain.pem" \
        --key "$pki/client-ec.key" --insecure -i "$id" -q 1 -t "$topic" -C "$count" -W 120 -d \
        >"$work/sub.out" 2>&1 &
    local sub=$!
    pids+=("$sub")
    for _ in $(seq 1 100); do
        grep -q 'received SUBACK' "$work/sub.out" && break
        kill -0 "$sub" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q 'received SUBACK' "$work/sub.out"; then
        fail "$board MQTT $label: mosquitto_sub did not subscribe"; sed 's/^/        /' "$work/sub.out"
        kill "$sub" 2>/dev/null || true
        return
    fi
    # shellcheck disable=SC2086
    timeout 120 $BOARD_QEMU "$out/$board/mqtt-telemetry" "$@" --topic "$topic" --count "$count" \
        "${time_arg[@]}" >"$work/mqtt.out" 2>"$work/mqtt.err" || status=$?
    if [[ $status -ne 0 ]]; then kill "$sub" 2>/dev/null || true; fi
    wait "$sub" 2>/dev/null || sub_status=$?
    local expected received
    expected=$(seq 1 "$count" | tr '\n' ' ')
    received=$(grep -o '^{"seq":[0-9]*' "$work/sub.out" | sed 's/.*://' | sort -n | tr '\n' ' ' || true)
    if [[ $status -eq 0 ]] && grep -q "$count of $count readings published" "$work/mqtt.err" &&
        grep -q "$pattern" "$work/mqtt.err" && [[ $received == "$expected" ]]; then
        pass "$board MQTT $label: exit 0, $(grep -o 'TLS 1\.[23] established ([^)]*)' "$work/mqtt.err" | head -1);" \
            "$(tail -1 "$work/mqtt.err" | sed 's/^mqtt-telemetry: //; s/ published to [^ ]*,/,/');" \
            "mosquitto_sub received readings ${expected% }"
    else
        fail "$board MQTT $label: exit $status (expected 0 and '$pattern'), mosquitto_sub exit $sub_status" \
            "received readings '${received% }' of '${expected% }'"
        sed 's/^/        /' "$work/mqtt.err"
    fi
}

# run_mqtt_fail BOARD LABEL PATTERN ARGS...: mqtt-telemetry must exit 1 (not the timeout's
# 124, not a usage error) with PATTERN on stderr.
run_mqtt_fail() {
    local board=$1 label=$2 pattern=$3
    shift 3
    mqtt_cases=$((mqtt_cases + 1))
    local status=0
    # shellcheck disable=SC2086
    timeout 120 $BOARD_QEMU "$out/$board/mqtt-telemetry" "$@" --topic "tlscore/$board/case-$mqtt_cases" \
        --count 3 --interval-ms 100 "${time_arg[@]}" >"$work/mqtt.out" 2>"$work/mqtt.err" || status=$?
    if [[ $status -eq 1 ]] && grep -q "$pattern" "$work/mqtt.err"; then
        pass "$board MQTT $label: exit 1, $(grep -v 'FAILED after' "$work/mqtt.err" | tail -1 | sed 's/^mqtt-telemetry: //')"
    else
        fail "$board MQTT $label: exit $status, expected exit 1 with '$pattern'"; sed 's/^/        /' "$work/mqtt.err"
    fi
}

# The seed of handle-test's random split points: HANDLE_SEED, or a fresh one (printed).
handle_seed=${HANDLE_SEED:-$((RANDOM * 32768 + RANDOM))}
echo "test-boards: handle-test random split points seed $handle_seed (HANDLE_SEED=$handle_seed repeats it)"
echo "test-boards: openssl s_server TLS 1.2 ECDSA on 127.0.0.1:$port_ec, RSA on 127.0.0.1:$port_rsa;" \
    "TLS 1.3 ECDSA on 127.0.0.1:$port_ec13, RSA on 127.0.0.1:$port_rsa13; truncating relay to ECDSA 1.2 on 127.0.0.1:$relay_port"
# What tls-device must print for each server (s_server's default preferences).
tls12_ec="TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
tls12_rsa="TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
tls13="TLS 1.3 TLS_AES_128_GCM_SHA256 (x25519)"
tls13_retry="TLS 1.3 TLS_AES_128_GCM_SHA256 (secp384r1)"

# run_gateway BOARD PORT LABEL ARGS...: the host simulator's pty gateway in front of
# 127.0.0.1:PORT, and one run_device over its pty at 115200 baud.
run_gateway() {
    local board=$1 port=$2 label=$3
    shift 3
    local glog="$work/gateway-$board-$port.log"
    "$hostsim" gateway --pty --server "127.0.0.1:$port" --baud 115200 >"$glog" 2>&1 &
    local gpid=$!
    pids+=($gpid)
    local pty=""
    for _ in $(seq 1 100); do
        pty=$(sed -n 's/^pty: \(\/dev\/[^ ]*\).*/\1/p' "$glog" | head -1)
        [[ -n "$pty" ]] && break
        sleep 0.1
    done
    if [[ -z "$pty" ]]; then
        fail "$board pty gateway ($label): no 'pty:' line"; cat "$glog"
    else
        run_device "$board" "pty gateway $pty at 115200 baud, $label" ok "HTTP/1.0 200 ok" \
            --tty "$pty" --baud 115200 --server-name localhost --ca "$pki/root-ec.crt" "${time_arg[@]}" "$@"
    fi
    kill "$gpid" 2>/dev/null || true
    wait "$gpid" 2>/dev/null || true
}

# run_mqtt_gateway BOARD PORT LABEL COUNT PATTERN ARGS...: the pty gateway in front of
# mosquitto at 127.0.0.1:PORT, and one run_mqtt over its pty at 115200 baud.
run_mqtt_gateway() {
    local board=$1 port=$2 label=$3 count=$4 pattern=$5
    shift 5
    local glog="$work/gateway-mqtt-$board-$port.log"
    "$hostsim" gateway --pty --server "127.0.0.1:$port" --baud 115200 >"$glog" 2>&1 &
    local gpid=$!
    pids+=($gpid)
    local pty=""
    for _ in $(seq 1 100); do
        pty=$(sed -n 's/^pty: \(\/dev\/[^ ]*\).*/\1/p' "$glog" | head -1)
        [[ -n "$pty" ]] && break
        sleep 0.1
    done
    if [[ -z "$pty" ]]; then
        fail "$board MQTT pty gateway ($label): no 'pty:' line"; cat "$glog"
    else
        run_mqtt "$board" "pty gateway $pty at 115200 baud, $label" "$count" "$pattern" \
            --tty "$pty" --baud 115200 --server-name localhost "$@"
    fi
    kill "$gpid" 2>/dev/null || true
    wait "$gpid" 2>/dev/null || true
}

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
    # TLS 1.2 servers (-tls1_2), both versions offered unless --tls 1.2.
    negotiated=$tls12_ec
    run_device "$board" "TCP ECDSA (root-ec PEM), 1.2 server, both offered" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_ec" --ca "$pki/root-ec.crt" "${time_arg[@]}"
    run_device "$board" "TCP ECDSA, --tls 1.2" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_ec" --ca "$pki/root-ec.crt" "${time_arg[@]}" --tls 1.2
    negotiated=$tls12_rsa
    run_device "$board" "TCP RSA (root-rsa DER), --tls 1.2" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_rsa" --ca "$pki/root-rsa.der" "${time_arg[@]}" --tls 1.2
    negotiated=$tls12_ec
    run_device "$board" "TCP by name, request given" ok "HTTP/1.0 200 ok" \
        --tcp "localhost:$port_ec" --ca "$pki/root-ec.der" --request 'GET /stats HTTP/1.0\r\n\r\n' "${time_arg[@]}"
    negotiated=
    run_device "$board" "wrong anchor (root-rsa for the ECDSA server)" fail "certificate: unknown issuer" \
        --tcp "127.0.0.1:$port_ec" --ca "$pki/root-rsa.der" "${time_arg[@]}"
    run_device "$board" "wrong name" fail "certificate: name mismatch" \
        --tcp "127.0.0.1:$port_ec" --ca "$pki/root-ec.der" --server-name other.example "${time_arg[@]}"
    run_device "$board" "a chain refused by a named rule (rule number and name printed)" fail \
        "certificate: refused by a named rule.*rule [0-9][0-9]*: ca-key-usage-lacks-key-cert-sign" \
        --tcp "127.0.0.1:$port_nocertsign" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}"
    echo "not a certificate" >"$work/not-a-certificate.txt"
    run_device "$board" "a CA file that holds no certificate" fail "no certificate" \
        --tcp "127.0.0.1:$port_ec" --ca "$work/not-a-certificate.txt" "${time_arg[@]}"
    run_device "$board" "close_notify removed on the way" exit1 \
        "connection closed without close_notify: the response may be truncated" \
        --tcp "127.0.0.1:$relay_port" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}"
    run_device "$board" "close_notify removed, --allow-missing-close-notify" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$relay_port" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}" \
        --allow-missing-close-notify

    # TLS 1.3 servers (-tls1_3).
    negotiated=$tls13
    run_device "$board" "TCP ECDSA, 1.3 server, both offered" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_ec13" --ca "$pki/root-ec.crt" "${time_arg[@]}"
    run_device "$board" "TCP ECDSA, --tls 1.3" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_ec13" --ca "$pki/root-ec.der" "${time_arg[@]}" --tls 1.3
    negotiated="TLS 1.3 TLS_AES_128_GCM_SHA256 (secp256r1)"
    run_device "$board" "TCP ECDSA, --tls 1.3 --group secp256r1" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_ec13" --ca "$pki/root-ec.der" "${time_arg[@]}" --tls 1.3 --group secp256r1
    negotiated=$tls13_retry
    run_device "$board" "TCP RSA, --tls 1.3, HelloRetryRequest to P-384" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_rsa13" --ca "$pki/root-rsa.der" "${time_arg[@]}" --tls 1.3
    negotiated=
    run_device "$board" "--tls 1.3 against the 1.2-only server" fail "TLS failure" \
        --tcp "127.0.0.1:$port_ec" --ca "$pki/root-ec.der" "${time_arg[@]}" --tls 1.3
    run_device "$board" "--tls 1.2 against the 1.3-only server" fail "TLS failure" \
        --tcp "127.0.0.1:$port_ec13" --ca "$pki/root-ec.der" "${time_arg[@]}" --tls 1.2
    run_device "$board" "wrong anchor, TLS 1.3" fail "certificate: unknown issuer" \
        --tcp "127.0.0.1:$port_ec13" --ca "$pki/root-rsa.der" "${time_arg[@]}"

    run_key_update "$board"

    # Mbed TLS's allocations in a fixed arena (boards/common/arena.c, --wrap=calloc/free): the
    # handshake fits in 16 KB and its high-water mark is printed; in 2 KB it ends with the
    # typed out-of-memory error, not a crash.
    for v in 1.2 1.3; do
        port=$port_ec13 negotiated=$tls13
        [[ $v == 1.2 ]] && port=$port_ec negotiated=$tls12_ec
        run_device "$board" "TLS $v, Mbed TLS in a 16 KB arena" ok "HTTP/1.0 200 ok" \
            --tcp "127.0.0.1:$port" --ca "$pki/root-ec.der" "${time_arg[@]}" --tls "$v" --arena 16384
        if grep -qE "Mbed TLS arena: high-water [0-9]+ of 16384 bytes, [0-9]+ allocations, 0 refused" "$work/stderr"; then
            pass "$board TLS $v arena figures: $(grep -o 'high-water [0-9]* of 16384 bytes' "$work/stderr")"
        else
            fail "$board TLS $v: no arena line with 0 refused"; sed 's/^/        /' "$work/stderr"
        fi
        negotiated=
        run_device "$board" "TLS $v, a 2 KB arena: out of memory, typed" fail \
            "TLS failure: out of memory.*code -45" \
            --tcp "127.0.0.1:$port" --ca "$pki/root-ec.der" "${time_arg[@]}" --tls "$v" --arena 2048
    done

    # Resumption from a session file, the bytes a board keeps in flash across deep sleep:
    # the first run stores the server's session, the second resumes from it (no
    # certificate), a corrupted file is refused with its reason and a full handshake follows.
    for v in 1.2 1.3; do
        if [[ $v == 1.2 ]]; then
            port=$port_ec first=$tls12_ec resumed="$tls12_ec with extended_master_secret, resumed (ticket)"
        else
            port=$port_ec13 first=$tls13 resumed="$tls13, resumed (PSK)"
        fi
        file="$work/session-$board-$v"
        rm -f "$file"
        negotiated=$first
        run_device "$board" "TLS $v, a first run stores its session in a file" ok "HTTP/1.0 200 ok" \
            --tcp "127.0.0.1:$port" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}" --session "$file"
        negotiated=$resumed
        run_device "$board" "TLS $v, the next run resumes from the file" ok "HTTP/1.0 200 ok" \
            --tcp "127.0.0.1:$port" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}" --session "$file"
        printf '\x55' | dd of="$file" bs=1 seek=30 conv=notrunc 2>/dev/null
        negotiated=$first
        run_device "$board" "TLS $v, a corrupted session file: full handshake" ok "HTTP/1.0 200 ok" \
            --tcp "127.0.0.1:$port" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}" --session "$file"
        if grep -q "full handshake: the stored session was not offered: session: its check does not match" "$work/stderr"; then
            pass "$board TLS $v, the corrupted session's reason is printed"
        else
            fail "$board TLS $v, no reason printed for the corrupted session"; sed 's/^/        /' "$work/stderr"
        fi
    done
    negotiated="TLS 1.3 TLS_AES_128_GCM_SHA256 (x25519), resumed (external PSK)"
    run_device "$board" "TLS 1.3 external PSK" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_psk13" --ca "$pki/root-rsa.der" --server-name localhost "${time_arg[@]}" \
        --psk-identity device-1 --psk "$psk_hex"
    negotiated="TLS 1.2 TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 with extended_master_secret"
    run_device "$board" "TLS 1.2 PSK suites" ok "HTTP/1.0 200 ok" \
        --tcp "127.0.0.1:$port_psk12" --ca "$pki/root-rsa.der" --server-name localhost "${time_arg[@]}" \
        --psk-identity device-1 --psk "$psk_hex" --psk-suites
    negotiated=
    run_device "$board" "TLS 1.2 PSK suites, a wrong key" fail "TLS failure" \
        --tcp "127.0.0.1:$port_psk12" --ca "$pki/root-rsa.der" --server-name localhost "${time_arg[@]}" \
        --psk-identity device-1 --psk "ff${psk_hex:2}" --psk-suites
    # The PSK-only build (no certificate code linked): PSKs work, a certificate is never trusted.
    if [[ -x "$out/$board/tls-device-psk" ]]; then
        device_program=tls-device-psk
        negotiated="TLS 1.3 TLS_AES_128_GCM_SHA256 (x25519), resumed (external PSK)"
        run_device "$board" "PSK-only build, TLS 1.3 external PSK" ok "HTTP/1.0 200 ok" \
            --tcp "127.0.0.1:$port_psk13" --ca "$pki/root-rsa.der" --server-name localhost "${time_arg[@]}" \
            --psk-identity device-1 --psk "$psk_hex"
        negotiated="TLS 1.2 TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 with extended_master_secret"
        run_device "$board" "PSK-only build, TLS 1.2 PSK suites" ok "HTTP/1.0 200 ok" \
            --tcp "127.0.0.1:$port_psk12" --ca "$pki/root-rsa.der" --server-name localhost "${time_arg[@]}" \
            --psk-identity device-1 --psk "$psk_hex" --psk-suites
        negotiated=
        run_device "$board" "PSK-only build, a certificate server is not trusted" fail "certificate: unknown issuer" \
            --tcp "127.0.0.1:$port_ec13" --ca "$pki/root-ec.der" --server-name localhost "${time_arg[@]}"
        device_program=tls-device
    else
        fail "$board: $out/$board/tls-device-psk is missing (run make boards)"
    fi

    # The handle API (handle-test, linked against libtlscore-noposix.a), over TLS 1.2 and 1.3.
    if [[ ! -x "$out/$board/handle-test" ]]; then
        fail "$board: $out/$board/handle-test is missing (run make boards)"
    else
        run_handle "$board" "context size checks" size
        for v in 1.2 1.3; do
            if [[ $v == 1.2 ]]; then port=$port_ec garbage=$garbage_ec; else port=$port_ec13 garbage=$garbage_ec13; fi
            common=(--port "$port" --ca "$pki/root-ec.der" --version "$v")
            run_handle "$board" "TLS $v, one byte at a time" bytewise "${common[@]}"
            run_handle "$board" "TLS $v, random split points (seed $handle_seed)" random --seed "$handle_seed" "${common[@]}"
            run_handle "$board" "TLS $v, 2 connections in one loop" parallel --count 2 "${common[@]}"
            run_handle "$board" "TLS $v, 8 connections in one loop" parallel --count 8 "${common[@]}"
            run_handle "$board" "TLS $v, garbage after the handshake" garbage --port "$garbage" --ca "$pki/root-ec.der" --version "$v"
        done
        run_handle "$board" "TLS 1.2, close_notify removed on the way" truncated --port "$relay_port" \
            --ca "$pki/root-ec.der" --version 1.2
    fi

    # The server role: tls-device --serve (the handle API over a socket) against openssl
    # s_client, and server-handle-test (a client and a server context of the core against
    # each other in memory, one byte at a time), both versions.
    if start_serve "$board" "tls-device --serve --count 2" --count 2; then
        s_client_get 1.3 "$work/s_client-13.out"
        s_client_get 1.2 "$work/s_client-12.out"
        finish_serve
        if [[ $serve_status -eq 0 ]] && grep -q '^HTTP/1.0 200 OK' "$work/s_client-13.out" \
            && grep -q 'tls-device: TLS 1.3 TLS_[A-Z0-9_]* ([a-z0-9]*), client certificate none' "$work/s_client-13.out" \
            && grep -q '^HTTP/1.0 200 OK' "$work/s_client-12.out" \
            && grep -q 'tls-device: TLS 1.2 TLS_ECDHE_ECDSA_WITH_[A-Z0-9_]*, client certificate none' "$work/s_client-12.out"; then
            pass "$board tls-device --serve --count 2: openssl s_client -tls1_3 then -tls1_2, each 200 OK; exit 0;" \
                "$(tail -1 "$work/serve.err" | sed 's/^tls-device: //')"
        else
            fail "$board tls-device --serve --count 2 (s_client 1.3 and 1.2): exit $serve_status"
            sed 's/^/        /' "$work/serve.err"; tail -5 "$work/s_client-13.out" "$work/s_client-12.out" | sed 's/^/        /'
        fi
    fi
    for v in 1.2 1.3; do
        start_serve "$board" "tls-device --serve (client certificate, TLS $v)" --tls "$v" --client-auth required \
            --client-ca "$pki/root-ec.crt" --crl "$pki/int-ec.crl" || continue
        s_client_get "$v" "$work/s_client.out" -cert "$pki/client-ec.crt" -key "$pki/client-ec.key" -cert_chain "$pki/int-ec.crt"
        finish_serve
        if [[ $serve_status -eq 0 ]] && grep -q '^HTTP/1.0 200 OK' "$work/s_client.out" \
            && grep -q "tls-device: TLS $v .*client certificate verified" "$work/s_client.out"; then
            pass "$board tls-device --serve --tls $v --client-auth required, s_client with client-ec: exit 0;" \
                "$(grep -o 'client certificate verified.*' "$work/s_client.out" | head -1)"
        else
            fail "$board tls-device --serve --tls $v --client-auth required, s_client with client-ec: exit $serve_status"
            sed 's/^/        /' "$work/serve.err"; tail -5 "$work/s_client.out" | sed 's/^/        /'
        fi
        start_serve "$board" "tls-device --serve (no client certificate, TLS $v)" --tls "$v" --client-auth required \
            --client-ca "$pki/root-ec.crt" || continue
        s_client_get "$v" "$work/s_client.out"
        finish_serve
        # TLS 1.3: certificate_required (116); TLS 1.2: handshake_failure (40, RFC 5246 §7.4.6).
        if [[ $v == 1.3 ]]; then
            alert='SSL alert number 116' reason='TLS failure: a client certificate is required and none was sent'
        else
            alert='SSL alert number 40' reason='TLS failure: handshake failure'
        fi
        if [[ $serve_status -eq 1 ]] && grep -q "$alert" "$work/s_client.out" && ! grep -q '^HTTP/1.0 200' "$work/s_client.out" \
            && grep -q "$reason" "$work/serve.err"; then
            pass "$board tls-device --serve --tls $v --client-auth required, no client certificate: s_client saw '$alert';" \
                "exit 1, $(tail -1 "$work/serve.err" | sed 's/^tls-device: //')"
        else
            fail "$board tls-device --serve --tls $v, required but missing: exit $serve_status, expected 1 and '$alert'"
            sed 's/^/        /' "$work/serve.err"; tail -5 "$work/s_client.out" | sed 's/^/        /'
        fi
    done
    if [[ ! -x "$out/$board/server-handle-test" ]]; then
        fail "$board: $out/$board/server-handle-test is missing (run make boards)"
    else
        server_files=(--cert "$pki/server-ec.chain.pem" --key "$pki/server-ec.key" --ca "$pki/root-ec.der")
        run_handle_program=server-handle-test
        run_handle "$board" "server, context size checks" size "${server_files[@]}"
        for v in 1.2 1.3; do
            run_handle "$board" "server, TLS $v, client and server in memory, one byte at a time" memory --version "$v" \
                "${server_files[@]}"
            run_handle "$board" "server, TLS $v, in memory with a client certificate (required)" memory --version "$v" \
                "${server_files[@]}" --client-auth required --client-cert "$pki/client-ec.chain.pem" --client-key "$pki/client-ec.key"
            run_handle "$board" "server, TLS $v, in memory, required but missing" memory --version "$v" \
                "${server_files[@]}" --client-auth required --expect-failure
            run_handle "$board" "server, TLS $v, both keys in signer callbacks (tlscore_sign_fn)" memory --version "$v" \
                "${server_files[@]}" --client-auth required --client-cert "$pki/client-ec.chain.pem" --client-key "$pki/client-ec.key" \
                --signer
            run_handle "$board" "server, TLS $v, ticket_key: the second connection resumes" memory --version "$v" \
                "${server_files[@]}" --resume ticket
        done
        run_handle "$board" "server, TLS 1.2, session_cache: the second connection resumes by session ID" memory --version 1.2 \
            "${server_files[@]}" --resume session-id
        run_handle_program=
    fi

    if [[ $gateway == yes ]]; then
        negotiated=$tls12_ec
        run_gateway "$board" "$port_ec" "TLS 1.2 (--tls 1.2)" --tls 1.2
        negotiated=$tls13
        run_gateway "$board" "$port_ec13" "TLS 1.3 (both offered)"
        negotiated=
    fi

    # MQTT over TLS: mqtt-telemetry against mosquitto.
    if [[ ! -x "$out/$board/mqtt-telemetry" ]]; then
        fail "$board: $out/$board/mqtt-telemetry is missing (run make boards)"
    else
        run_mqtt "$board" "TCP, TLS 1.2, client certificate, 5 readings" 5 "TLS 1.2 established.*client certificate sent" \
            --tcp "127.0.0.1:$mqtt_port12" --tls 1.2 --ca "$pki/root-ec.crt" "${mqtt_client_cert[@]}" --interval-ms 200
        run_mqtt "$board" "TCP, TLS 1.3, client certificate (DER), 5 readings" 5 "TLS 1.3 established.*client certificate sent" \
            --tcp "127.0.0.1:$mqtt_port13" --tls 1.3 --ca "$pki/root-ec.der" --cert "$pki/client-ec.chain.pem" \
            --key "$pki/client-ec.key.der" --interval-ms 200
        run_mqtt "$board" "TCP, both versions offered, keepalive 2 s: PINGREQ between readings" 3 \
            "[1-9][0-9]* PINGREQ, [1-9][0-9]* PINGRESP" \
            --tcp "localhost:$mqtt_port13" --ca "$pki/root-ec.crt" "${mqtt_client_cert[@]}" --interval-ms 1500 --keepalive 2
        run_mqtt_fail "$board" "revoked client certificate, TLS 1.2 (int-ec.crl)" "TLS failure.*certificate_revoked" \
            --tcp "127.0.0.1:$mqtt_port12" --tls 1.2 --ca "$pki/root-ec.crt" \
            --cert "$pki/client-ec-revoked.chain.pem" --key "$pki/client-ec-revoked.key"
        run_mqtt_fail "$board" "revoked client certificate, TLS 1.3 (int-ec.crl)" "TLS failure.*certificate_revoked" \
            --tcp "127.0.0.1:$mqtt_port13" --tls 1.3 --ca "$pki/root-ec.crt" \
            --cert "$pki/client-ec-revoked.chain.pem" --key "$pki/client-ec-revoked.key"
        run_mqtt_fail "$board" "no client certificate for a broker that requires one" \
            "TLS failure.*handshake_failure" --tcp "127.0.0.1:$mqtt_port12" --tls 1.2 --ca "$pki/root-ec.crt"
        # TLS 1.3 too, and the report says the empty Certificate was for want of one configured
        # (its 8 bytes once read as a certificate sent).
        run_mqtt_fail "$board" "no client certificate, TLS 1.3: the report says none is configured" \
            "an empty one went out (none configured" --tcp "127.0.0.1:$mqtt_port13" --ca "$pki/root-ec.crt"
        run_mqtt_fail "$board" "wrong CA (root-rsa for the ECDSA broker)" "TLS failure.*certificate: unknown issuer" \
            --tcp "127.0.0.1:$mqtt_port13" --ca "$pki/root-rsa.crt" "${mqtt_client_cert[@]}"
        run_mqtt_fail "$board" "anonymous client refused in CONNACK" "CONNACK return code 5 (not authorized)" \
            --tcp "127.0.0.1:$mqtt_port_auth" --ca "$pki/root-ec.crt"
        # A TLS server that is no broker: s_server -www waits for an HTTP line that CONNECT
        # never ends, so the CONNACK wait must end at the example's timeout (20 s), not hang.
        run_mqtt_fail "$board" "a TLS peer that never answers CONNECT (openssl s_server -www): bounded stall" \
            "stalled: no progress waiting for CONNACK within" --tcp "127.0.0.1:$port_ec13" --ca "$pki/root-ec.crt"
        if [[ $gateway == yes ]]; then
            run_mqtt_gateway "$board" "$mqtt_port12" "TLS 1.2, client certificate" 3 "TLS 1.2 established" \
                --tls 1.2 --ca "$pki/root-ec.crt" "${mqtt_client_cert[@]}" --interval-ms 300
            run_mqtt_gateway "$board" "$mqtt_port13" "TLS 1.3, client certificate" 3 "TLS 1.3 established" \
                --tls 1.3 --ca "$pki/root-ec.crt" "${mqtt_client_cert[@]}" --interval-ms 300
        fi
    fi
done
if [[ $gateway == no ]]; then
    echo "test-boards: SKIPPED the pty gateway part: 'hostsim gateway --pty' not found (${hostsim:-no hostsim binary})"
fi

echo "test-boards: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
