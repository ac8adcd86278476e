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
    # A bare triple reads the C library headers of the board built for it (its board.env's
    # BOARD_SWIFT_FLAGS): one place says where each cross sysroot is.
    cflags=()
    for env in boards/*/board.env; do
        [[ -f $env ]] || continue
        if [[ $(BOARD_SWIFT_TARGET= && source "$env" && echo "$BOARD_SWIFT_TARGET") == "$triple" ]]; then
            # shellcheck disable=SC2207
            cflags=($(source "$env" && echo "$BOARD_SWIFT_FLAGS"))
        fi
    done
    if [[ $triple == *-none-* && ${#cflags[@]} -eq 0 ]]; then
        echo "embedded-build: no boards/*/board.env has BOARD_SWIFT_TARGET=$triple (its C headers)" >&2
        exit 1
    fi
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
