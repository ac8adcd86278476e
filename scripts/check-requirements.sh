#!/usr/bin/env bash
# Fails when what the project uses and scripts/requirements.txt (what setup.sh installs)
# drift apart, so that a missing install step shows on the developer's machine and not on
# the next newcomer's. Part of `make test`. It checks:
#   - every board.env: its compiler, its qemu and qemu's -L sysroot, its -isystem header
#     directories (stdio.h in each), its Mbed TLS archives;
#   - every absolute /usr/... path written in the scripts, the Makefile, .ci/run, the
#     benchmarks, hostsim and the tests;
#   - every program those start: command words of the shell scripts and the Makefile, the
#     programs Benchmarks/bench.py runs, and the names the Swift tests and hostsim launch.
#     A program is fine when requirements.txt names it, when it is a shell builtin, when it
#     belongs to the Swift toolchain, or when an Essential/required Debian package owns it.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=scripts/requirements.txt
mapfile -t listed < <(awk '!/^#/ && NF { print $1 }' "$requirements")
problems=()

listed_name() {
    local item
    for item in "${listed[@]}"; do [[ $item == "$1" ]] && return 0; done
    return 1
}

# A path is covered when a requirement is that path or lies below it (a directory in use).
covered_path() {
    local item
    for item in "${listed[@]}"; do
        [[ $item == "$1" || $item == "$1"/* ]] && return 0
    done
    return 1
}

need_path() {   # need_path PATH WHERE
    covered_path "$1" || problems+=("$1 (used by $2) is not covered by $requirements")
}

toolchain_dir=$(dirname "$(command -v swiftc 2>/dev/null || echo /nonexistent/swiftc)")
declare -A checked_programs=()

need_program() {   # need_program NAME WHERE
    local name=$1 where=$2 path owner package
    [[ -n ${checked_programs[$name]:-} ]] && return 0
    checked_programs[$name]=1
    listed_name "$name" && return 0
    case $(type -t "$name" 2>/dev/null || true) in builtin | keyword) return 0 ;; esac
    path=$(command -v "$name" 2>/dev/null || true)
    [[ -z $path ]] && return 0   # not a program at all (a word the scan picked up)
    [[ $(dirname "$(readlink -f "$path")") == "$(readlink -f "$toolchain_dir")" ]] && return 0
    # Merged /usr: dpkg may know a program under /bin rather than /usr/bin.
    owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null ||
        dpkg -S "/bin/$name" 2>/dev/null || dpkg -S "/usr/bin/$name" 2>/dev/null || true)
    package=${owner%%:*}
    package=${package%%,*}
    if [[ -n $package ]] && dpkg-query -W -f='${Essential} ${Priority}\n' "$package" 2>/dev/null |
        grep -qE '^yes|required'; then
        return 0
    fi
    problems+=("$name (run by $where${package:+, from $package}) is not in $requirements")
}

# 1. The boards.
for env in boards/*/board.env; do
    BOARD_SWIFT_FLAGS= BOARD_CC= BOARD_LIBDIR= BOARD_QEMU=
    # shellcheck disable=SC1090
    source "$env"
    need_program "$BOARD_CC" "$env"
    read -r -a qemu <<<"$BOARD_QEMU"
    need_program "${qemu[0]}" "$env"
    for ((i = 1; i < ${#qemu[@]}; i++)); do
        [[ ${qemu[i]} == -L ]] && need_path "${qemu[i + 1]}" "$env (qemu -L)"
    done
    read -r -a flags <<<"$BOARD_SWIFT_FLAGS"
    for ((i = 0; i < ${#flags[@]}; i++)); do
        if [[ ${flags[i]} == -isystem ]]; then
            need_path "${flags[i + 2]}/stdio.h" "$env (C headers)"
        fi
    done
    for lib in libmbedtls.a libmbedx509.a libmbedcrypto.a; do
        need_path "$BOARD_LIBDIR/$lib" "$env"
    done
done

# 2. Absolute paths written in the project (PATH-like /usr/bin and the #! line excepted).
files=(scripts/*.sh Makefile .ci/run Benchmarks/bench.py boards/*/board.env)
mapfile -t swift_files < <(find Tests hostsim Benchmarks -name '*.swift' -not -path '*/.build/*')
while IFS=: read -r file path; do
    case $path in /usr/bin | /usr/bin/env | /usr/local/bin) continue ;; esac
    need_path "${path%/}" "$file"
done < <(grep -oE '/usr/[A-Za-z0-9_./+-]*[A-Za-z0-9_]' "${files[@]}" "${swift_files[@]}" | sort -u)

# 3. Programs. Shell scripts and the Makefile: the first word of each command (after
# separators, keywords, assignments and wrappers such as timeout or sudo).
command_words() {
    awk '
        # Here-documents are text, not commands.
        heredoc != "" { if ($0 ~ "^[ \t]*" heredoc "$") heredoc = ""; next }
        match($0, /<<-?[ \t]*\047?"?[A-Za-z_]+/) {
            heredoc = substr($0, RSTART, RLENGTH); gsub(/[<\047" \t-]/, "", heredoc)
        }
        # Single-quoted text (awk and sed programs) may span lines: drop it. Words of
        # double-quoted messages may still come through; they count only when they name a
        # program that is installed.
        {
            line = ""
            for (c = 1; c <= length($0); c++) {
                ch = substr($0, c, 1)
                if (quoted) { if (ch == "\047") quoted = 0; continue }
                if (ch == "\047") { quoted = 1; continue }
                if (ch == "#" && (c == 1 || substr($0, c - 1, 1) ~ /[ \t]/)) break
                line = line ch
            }
            n = split(line, parts, /\|\||&&|[|;`({}]|\$\(|\)/)
            for (p = 1; p <= n; p++) {
                m = split(parts[p], w, /[ \t]+/)
                for (i = 1; i <= m; i++) {
                    if (w[i] == "" || w[i] ~ /^"?\$/) continue
                    if (w[i] ~ /^(for|case|select)$/) break
                    if (w[i] ~ /^(if|then|do|else|elif|while|until|!|time|exec|command|sudo|env|nohup|local|export|readonly)$/) continue
                    if (w[i] ~ /^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?=/) continue
                    if (w[i] == "timeout") { i++; continue }
                    if (w[i] ~ /^@?[a-z][a-z0-9_.+-]*$/) { sub(/^@/, "", w[i]); print w[i] }
                    break
                }
            }
        }' "$@"
}
# Shell functions the scripts define are no programs.
mapfile -t functions < <(grep -hoE '^[ \t]*[a-z_][a-z0-9_]*\(\)' scripts/*.sh .ci/run | tr -d ' \t()' | sort -u)
is_function() {
    local f
    for f in "${functions[@]}"; do [[ $f == "$1" ]] && return 0; done
    return 1
}
for file in scripts/*.sh .ci/run Makefile; do
    while read -r word; do
        is_function "$word" || need_program "$word" "$file"
    done < <(command_words "$file" | sort -u)
done
# Python: run(["prog", ...]) and prefix=["prog", ...].
while read -r word; do need_program "$word" Benchmarks/bench.py; done \
    < <(grep -oE '\[\s*"[a-z][a-z0-9_.+-]*"' Benchmarks/bench.py | grep -oE '[a-z][a-z0-9_.+-]*' | sort -u)
# Swift: launch(executable: "prog") and findExecutable("prog").
while read -r word; do need_program "$word" "the Swift tests or hostsim"; done \
    < <(grep -rhoE '(executable: |findExecutable\()"[a-z][a-z0-9_.+-]*"' Tests hostsim |
        grep -oE '"[^"]+"' | tr -d '"' | sort -u)

if [[ ${#problems[@]} -ne 0 ]]; then
    printf 'check-requirements: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "check-requirements: every path and program in use is covered by $requirements (${#listed[@]} entries)"
