#!/usr/bin/env bash
# Part of `make test`: every committed fuzz input as a regression test. Builds the replay
# binary (scripts/fuzz-build.sh replay: the targets' entry functions, address sanitizer,
# no fuzzer) and runs each target on its seeds (Fuzz/corpus/TARGET) and its saved crash,
# hang and memory inputs (Fuzz/crashes/TARGET). Fails, naming the input, when one traps,
# breaks a property, trips the sanitizer or runs over ten seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/fuzz-build.sh replay
mapfile -t targets < <(find Fuzz/Targets -name '*.swift' -printf '%f\n' | sed 's/\.swift$//' | sort)
for t in "${targets[@]}"; do
    dirs=()
    for d in "Fuzz/corpus/$t" "Fuzz/crashes/$t"; do [[ -d $d ]] && dirs+=("$d"); done
    [[ ${#dirs[@]} -eq 0 ]] && { echo "fuzz-replay: $t has no inputs under Fuzz/corpus/$t" >&2; exit 1; }
    .build-fuzz/replay/replay "$t" "${dirs[@]}"
done
