#!/usr/bin/env bash
# `make mcu-test` (part of `make test`): the bare-metal Cortex-M4 firmware (.build-mcu, built
# by `make mcu`) under QEMU mps2-an386, its UART0 through `hostsim gateway --pty` (115200
# baud) to openssl s_server with the test PKI: a TLS 1.3 exchange, a TLS 1.2 one (a -tls1_2
# server: the firmware offers both), and a wrong anchor refused (exit status 1, the typed error
# on the console, the alert sent). Each run is bounded (QEMU 60 s, the firmware's own loop 30 s);
# every process started is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

MCU_SOURCED=1
# shellcheck source=scripts/mcu-demo.sh
source scripts/mcu-demo.sh
elf=.build-mcu/firmware.elf
[[ -f $elf ]] || { echo "test-mcu: $elf missing: make mcu" >&2; exit 1; }
mcu_hostsim

passed=0
failed=0
check() {   # check NAME CONDITION-TEXT (the console is $mcu_work/NAME.console)
    local name=$1 what=$2
    shift 2
    if "$@"; then
        passed=$((passed + 1)); echo "  ok    $name: $what"
    else
        failed=$((failed + 1)); echo "  FAIL  $name: $what (exit status $mcu_status); console:"
        sed 's/^/    | /' "$mcu_work/$name.console"
        sed 's/^/    gateway: /' "$mcu_work/$name.gateway.log"
    fi
}
console_has() { grep -qF -- "$2" "$mcu_work/$1.console"; }

echo "test-mcu: $elf under qemu-system-arm -M mps2-an386, UART0 through hostsim gateway to openssl s_server"
mcu_exchange tls13 "$elf" root-ec server-ec int-ec -tls1_3
check tls13 "TLS 1.3 handshake, GET /, HTTP/1.0 200 ok, close_notify (${mcu_wall_ms} ms)" \
    eval '[[ $mcu_status == 0 ]] && console_has tls13 "firmware: TLS 1.3, suite" && console_has tls13 "HTTP/1.0 200 ok" && console_has tls13 "close_notify 1" && console_has tls13 "firmware: done"'

mcu_exchange tls12 "$elf" root-ec server-ec int-ec -tls1_2
check tls12 "TLS 1.2 (the server offers only that), HTTP/1.0 200 ok, close_notify (${mcu_wall_ms} ms)" \
    eval '[[ $mcu_status == 0 ]] && console_has tls12 "firmware: TLS 1.2, suite 0xc02b" && console_has tls12 "HTTP/1.0 200 ok" && console_has tls12 "firmware: done"'

mcu_exchange wrong-anchor "$elf" other-root-ec server-ec int-ec -tls1_3
check wrong-anchor "another root refused: exit status 1, certificate: unknown issuer (-103), no data (${mcu_wall_ms} ms)" \
    eval '[[ $mcu_status == 1 ]] && console_has wrong-anchor "(code -103," && ! console_has wrong-anchor "HTTP/1.0 200 ok" && grep -q "alert" "$mcu_work/wrong-anchor.server.log"'

# Faults end in a typed error on the console (exit 1), never a hard fault (3) or a hang (4,
# or QEMU's 60 s): an arena too small for Mbed TLS, and bytes flipped on the line.
mcu_exchange small-arena "$elf" root-ec server-ec int-ec -tls1_3 arena=1024
check small-arena "a 1 KB arena: exit status 1, out of memory (-45) (${mcu_wall_ms} ms)" \
    eval '[[ $mcu_status == 1 ]] && console_has small-arena "(code -45," && ! console_has small-arena "HTTP/1.0 200 ok"'

MCU_GATEWAY_ARGS="--fault down:flip@300" mcu_exchange flipped "$elf" root-ec server-ec int-ec -tls1_3
check flipped "a byte flipped on the way down: exit status 1, a typed error (${mcu_wall_ms} ms)" \
    eval '[[ $mcu_status == 1 ]] && console_has flipped "(code -" && ! console_has flipped "HTTP/1.0 200 ok"'

# The stack stayed inside its budget in every run (the painted high-water mark).
for name in tls13 tls12 wrong-anchor small-arena flipped; do
    check "$name" "stack high-water mark within the linker script's budget" \
        eval '! console_has '"$name"' "stack budget exceeded" && console_has '"$name"' "stack_high_water="'
done
grep -h '^figures:' "$mcu_work"/tls13.console "$mcu_work"/tls12.console | sed 's/^figures: ram /  ram: /'

echo "test-mcu: $passed passed, $failed failed"
[[ ${MCU_KEEP:-0} == 1 ]] && cp "$mcu_work"/*.console /tmp/ 2>/dev/null
[[ $failed == 0 ]]
