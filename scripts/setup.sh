#!/usr/bin/env bash
# Makes this Debian machine ready for every build and test, before anything is compiled.
# Checks each line of scripts/requirements.txt (a path must exist, a bare name must be a
# command on PATH) rather than package states, installs the packages of what is missing
# (as root or through sudo), checks again, and otherwise stops with one line naming what is
# still missing. Safe to run again: with nothing missing it only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=scripts/requirements.txt

# The Swift toolchain is no Debian package: say where it is expected and stop.
if ! command -v swiftc >/dev/null; then
    echo "setup: missing swiftc (Swift 6.3 is not a Debian package: put its usr/bin, /opt/swift/usr/bin here, on PATH)" >&2
    exit 1
fi

present() {
    if [[ $1 == /* ]]; then [[ -e $1 ]]; else command -v "$1" >/dev/null; fi
}

# missing_lines: "what package" for each requirement not present now.
missing_lines() {
    local what package _
    while read -r what package _; do
        [[ -z $what || $what == \#* ]] && continue
        present "$what" || echo "$what $package"
    done <"$requirements"
}

mapfile -t missing < <(missing_lines)
[[ ${#missing[@]} -eq 0 ]] && exit 0

packages=$(printf '%s\n' "${missing[@]}" | awk '{print $2}' | sort -u | tr '\n' ' ')
echo "setup: missing $(printf '%s\n' "${missing[@]}" | awk '{print $1}' | tr '\n' ' ')"
echo "setup: installing ${packages}"

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        echo "setup: not root and no sudo: install as root: apt-get install ${packages}" >&2
        exit 1
    fi
    sudo_cmd=(sudo)
fi

# The :arm64 / :armhf libraries need the foreign architectures.
arches=$(dpkg --print-foreign-architectures)
for a in arm64 armhf; do
    if grep -q ":$a\b" <<<"$packages" && ! grep -qx "$a" <<<"$arches"; then
        "${sudo_cmd[@]}" dpkg --add-architecture "$a"
    fi
done

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
for attempt in 1 2 3; do
    if "${sudo_cmd[@]}" apt-get update -q && \
       "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends $packages; then
        break
    fi
    echo "setup: apt-get failed (attempt $attempt)" >&2
    sleep 5
done

# Packages are no proof: check the paths and commands themselves again.
mapfile -t missing < <(missing_lines)
if [[ ${#missing[@]} -ne 0 ]]; then
    echo "setup: still missing after install: $(printf '%s\n' "${missing[@]}" | awk '{printf "%s (%s) ", $1, $2}')" >&2
    exit 1
fi
echo "setup: every requirement in $requirements is present"
