#!/usr/bin/env bash
# `make mcu-demo`: the bare-metal Cortex-M4 board on the line. Builds the firmware
# (scripts/build-mcu.sh) and hostsim, starts openssl s_server with the test PKI on 127.0.0.1,
# `hostsim gateway --pty` in front of it (115200 baud, 8N1 pacing) and QEMU's mps2-an386 with
# UART0 on the gateway's pty and the firmware's console on semihosting; shows the console
# (the handshake's steps with the board's times, the start of the response) and the figures,
# and stops every process it started. Every wait has a timeout.
#
# Sourced by scripts/test-mcu.sh for mcu_exchange (MCU_SOURCED=1 skips the demo itself).
set -euo pipefail
cd "$(dirname "$0")/.."

pki=Tests/Fixtures/pki
mcu_work=$(mktemp -d /tmp/tlscore-mcu.XXXXXX)
mcu_pids=()
mcu_cleanup() {
    local pid
    for pid in "${mcu_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${mcu_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$mcu_work"
}
trap mcu_cleanup EXIT INT TERM

mcu_hostsim() {
    swift build --product hostsim >"$mcu_work/hostsim-build.log" 2>&1 ||
        { cat "$mcu_work/hostsim-build.log" >&2; return 1; }
    hostsim="$(swift build --show-bin-path)/hostsim"
}

# mcu_exchange NAME ELF ANCHOR SERVER_CERT ISSUER VERSION_OPTION [FIRMWARE_ARGS...]:
# one connection of the firmware through the gateway to a fresh s_server. The console goes
# to $mcu_work/NAME.console (and stdout with MCU_SHOW=1); sets mcu_status to QEMU's exit
# status (the firmware's: 0 done, 1 the connection failed, 2 setup, 3 fault, 4 timeout).
mcu_exchange() {
    local name=$1 elf=$2 anchor=$3 cert=$4 issuer=$5 version=$6
    shift 6
    local log=$mcu_work/$name.server.log port="" pty="" seed spid gpid
    mkfifo "$mcu_work/$name.stdin"
    # s_server reads commands from stdin: a fifo held open and never written.
    openssl s_server -accept 127.0.0.1:0 "$version" -cert "$pki/$cert.crt" -cert_chain "$pki/$issuer.crt" \
        -key "$pki/$cert.key" -www <"$mcu_work/$name.stdin" >"$log" 2>&1 &
    spid=$!
    mcu_pids+=("$spid")
    exec {hold}>"$mcu_work/$name.stdin"
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
        [[ -n $port ]] && break
        sleep 0.1
    done
    [[ -n $port ]] || { echo "mcu: openssl s_server did not start:" >&2; cat "$log" >&2; return 1; }
    # shellcheck disable=SC2086  # MCU_GATEWAY_ARGS: extra gateway options (the fault tests).
    "$hostsim" gateway --pty --server "127.0.0.1:$port" --baud 115200 --idle 60 ${MCU_GATEWAY_ARGS:-} \
        >"$mcu_work/$name.gateway.out" 2>"$mcu_work/$name.gateway.log" &
    gpid=$!
    mcu_pids+=("$gpid")
    for _ in $(seq 1 100); do
        pty=$(sed -n 's/^pty: //p' "$mcu_work/$name.gateway.out")
        [[ -n $pty ]] && break
        sleep 0.1
    done
    [[ -n $pty ]] || { echo "mcu: the gateway gave no pty:" >&2; cat "$mcu_work/$name.gateway.log" >&2; return 1; }
    # TEST-ONLY entropy for the emulated board (no TRNG): a fresh host seed per run.
    seed=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    local start end
    start=$(date +%s%N)
    set +e
    timeout 60 qemu-system-arm -M mps2-an386 -display none -monitor none \
        -semihosting-config enable=on,target=native -kernel "$elf" -serial "$pty" \
        -append "anchor=$pki/$anchor.der name=localhost seed=$seed timeout=30 $*" \
        >"$mcu_work/$name.console" 2>&1
    mcu_status=$?
    set -e
    end=$(date +%s%N)
    mcu_wall_ms=$(((end - start) / 1000000))
    [[ ${MCU_SHOW:-0} == 1 ]] && sed 's/^/  | /' "$mcu_work/$name.console"
    # The gateway ends when the device's side closes (QEMU exited); s_server is stopped.
    for _ in $(seq 1 50); do kill -0 "$gpid" 2>/dev/null || break; sleep 0.1; done
    kill "$gpid" "$spid" 2>/dev/null || true
    wait "$gpid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    exec {hold}>&-
    return 0
}

[[ ${MCU_SOURCED:-0} == 1 ]] && return 0

echo "mcu-demo: building the firmware"
./scripts/build-mcu.sh | sed -n '/^build-mcu: \.build-mcu/,$p'
mcu_hostsim
echo
for run in "1.3:-tls1_3" "1.2:-tls1_2"; do
    v=${run%%:*}
    echo "mcu-demo: TLS $v: openssl s_server $(echo "${run#*:}") (ECDSA P-256 chain) <- hostsim gateway (115200 baud) <- qemu mps2-an386 UART0"
    MCU_SHOW=1 mcu_exchange "tls$v" .build-mcu/firmware.elf root-ec server-ec int-ec "${run#*:}"
    echo "mcu-demo: firmware exit status $mcu_status; QEMU ran $mcu_wall_ms ms in all (boot to exit, emulated, host wall time)"
    echo
done
