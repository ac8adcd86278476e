#!/usr/bin/env bash
# `make mcu`: the bare-metal Cortex-M4 board (boards/cortex-m4-mps2, QEMU mps2-an386). Builds
# Mbed TLS from Debian's source package (scripts/build-mcu-mbedtls.sh), compiles Sources/TLSCore
# and boards/TLSCoreCAPI.swift (the handle API, client role) as Embedded Swift for
# armv7em-none-none-eabi (Thumb-2, soft float) against newlib's and that Mbed TLS's headers,
# links them with the board's startup, UART driver, semihosting and newlib-nano stubs and
# firmware into .build-mcu/firmware.elf (its map beside it), and prints the flash and static
# RAM figures by component. MCU_RECORD=N builds the profile with max_fragment_length N
# (regions sized for it) into .build-mcu/firmware-mflN.elf.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build-mcu
board=boards/cortex-m4-mps2
record=${MCU_RECORD:-16384}
suffix=$([[ $record == 16384 ]] && echo "" || echo "-mfl$record")
elf=$out/firmware$suffix.elf
map=$out/firmware$suffix.map

./scripts/build-mcu-mbedtls.sh
mbed=$out/mbedtls

mkdir -p "$out/obj"
core_sources=$(find Sources/TLSCore -name '*.swift' | sort)
common=(
    -enable-experimental-feature Embedded -no-allocations
    -enable-experimental-feature Lifetimes
    -wmo -parse-as-library -Osize -target armv7em-none-none-eabi
    -Xfrontend -function-sections -Xfrontend -disable-stack-protector
    -Xfrontend -sil-inline-threshold -Xfrontend 0 -Xfrontend -mergeable-traps
    -I Sources/CMbedTLS -I boards/include -I "$out/obj"
    # The board's Mbed TLS headers (its own config) and newlib's, the soft-float ABI.
    -Xcc -isystem -Xcc "$mbed/include" -Xcc -isystem -Xcc /usr/lib/arm-none-eabi/include -Xcc -mfloat-abi=soft
)
# The Swift objects are rebuilt when a source or the Mbed TLS headers changed.
# shellcheck disable=SC2086
if [[ ! -f $out/obj/TLSCore.o || -n $(find $core_sources "$mbed/stamp" -newer "$out/obj/TLSCore.o" | head -1) ]]; then
    echo "build-mcu: TLSCore as Embedded Swift for armv7em-none-none-eabi"
    # shellcheck disable=SC2086
    swiftc "${common[@]}" -module-name TLSCore -emit-module -emit-module-path "$out/obj/TLSCore.swiftmodule" \
        -c $core_sources -o "$out/obj/TLSCore.o"
fi
if [[ ! -f $out/obj/TLSCoreCAPI.o || -n $(find boards/TLSCoreCAPI.swift "$out/obj/TLSCore.o" -newer "$out/obj/TLSCoreCAPI.o" | head -1) ]]; then
    echo "build-mcu: the handle API (boards/TLSCoreCAPI.swift) for armv7em-none-none-eabi"
    swiftc "${common[@]}" -module-name TLSCoreCAPI -emit-module -emit-module-path "$out/obj/TLSCoreCAPI.swiftmodule" \
        -c boards/TLSCoreCAPI.swift -o "$out/obj/TLSCoreCAPI.o"
fi
rm -f "$out/libtlscore-mcu.a"
arm-none-eabi-ar rcs "$out/libtlscore-mcu.a" "$out/obj/TLSCore.o" "$out/obj/TLSCoreCAPI.o"

# 32-bit enums as clang's (the Swift objects') AAPCS: Mbed TLS structs hold enums.
cflags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -fno-short-enums -Os -g -std=c11 -Wall -Wextra
    -ffunction-sections -fdata-sections -I boards/include -I "$board" -isystem "$mbed/include"
    -DMCU_RECORD_PLAINTEXT="$record" ${MCU_CFLAGS:-})
arm-none-eabi-gcc "${cflags[@]}" --specs=nano.specs -nostartfiles -T "$board/link.ld" \
    "$board/startup.c" "$board/main.c" "$board/uart.c" "$board/semihosting.c" "$board/syscalls.c" \
    -L "$out" -ltlscore-mcu -L "$mbed" -lmbedcrypto \
    -Wl,--gc-sections -Wl,-Map="$map" -Wl,--print-memory-usage -o "$elf" >"$out/link$suffix.log" 2>&1 ||
    { cat "$out/link$suffix.log" >&2; exit 1; }

# Sums (text = code + read-only data, data, bss) of the input sections the map attributes to
# files matching $1, after --gc-sections.
map_sizes() {
    awk -v pat="$1" '
        function hex(text,   i, n) {
            n = 0
            for (i = 3; i <= length(text); i++) n = n * 16 + index("0123456789abcdef", substr(text, i, 1)) - 1
            return n
        }
        function add(size, file) {
            if (file !~ pat) return
            size = hex(size)
            if (out == ".bss") bss += size
            else if (out == ".data") data += size
            else if (out == ".text" || out ~ /^\.ARM\.exidx/) text += size
        }
        /^Discarded input sections/ { discarded = 1 }
        /^Linker script and memory map/ { discarded = 0 }
        discarded { next }
        /^\.[^ \t]+/ { out = $1 }
        /^ \.[^ \t]+[ \t]+0x[0-9a-f]+[ \t]+0x[0-9a-f]+[ \t]+/ { add($3, $4); pending = ""; next }
        /^ \.[^ \t]+$/ { pending = $1; next }
        pending != "" && /^[ \t]+0x[0-9a-f]+[ \t]+0x[0-9a-f]+[ \t]+/ { add($2, $3); pending = ""; next }
        { pending = "" }
        END { printf "%d %d %d\n", text, data, bss }' "$map"
}
read -r core_t core_d core_b < <(map_sizes 'TLSCore(CAPI)?\.o|libtlscore-mcu\.a')
read -r mbed_t mbed_d mbed_b < <(map_sizes 'libmbedcrypto\.a')
read -r libc_t libc_d libc_b < <(map_sizes 'libc_nano\.a|libg_nano\.a|libgcc\.a|libnosys\.a|libm\.a')
read -r board_t board_d board_b < <(map_sizes '(startup|main|uart|semihosting|syscalls)\.o|cc[A-Za-z0-9]+\.o')
read -r all_t all_d all_b < <(arm-none-eabi-size -A "$elf" | awk '$1 == ".text" || $1 ~ /^\.ARM/ { t += $2 } $1 == ".data" { d += $2 } $1 == ".bss" { b += $2 } END { print t, d, b }')
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
flash=$((all_t + all_d))
echo
echo "build-mcu: $elf (records up to $record bytes)"
echo "Flash (text + rodata + .data's initial values), after --gc-sections, from the link map:"
printf '  %-34s %7d bytes %6s KB\n' "core (TLSCore + handle API, Swift)" "$((core_t + core_d))" "$(kb $((core_t + core_d)))"
printf '  %-34s %7d bytes %6s KB\n' "Mbed TLS (libmbedcrypto.a)" "$((mbed_t + mbed_d))" "$(kb $((mbed_t + mbed_d)))"
printf '  %-34s %7d bytes %6s KB\n' "libc (newlib-nano) + libgcc" "$((libc_t + libc_d))" "$(kb $((libc_t + libc_d)))"
printf '  %-34s %7d bytes %6s KB\n' "board (startup, UART, firmware)" "$((board_t + board_d))" "$(kb $((board_t + board_d)))"
printf '  %-34s %7d bytes %6s KB   (target <= 128 KB: %s)\n' "whole image" "$flash" "$(kb "$flash")" \
    "$( ((flash <= 128 * 1024)) && echo met || echo NOT met)"
stack=$(awk '/^STACK_SIZE/ { gsub(/[K;]/, "", $3); print $3 * 1024 }' "$board/link.ld")
echo "Static RAM (.data + .bss; the regions, context and arena are in the firmware's .bss), stack $stack bytes:"
printf '  %-34s %7d bytes\n' "core .data + .bss" "$((core_d + core_b))"
printf '  %-34s %7d bytes\n' "Mbed TLS .data + .bss" "$((mbed_d + mbed_b))"
printf '  %-34s %7d bytes\n' "libc .data + .bss" "$((libc_d + libc_b))"
printf '  %-34s %7d bytes   (regions, context, arena, anchor buffer)\n' "board .data + .bss" "$((board_d + board_b))"
printf '  %-34s %7d bytes %6s KB   (+ stack %d = %s KB of the 128 KB budget)\n' "whole image" "$((all_d + all_b))" \
    "$(kb $((all_d + all_b)))" "$stack" "$(kb $((all_d + all_b + stack)))"
echo "figures: flash core=$((core_t + core_d)) mbedtls=$((mbed_t + mbed_d)) libc=$((libc_t + libc_d)) board=$((board_t + board_d)) total=$flash ram_static=$((all_d + all_b)) stack=$stack" >"$out/figures$suffix.txt"
