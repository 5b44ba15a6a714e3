#!/usr/bin/env bash
# run_tests.sh: the WASI tests. Compiles every tests/wasi/*.c for wasm32-wasi
# and runs it under `weft run` with a fresh temporary directory preopened as
# /sandbox, checking stdout and the exit status against the expectations the
# test file states in comment lines:
#   // expect-stdout: TEXT    one line of the expected stdout (in order)
#   // expect-exit: N         the exit status (default 0)
#   // args: A B ...          guest arguments (split on spaces)
#   // env: KEY=VALUE         one environment variable (repeatable)
#   // stdin: TEXT            one line fed to the guest's stdin (repeatable)
#   // expect-stderr: TEXT    weft's stderr contains TEXT
#   // node: skip REASON      leave the program out of the node comparison
#   // node-ignore: TEXT      compare lines containing TEXT under weft
#                             only (node's WASI is known to differ there)
# Each program runs twice under weft: with openat2 path resolution, and with
# the fallback resolver (WEFT_WASI_NO_OPENAT2=1) plus explicit bounds checks
# and switch dispatch. Every run also checks that
# nothing outside the sandbox changed: the sandbox's parent holds a file the
# guest must never reach. When node is installed, each program also runs
# under node's WASI with the same preopen and must meet the same
# expectations (a differential check).
# Usage: run_tests.sh WEFT CLANG SOURCE_DIR [TEST.c...]
set -u
weft=$(realpath "$1") clang=$2 src=$(realpath "$3")
shift 3
tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=("$src"/*.c)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0

node_ok=false
if command -v node >/dev/null 2>&1 &&
    node --experimental-wasi-unstable-preview1 -e 'require("node:wasi")' 2>/dev/null; then
    node_ok=true
else
    echo "note: node (with WASI) not found: the differential check against node is skipped"
fi

# directives FILE KEY: the values of "// KEY: VALUE" lines, one a line.
directives() {
    sed -n "s|^// $2: \{0,1\}||p" "$1"
}

# fresh_sandbox DIR: a parent with the sandbox "box" and a secret beside it.
fresh_sandbox() {
    rm -rf "$1"
    mkdir -p "$1/box"
    printf 'secret\n' >"$1/secret.txt"
}

# outside_state DIR: what lies outside the sandbox, to compare after a run.
outside_state() {
    (cd "$1" && find . -path ./box -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+%s 2>/dev/null
     cat secret.txt)
}

# check NAME WHAT EXPECTED_OUT EXPECTED_EXIT ACTUAL_OUT ACTUAL_EXIT BEFORE AFTER
check() {
    local name=$1 what=$2
    if [ "$5" == "$3" ] && [ "$6" == "$4" ] && [ "$7" == "$8" ]; then
        passed=$((passed + 1))
        echo "ok: $name ($what)"
        return
    fi
    failed=$((failed + 1))
    echo "FAIL: $name ($what)"
    [ "$6" == "$4" ] || echo "  exit status $6, expected $4"
    [ "$7" == "$8" ] || echo "  something outside the sandbox changed"
    if [ "$5" != "$3" ]; then
        diff <(printf '%s' "$3") <(printf '%s' "$5") | sed 's/^/  /' | head -40
    fi
}

for t in "${tests[@]}"; do
    name=$(basename "$t" .c)
    wasm=$work/$name.wasm
    if ! "$clang" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -o "$wasm" "$t" 2>"$work/cc.log"; then
        failed=$((failed + 1))
        echo "FAIL: $name (does not compile)"
        sed 's/^/  /' "$work/cc.log"
        continue
    fi
    expected=$(directives "$t" expect-stdout)
    [ -n "$expected" ] && expected+=$'\n'
    expect_exit=$(directives "$t" expect-exit)
    expect_exit=${expect_exit:-0}
    read -r -a args <<<"$(directives "$t" args)"
    envs=() env_opts=()
    while IFS= read -r e; do
        [ -n "$e" ] && envs+=("$e") && env_opts+=(--env "$e")
    done < <(directives "$t" env)
    stdin_text=$(directives "$t" stdin)
    [ -n "$stdin_text" ] && stdin_text+=$'\n'

    for mode in openat2 fallback; do
        fresh_sandbox "$work/run"
        before=$(outside_state "$work/run")
        out=$(cd "$work/run" && printf '%s' "$stdin_text" |
              { variant=()
                if [ $mode = fallback ]; then
                    export WEFT_WASI_NO_OPENAT2=1
                    variant=(--bounds explicit --dispatch switch)
                fi
                timeout 60 "$weft" run "${variant[@]}" --dir box::/sandbox "${env_opts[@]}" \
                    "$wasm" "${args[@]}" 2>"$work/stderr"; }; echo "exit=$?")
        code=${out##*exit=}
        out=${out%exit=*}
        after=$(outside_state "$work/run")
        want_err=$(directives "$t" expect-stderr)
        if [ -n "$want_err" ] && ! grep -qF "$want_err" "$work/stderr"; then
            after+=" (stderr lacks: $want_err)"
            echo "  stderr lacks '$want_err'"
        fi
        check "$name" "weft, $mode" "$expected" "$expect_exit" "$out" "$code" "$before" "$after"
        [ "$code" == "$expect_exit" ] || sed 's/^/  stderr: /' "$work/stderr" | head -5
    done

    if $node_ok; then
        reason=$(directives "$t" node)
        if [ -n "$reason" ]; then
            skipped=$((skipped + 1))
            echo "skip: $name (node: ${reason#skip })"
            continue
        fi
        node_expected=$expected
        ignore=()
        while IFS= read -r p; do
            [ -n "$p" ] && ignore+=(-e "$p")
        done < <(directives "$t" node-ignore)
        fresh_sandbox "$work/run"
        before=$(outside_state "$work/run")
        out=$(cd "$work/run" && printf '%s' "$stdin_text" |
              timeout 60 node --experimental-wasi-unstable-preview1 --no-warnings "$src/node_wasi.mjs" \
                  "$work/run/box" "$wasm" "${envs[@]/#/--env=}" -- "${args[@]}" \
                  2>"$work/stderr"; echo "exit=$?")
        code=${out##*exit=}
        out=${out%exit=*}
        after=$(outside_state "$work/run")
        if [ ${#ignore[@]} -gt 0 ]; then
            node_expected=$(printf '%s' "$expected" | grep -vF "${ignore[@]}")$'\n'
            out=$(printf '%s' "$out" | grep -vF "${ignore[@]}")$'\n'
        fi
        check "$name" "node" "$node_expected" "$expect_exit" "$out" "$code" "$before" "$after"
    fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
