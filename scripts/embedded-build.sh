#!/usr/bin/env bash
# The no-allocation proof: compiles every file of Sources/TLSCore and Sources/TLSPlatform
# as Embedded Swift with -no-allocations for a hosted and two bare-metal triples. Any
# allocating construct (class, Array, String, capturing escaping closure, any P) is a
# compile error here, so `make test` fails on it.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build-embedded
triples=(${TRIPLES:-x86_64-unknown-linux-gnu aarch64-none-none-elf armv7-none-none-eabi})

core_sources=$(find Sources/TLSCore -name '*.swift' | sort)
platform_sources=$(find Sources/TLSPlatform -name '*.swift' | sort)

for triple in "${triples[@]}"; do
    dir="$out/$triple"
    mkdir -p "$dir"
    cflags=()
    case "$triple" in
        aarch64-*) cflags=(-Xcc -isystem -Xcc /usr/aarch64-linux-gnu/include -Xcc -D__linux__) ;;
        armv7-*) cflags=(-Xcc -isystem -Xcc /usr/arm-linux-gnueabihf/include -Xcc -D__linux__ -Xcc -mfloat-abi=hard) ;;
    esac
    common=(
        -enable-experimental-feature Embedded -no-allocations
        -enable-experimental-feature Lifetimes
        -wmo -parse-as-library -Osize -target "$triple"
        -Xfrontend -function-sections -Xfrontend -disable-stack-protector
        -I Sources/CMbedTLS -I Sources/CPOSIX -I "$dir"
        "${cflags[@]}" -Xcc -I/usr/include
    )
    # shellcheck disable=SC2086
    swiftc "${common[@]}" -module-name TLSCore -emit-module -emit-module-path "$dir/TLSCore.swiftmodule" \
        -c $core_sources -o "$dir/TLSCore.o"
    # shellcheck disable=SC2086
    swiftc "${common[@]}" -module-name TLSPlatform -emit-module -emit-module-path "$dir/TLSPlatform.swiftmodule" \
        -c $platform_sources -o "$dir/TLSPlatform.o"
    printf 'embedded %-26s TLSCore.o %7d bytes  TLSPlatform.o %7d bytes\n' "$triple" \
        "$(stat -c %s "$dir/TLSCore.o")" "$(stat -c %s "$dir/TLSPlatform.o")"
done
