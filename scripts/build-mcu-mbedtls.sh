#!/usr/bin/env bash
# Mbed TLS 2.28 for the microcontroller board (boards/cortex-m4-mps2): fetches Debian's own
# source package with `apt-get source` through an apt configuration of the project's own (a
# deb-src entry for the machine's own mirror, lists in a private state directory: the system's
# apt sources and lists are not touched), unpacks it into .build-mcu/mbedtls/src and
# cross-compiles libmbedcrypto.a (Cortex-M4, Thumb-2, soft float, -Os) with the board's config
# header boards/cortex-m4-mps2/mbedtls-config.h. Nothing of it is committed. Run again: with the
# source present it only rebuilds when the config changed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build-mcu/mbedtls
apt_dir=.build-mcu/apt
config=boards/cortex-m4-mps2/mbedtls-config.h
CC=${MCU_CC:-arm-none-eabi-gcc}
# -fno-short-enums: the Swift objects (clang) lay enums out in 32 bits; the structs must match.
CFLAGS=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -fno-short-enums -Os -ffunction-sections -fdata-sections -Wall)

if [[ ! -f $out/src/include/mbedtls/version.h ]]; then
    mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$out"
    # The machine's own Debian mirror and suite, read from its configuration (deb822 or one-line).
    uri=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2; exit}' || true)
    suite=$(grep -h '^Suites:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2; exit}' || true)
    if [[ -z $uri && -f /etc/apt/sources.list ]]; then
        read -r uri suite < <(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i, $(i + 1); exit } }' /etc/apt/sources.list)
    fi
    if [[ -z $uri || -z $suite ]]; then
        echo "build-mcu-mbedtls: no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
        exit 1
    fi
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" "$suite" >"$apt_dir/parts/mbedtls-src.sources"
    here=$(pwd)
    apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$here/$apt_dir/parts"
        -o "Dir::State::Lists=$here/$apt_dir/lists" -o "Dir::Cache::Archives=$here/$apt_dir/archives"
        -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
    echo "build-mcu-mbedtls: apt-get update (deb-src $uri $suite, lists in $apt_dir/lists)"
    ok=no
    for attempt in 1 2 3; do
        if timeout 300 apt-get "${apt_opts[@]}" -q update >"$apt_dir/update.log" 2>&1; then ok=yes; break; fi
        echo "build-mcu-mbedtls: apt-get update failed (attempt $attempt)" >&2
        sleep 5
    done
    [[ $ok == yes ]] || { cat "$apt_dir/update.log" >&2; exit 1; }
    rm -rf "$out/fetch" && mkdir -p "$out/fetch"
    echo "build-mcu-mbedtls: apt-get source mbedtls"
    (cd "$out/fetch" && timeout 300 apt-get "${apt_opts[@]}" -q source mbedtls) >"$apt_dir/source.log" 2>&1 ||
        { cat "$apt_dir/source.log" >&2; exit 1; }
    srcdir=$(find "$out/fetch" -mindepth 1 -maxdepth 1 -type d -name 'mbedtls-*' | head -1)
    [[ -n $srcdir && -f $srcdir/include/mbedtls/version.h ]] || { echo "build-mcu-mbedtls: no source tree unpacked" >&2; exit 1; }
    rm -rf "$out/src" && mv "$srcdir" "$out/src"
fi

version=$(sed -n 's/^#define MBEDTLS_VERSION_STRING  *"\(.*\)"/\1/p' "$out/src/include/mbedtls/version.h")
stamp=$(sha256sum "$config" "$0" | sha256sum | cut -c1-16)
if [[ -f $out/libmbedcrypto.a && "$(cat "$out/stamp" 2>/dev/null)" == "$stamp" ]]; then
    echo "build-mcu-mbedtls: Mbed TLS $version for Cortex-M4 up to date ($out/libmbedcrypto.a)"
    exit 0
fi

# The board's config replaces the library's default config; check_config.h (included by
# config.h's users) refuses an inconsistent one at compile time.
rm -rf "$out/include" "$out/obj" && mkdir -p "$out/include/mbedtls" "$out/obj"
cp -r "$out/src/include/mbedtls/." "$out/include/mbedtls/"
cp "$config" "$out/include/mbedtls/config.h"
objects=()
for c in "$out"/src/library/*.c; do
    name=$(basename "$c" .c)
    # libmbedx509 and libmbedtls are not used: the core parses X.509 and speaks TLS itself.
    case $name in x509* | ssl_* | debug | net_sockets | certs | pkcs11 | timing | entropy_poll | psa_* | mps_*) continue ;; esac
    "$CC" "${CFLAGS[@]}" -I "$out/include" -c "$c" -o "$out/obj/$name.o"
    objects+=("$out/obj/$name.o")
done
rm -f "$out/libmbedcrypto.a"
arm-none-eabi-ar rcs "$out/libmbedcrypto.a" "${objects[@]}"
echo "$stamp" >"$out/stamp"
echo "build-mcu-mbedtls: Mbed TLS $version for Cortex-M4: $out/libmbedcrypto.a ($(arm-none-eabi-size -t "$out/libmbedcrypto.a" | awk 'END {print $1}') bytes of text before --gc-sections)"
