#!/usr/bin/env bash
# `make boards`: for every boards/<board>/board.env, compiles Sources/TLSCore and
# Sources/TLSPlatform as Embedded Swift (-no-allocations, -Osize, -function-sections) together
# with boards/TLSCoreCAPI.swift + TLSCoreCAPIPOSIX.swift (the C API of boards/include/tlscore.h,
# -D TLSCORE_POSIX) into .build-boards/<board>/libtlscore.a, and the core with
# boards/TLSCoreCAPI.swift alone (the handle API, no OS calls) into libtlscore-noposix.a, which
# it checks references no poll/read/getrandom/clock_gettime. Links boards/tls-device.c against
# libtlscore.a, boards/examples/mqtt-telemetry.c (the MQTT-over-TLS example of the handle
# API) against libtlscore.a and boards/tests/handle-test.c and server-handle-test.c against
# libtlscore-noposix.a (with the board's Mbed TLS) into .build-boards/<board>/ (the C programs
# share boards/common/der-file.c; boards/TLSCoreCAPIServer.swift, the server role, is in
# libtlscore.a and libtlscore-noposix.a, not in libtlscore-psk.a), and prints what the core costs in the linked
# programs beside Mbed TLS. BOARDS="aarch64-linux" limits the run.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build-boards
boards=(${BOARDS:-$(cd boards && for f in */board.env; do echo "${f%/board.env}"; done)})

core_sources=$(find Sources/TLSCore -name '*.swift' | sort)
platform_sources=$(find Sources/TLSPlatform -name '*.swift' | sort)

# Berkeley-style sums (text = code + read-only data, data, bss) of the input sections that a
# link map attributes to files matching $1, after --gc-sections. Output: "text data bss code".
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
            if (out ~ /^\.(bss|tbss)/) bss += size
            else if (out ~ /^\.(data|tdata|init_array|fini_array|got)/) data += size
            else text += size
            if (out == ".text") code += size
        }
        /^DISCARDED|^Discarded input sections/ { discarded = 1 }
        /^Memory map|^Linker script and memory map/ { discarded = 0 }
        discarded { next }
        /^\.[^ \t]+/ { out = $1 }                      # an output section
        /^ \.[^ \t]+[ \t]+0x[0-9a-f]+[ \t]+0x[0-9a-f]+[ \t]+/ { add($3, $4); pending = ""; next }
        /^ \.[^ \t]+$/ { pending = $1; next }           # long input section name, sizes follow
        pending != "" && /^[ \t]+0x[0-9a-f]+[ \t]+0x[0-9a-f]+[ \t]+/ { add($2, $3); pending = ""; next }
        { pending = "" }
        END { printf "%d %d %d %d\n", text, data, bss, code }' "$2"
}

# `size` totals (text data bss) of static libraries.
archive_sizes() {
    size -t "$@" | awk 'END { print $1, $2, $3 }'
}

table=()
server_table=()
psk_table=()
noposix_table=()
noposix_checks=()
for board in "${boards[@]}"; do
    BOARD_SWIFT_TARGET= BOARD_SWIFT_FLAGS= BOARD_CC= BOARD_CFLAGS= BOARD_LIBDIR= BOARD_THUMB= BOARD_CLANG_FLAGS=
    # shellcheck disable=SC1090
    source "boards/$board/board.env"
    dir="$out/$board"
    mkdir -p "$dir/obj"
    # shellcheck disable=SC2206
    board_flags=($BOARD_SWIFT_FLAGS)
    common=(
        -enable-experimental-feature Embedded -no-allocations
        -enable-experimental-feature Lifetimes
        -wmo -parse-as-library -Osize -target "$BOARD_SWIFT_TARGET"
        -Xfrontend -function-sections -Xfrontend -disable-stack-protector
        # Size over speed (README, Boards, Sizes): the SIL performance inliner off (threshold
        # 0; @inline(__always), transparent and LLVM's size-tuned inlining still apply), and
        # trap blocks that LLVM may merge (one per function, not one per check). Every check
        # still traps.
        -Xfrontend -sil-inline-threshold -Xfrontend 0 -Xfrontend -mergeable-traps
        -I Sources/CMbedTLS -I Sources/CPOSIX -I boards/include -I "$dir/obj"
        # The cross sysroot's C headers first; /usr/include after them, for Mbed TLS's only.
        "${board_flags[@]}" -Xcc -idirafter -Xcc /usr/include
    )
    # compile MODULE SOURCES...: one Embedded Swift module into $dir/obj/MODULE.o (and its
    # .swiftmodule). With BOARD_THUMB=yes the code is Thumb-2: Swift 6.3 ships no Embedded
    # stdlib for a thumbv7 triple, so swiftc emits the optimised LLVM IR for the ARM triple
    # and the toolchain's clang generates Thumb-2 code from it (about 30% smaller).
    # The objects go to $objdir ($dir/obj unless set).
    compile() {
        local module=$1 objdir=${objdir:-$dir/obj}
        shift
        if [[ "${BOARD_THUMB:-no}" == yes ]]; then
            swiftc "${common[@]}" -module-name "$module" -emit-module \
                -emit-module-path "$objdir/$module.swiftmodule" -emit-ir "$@" -o "$objdir/$module.ll"
            sed -i 's/-thumb-mode/+thumb-mode/g' "$objdir/$module.ll"
            # shellcheck disable=SC2086
            "$(dirname "$(command -v swiftc)")/clang" $BOARD_CLANG_FLAGS -mthumb -Os -ffunction-sections \
                -fdata-sections -Wno-override-module -c "$objdir/$module.ll" -o "$objdir/$module.o"
        else
            swiftc "${common[@]}" -module-name "$module" -emit-module \
                -emit-module-path "$objdir/$module.swiftmodule" -c "$@" -o "$objdir/$module.o"
        fi
    }
    echo "boards: $board ($BOARD_SWIFT_TARGET${BOARD_THUMB:+, thumb=$BOARD_THUMB}, $BOARD_CC)"
    # shellcheck disable=SC2086
    compile TLSCore $core_sources
    # shellcheck disable=SC2086
    compile TLSPlatform $platform_sources
    compile TLSCoreCAPI -D TLSCORE_POSIX boards/TLSCoreCAPI.swift boards/TLSCoreCAPIServer.swift boards/TLSCoreCAPIPOSIX.swift
    mkdir -p "$dir/obj-noposix"
    objdir="$dir/obj-noposix" compile TLSCoreCAPI boards/TLSCoreCAPI.swift boards/TLSCoreCAPIServer.swift
    rm -f "$dir/libtlscore.a" "$dir/libtlscore-noposix.a"
    ar rcs "$dir/libtlscore.a" "$dir/obj/TLSCore.o" "$dir/obj/TLSPlatform.o" "$dir/obj/TLSCoreCAPI.o"
    ar rcs "$dir/libtlscore-noposix.a" "$dir/obj/TLSCore.o" "$dir/obj-noposix/TLSCoreCAPI.o"
    # The POSIX-free library's link check: none of the OS calls the POSIX pieces make.
    os_calls=$(nm -u "$dir/libtlscore-noposix.a" | awk '{print $NF}' | grep -xE 'poll|read|write|send|getrandom|clock_gettime|fcntl' | sort -u | tr '\n' ' ' || true)
    if [[ -n "$os_calls" ]]; then
        echo "boards: $board: libtlscore-noposix.a references OS calls: $os_calls"; exit 1
    fi
    noposix_checks+=("$(printf '  %s: nm -u libtlscore-noposix.a: no poll/read/write/send/getrandom/clock_gettime/fcntl undefined: passed' "$board")")

    # shellcheck disable=SC2086
    "$BOARD_CC" $BOARD_CFLAGS -std=c11 -Wall -Wextra -ffunction-sections -fdata-sections -I boards/include -I boards/common \
        boards/tls-device.c boards/common/der-file.c boards/common/arena.c -Wl,--wrap=calloc -Wl,--wrap=free -o "$dir/tls-device" \
        -L "$dir" -ltlscore \
        -Wl,-Bstatic -L "$BOARD_LIBDIR" -lmbedtls -lmbedx509 -lmbedcrypto -Wl,-Bdynamic \
        -Wl,--gc-sections -Wl,-Map="$dir/tls-device.map"

    # shellcheck disable=SC2086
    "$BOARD_CC" $BOARD_CFLAGS -std=c11 -Wall -Wextra -ffunction-sections -fdata-sections -I boards/include -I boards/common \
        boards/examples/mqtt-telemetry.c boards/common/der-file.c -o "$dir/mqtt-telemetry" \
        -L "$dir" -ltlscore \
        -Wl,-Bstatic -L "$BOARD_LIBDIR" -lmbedtls -lmbedx509 -lmbedcrypto -Wl,-Bdynamic \
        -Wl,--gc-sections

    # shellcheck disable=SC2086
    "$BOARD_CC" $BOARD_CFLAGS -std=c11 -Wall -Wextra -ffunction-sections -fdata-sections -I boards/include \
        boards/tests/handle-test.c -o "$dir/handle-test" \
        -L "$dir" -ltlscore-noposix \
        -Wl,-Bstatic -L "$BOARD_LIBDIR" -lmbedtls -lmbedx509 -lmbedcrypto -Wl,-Bdynamic \
        -Wl,--gc-sections -Wl,-Map="$dir/handle-test.map"
    # shellcheck disable=SC2086
    # The test's "secure element" signs with Mbed TLS's pk: its (architecture-independent)
    # headers are in /usr/include, searched after the cross sysroot's.
    "$BOARD_CC" $BOARD_CFLAGS -std=c11 -Wall -Wextra -ffunction-sections -fdata-sections -I boards/include -I boards/common \
        -idirafter /usr/include boards/tests/server-handle-test.c boards/common/der-file.c -o "$dir/server-handle-test" \
        -L "$dir" -ltlscore-noposix \
        -Wl,-Bstatic -L "$BOARD_LIBDIR" -lmbedtls -lmbedx509 -lmbedcrypto -Wl,-Bdynamic \
        -Wl,--gc-sections
    # The client alone (tls-device without --serve), for the client figures and their target.
    # shellcheck disable=SC2086
    "$BOARD_CC" $BOARD_CFLAGS -std=c11 -Wall -Wextra -ffunction-sections -fdata-sections -I boards/include -I boards/common \
        -D TLS_DEVICE_NO_SERVER boards/tls-device.c boards/common/der-file.c boards/common/arena.c -Wl,--wrap=calloc -Wl,--wrap=free -o "$dir/tls-device-client" \
        -L "$dir" -ltlscore \
        -Wl,-Bstatic -L "$BOARD_LIBDIR" -lmbedtls -lmbedx509 -lmbedcrypto -Wl,-Bdynamic \
        -Wl,--gc-sections -Wl,-Map="$dir/tls-device-client.map"
    read -r np_text _ _ np_code < <(map_sizes 'libtlscore-noposix\.a' "$dir/handle-test.map")
    read -r np_archive_text _ _ < <(archive_sizes "$dir/libtlscore-noposix.a")
    noposix_table+=("$(printf '%-14s %8d %7d   %9d' "$board" "$np_code" "$np_text" "$np_archive_text")")

    # The PSK-only core (-D TLSCORE_PSK_ONLY, README "Certificate-free devices"): TLS 1.3 and
    # TLS 1.2 PSK suites only, no certificate validated or sent, so no path validation, DER
    # certificate parsing or private-key code is linked. Its own objects in obj-psk (the
    # module search path points there while it builds), linked into tls-device-psk.
    mkdir -p "$dir/obj-psk"
    saved_common=("${common[@]}")
    for i in "${!common[@]}"; do [[ ${common[$i]} == "$dir/obj" ]] && common[$i]="$dir/obj-psk"; done
    # shellcheck disable=SC2086
    objdir="$dir/obj-psk" compile TLSCore -D TLSCORE_PSK_ONLY $core_sources
    # shellcheck disable=SC2086
    objdir="$dir/obj-psk" compile TLSPlatform $platform_sources
    objdir="$dir/obj-psk" compile TLSCoreCAPI -D TLSCORE_POSIX -D TLSCORE_PSK_ONLY boards/TLSCoreCAPI.swift boards/TLSCoreCAPIPOSIX.swift
    common=("${saved_common[@]}")
    rm -f "$dir/libtlscore-psk.a"
    ar rcs "$dir/libtlscore-psk.a" "$dir/obj-psk/TLSCore.o" "$dir/obj-psk/TLSPlatform.o" "$dir/obj-psk/TLSCoreCAPI.o"
    # shellcheck disable=SC2086
    "$BOARD_CC" $BOARD_CFLAGS -std=c11 -Wall -Wextra -ffunction-sections -fdata-sections -I boards/include -I boards/common -D TLSCORE_PSK_ONLY \
        boards/tls-device.c boards/common/der-file.c boards/common/arena.c -Wl,--wrap=calloc -Wl,--wrap=free -o "$dir/tls-device-psk" \
        -L "$dir" -ltlscore-psk \
        -Wl,-Bstatic -L "$BOARD_LIBDIR" -lmbedtls -lmbedx509 -lmbedcrypto -Wl,-Bdynamic \
        -Wl,--gc-sections -Wl,-Map="$dir/tls-device-psk.map"
    read -r psk_text _ _ psk_code < <(map_sizes 'libtlscore-psk\.a' "$dir/tls-device-psk.map")
    read -r psk_mbed_text _ _ _ < <(map_sizes 'libmbed(tls|x509|crypto)\.a' "$dir/tls-device-psk.map")
    psk_table+=("$(printf '%-14s %8d %7d   %8d' "$board" "$psk_code" "$psk_text" "$psk_mbed_text")")

    read -r core_text core_data core_bss core_code < <(map_sizes 'libtlscore\.a' "$dir/tls-device-client.map")
    read -r mbed_text mbed_data mbed_bss _ < <(map_sizes 'libmbed(tls|x509|crypto)\.a' "$dir/tls-device-client.map")
    # The client and the server: tls-device with --serve.
    read -r both_text _ _ both_code < <(map_sizes 'libtlscore\.a' "$dir/tls-device.map")
    read -r both_mbed_text _ _ _ < <(map_sizes 'libmbed(tls|x509|crypto)\.a' "$dir/tls-device.map")
    server_table+=("$(printf '%-14s %8d %7d   %8d   %+8d' "$board" "$both_code" "$both_text" "$both_mbed_text" \
        "$((both_code - core_code))")")
    read -r lib_text lib_data lib_bss < <(archive_sizes "$BOARD_LIBDIR"/libmbed{tls,x509,crypto}.a)
    read -r tx_text _ _ < <(archive_sizes "$BOARD_LIBDIR"/libmbed{tls,x509}.a)
    table+=("$(printf '%-14s %8d %7d %6d %8d   %8d %6d %6d   %9d %9d' "$board" \
        "$core_code" "$core_text" "$core_data" "$core_bss" "$mbed_text" "$mbed_data" "$mbed_bss" "$tx_text" "$lib_text")")
    if [[ "$board" == armv7-* ]]; then
        if (( core_code <= 56 * 1024 )); then verdict="met"; else verdict="NOT met"; fi
        table+=("$(printf '  armv7 target: core .text %d bytes (%.1f KB) <= 56 KB (TLS 1.2 + 1.3 client): %s' "$core_code" \
            "$(echo "$core_code / 1024" | bc -l)" "$verdict")")
    fi
done

echo
echo "Sizes in bytes, after --gc-sections in the linked tls-device-client (tls-device without --serve:"
echo "the client alone; core = libtlscore.a objects)."
echo "core .text = code only; text = code + read-only data (as size(1) counts it)."
echo "Mbed TLS archives = size(1) on the whole .a files of the board's multiarch directory."
printf '%-14s %8s %7s %6s %8s   %8s %6s %6s   %9s %9s\n' board "core" "core" "core" "core" \
    "mbed in" "mbed" "mbed" "tls+x509" "tls+x509"
printf '%-14s %8s %7s %6s %8s   %8s %6s %6s   %9s %9s\n' "" ".text" "text" "data" "bss" \
    "tls-dev" "data" "bss" ".a text" "+crypto.a"
for line in "${table[@]}"; do echo "$line"; done

echo
echo "Client and server: the linked tls-device (with --serve), core = libtlscore.a objects;"
echo "the last column is what the server role adds to the core's .text:"
printf '%-14s %8s %7s   %8s   %8s\n' board "core" "core" "mbed in" "server"
printf '%-14s %8s %7s   %8s   %8s\n' "" ".text" "text" "tls-dev" ".text"
for line in "${server_table[@]}"; do echo "$line"; done

echo
echo "The PSK-only core (-D TLSCORE_PSK_ONLY: TLS 1.3 PSK and TLS 1.2 PSK suites, no certificates),"
echo "in the linked tls-device-psk after --gc-sections (core = libtlscore-psk.a objects):"
printf '%-14s %8s %7s   %8s\n' board "core" "core" "mbed in"
printf '%-14s %8s %7s   %8s\n' "" ".text" "text" "tls-dev"
for line in "${psk_table[@]}"; do echo "$line"; done

echo
echo "The POSIX-free library (handle API + core), in the linked handle-test after --gc-sections,"
echo "and size(1) on the whole archive:"
printf '%-14s %8s %7s   %9s\n' board ".text" "text" ".a text"
for line in "${noposix_table[@]}"; do echo "$line"; done
for line in "${noposix_checks[@]}"; do echo "$line"; done
