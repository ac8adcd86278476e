#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing. Runs as
# root or through sudo. Safe to run again.
set -euo pipefail

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

native=(libmbedtls-dev openssl gnutls-bin valgrind make)
cross=(gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf qemu-user libmbedtls-dev:arm64 libmbedtls-dev:armhf)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in "${native[@]}" "${cross[@]}"; do installed "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
arches=$(dpkg --print-foreign-architectures)
for a in arm64 armhf; do
    grep -qx "$a" <<<"$arches" || "${sudo_cmd[@]}" dpkg --add-architecture "$a"
done
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
    if "${sudo_cmd[@]}" apt-get update -q && \
       "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
        exit 0
    fi
    echo "setup: apt-get failed (attempt $attempt), retrying" >&2
    sleep 5
done
exit 1
