#!/usr/bin/env bash
# Proves the Embedded build can fail: copies the core to a scratch tree, adds one
# allocating line (`let probe: [UInt8] = [1]`) and expects the -no-allocations build of
# that copy to be rejected. Guards against the proof silently checking nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/scripts"
cp -r Sources "$scratch/"
cp scripts/embedded-build.sh "$scratch/scripts/"
# sed reads the whole list: with `head -n 1`, sort can be killed by SIGPIPE once the list
# passes a pipe write, and pipefail then fails the probe.
victim=$(find "$scratch/Sources/TLSCore" -name '*.swift' | sort | sed -n 1p)
echo 'let probe: [UInt8] = [1]' >> "$victim"
if TRIPLES=x86_64-unknown-linux-gnu "$scratch/scripts/embedded-build.sh" >"$scratch/log" 2>&1; then
    echo "embedded-probe: FAILED: an allocating line in ${victim#"$scratch"/} compiled with -no-allocations" >&2
    exit 1
fi
grep -q "in -no-allocations mode" "$scratch/log" || { cat "$scratch/log" >&2; echo "embedded-probe: build failed for another reason" >&2; exit 1; }
echo "embedded-probe: an allocating line in ${victim#"$scratch"/} is rejected, as it must be"
