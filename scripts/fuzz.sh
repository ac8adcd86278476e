#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (scripts/fuzz-build.sh) and runs each for
# FUZZ_SECONDS (default 60), one after the other, then prints per target the executions,
# the coverage (libFuzzer's `cov:`, edges) and the crashes. A crash, a hang (an input over
# FUZZ_TIMEOUT seconds) or a memory blow-up leaves its input in Fuzz/crashes/TARGET/,
# named in the output, and the command fails; `make test` replays that folder, so the input
# stays a regression case once committed. New inputs go to .build-fuzz/corpus/TARGET (not
# committed); Fuzz/corpus/TARGET holds the committed seeds. TARGETS="der crl" runs those only;
# FUZZ_RUNS=N also stops each target after N executions (the acceptance runs: 10000000).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
timeout_seconds=${FUZZ_TIMEOUT:-10}
runs=()
[[ -n ${FUZZ_RUNS:-} ]] && runs=(-runs="$FUZZ_RUNS")
./scripts/fuzz-build.sh fuzzer
if [[ -n ${TARGETS:-} ]]; then
    read -r -a targets <<<"$TARGETS"
else
    mapfile -t targets < <(find Fuzz/Targets -name '*.swift' -printf '%f\n' | sed 's/\.swift$//' | sort)
fi

mkdir -p .build-fuzz/logs
summary=()
found=()
for t in "${targets[@]}"; do
    work=.build-fuzz/corpus/$t
    crashes=Fuzz/crashes/$t
    log=.build-fuzz/logs/$t.log
    mkdir -p "$work" "$crashes" Fuzz/corpus/"$t"
    echo "fuzz: $t for ${seconds}s (log $log)"
    status=0
    # -close_fd_mask=1: the targets' stdout is noise; libFuzzer reports on stderr.
    nice -n 10 ".build-fuzz/fuzzer/fuzz-$t" -max_total_time="$seconds" "${runs[@]}" -timeout="$timeout_seconds" \
        -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=1 -dict=Fuzz/tls.dict \
        -artifact_prefix="$crashes/" "$work" "Fuzz/corpus/$t" >"$log" 2>&1 || status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    features=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    units=$(find "$work" -type f | wc -l)
    mapfile -t written < <(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
    for w in "${written[@]}"; do found+=("$t: $w (see $log)"); done
    if [[ $status -ne 0 && ${#written[@]} -eq 0 ]]; then
        found+=("$t: the fuzzer exited with status $status without saving an input (see $log)")
    fi
    summary+=("$(printf '%-12s %12s %8s %7s %7s %7s %8s' "$t" "${executions:-?}" "${rate:-?}" "${cov:-?}" \
        "${features:-?}" "$units" "${#written[@]}")")
    rmdir "$crashes" 2>/dev/null || true
done

echo
printf '%-12s %12s %8s %7s %7s %7s %8s\n' target executions exec/s cov ft corpus crashes
printf '%s\n' "${summary[@]}"
if [[ ${#found[@]} -ne 0 ]]; then
    echo
    printf 'fuzz: crash input %s\n' "${found[@]}"
    echo "fuzz: reproduce with .build-fuzz/fuzzer/fuzz-TARGET INPUT; make test replays Fuzz/crashes/"
    exit 1
fi
