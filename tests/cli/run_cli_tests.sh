#!/usr/bin/env bash
# run_cli_tests.sh: tests of the `weft` command line through the built
# binary: help and version, the `weft FILE.wasm` shorthand, proposal
# switches (on small modules and on the spec suite's malformed binaries),
# --env/--inherit-env/--dir ., preopened sockets with a WASI echo server on
# 127.0.0.1, --profile, bench, the bash completion and the man page.
# Usage: run_cli_tests.sh WEFT SOURCE_ROOT CLANG WAT2WASM WAST2JSON SUITE
# (CLANG, WAT2WASM, WAST2JSON may be "" and SUITE a missing directory: the
# tests that need them are then skipped, and say so).
set -u
weft=$(realpath "$1") root=$(realpath "$2") clang=$3 wat2wasm=$4 wast2json=$5
suite=${WEFT_TESTSUITE:-$6}
src=$root/tests/cli

work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0

ok() { passed=$((passed + 1)); echo "ok: $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    shift
    for line in "$@"; do echo "  $line"; done
}
skip() { skipped=$((skipped + 1)); echo "skip: $1"; }

# run ARGS...: runs weft (bounded in time) with stdout in $out, stderr in
# $err and the exit status in $code.
run() {
    timeout 60 "$weft" "$@" >"$work/out" 2>"$work/err" </dev/null
    code=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}

# expect NAME CODE [PATTERN...]: the last run exited with CODE and its
# stdout+stderr matches every grep -E PATTERN.
expect() {
    local name=$1 want=$2 p
    shift 2
    if [ "$code" != "$want" ]; then
        fail "$name" "exit status $code, expected $want" "stdout: ${out:0:300}" "stderr: ${err:0:300}"
        return
    fi
    for p in "$@"; do
        if ! printf '%s\n%s\n' "$out" "$err" | grep -qE -- "$p"; then
            fail "$name" "output lacks /$p/" "stdout: ${out:0:400}" "stderr: ${err:0:400}"
            return
        fi
    done
    ok "$name"
}

# expect_not NAME PATTERN: the last run's output does not match PATTERN.
expect_not() {
    if printf '%s\n%s\n' "$out" "$err" | grep -qE -- "$2"; then
        fail "$1" "output has /$2/" "stdout: ${out:0:300}"
    else
        ok "$1"
    fi
}

# ---- Help and version ---------------------------------------------------------------

run --version
expect "--version" 0 '^weft [0-9]+\.[0-9]+.* \(commit [^)]+\)$' '^compiler: (gcc|clang) ' \
    '^dispatch strategies: direct indirect switch' '^bounds modes: guard explicit$' \
    'switchable: multi-memory memory64 relaxed-simd function-references exceptions'
version_out=$out
run version
[ "$out" == "$version_out" ] && [ $code = 0 ] && ok "version = --version" ||
    fail "version = --version" "$out"
run -V
[ "$out" == "$version_out" ] && ok "-V" || fail "-V" "$out"

run --help
expect "--help" 0 '^usage: weft COMMAND' '^  run ' '^  validate ' '^  bench ' '^  help '
run help
expect "help" 0 '^usage: weft COMMAND'
run
expect "no arguments: usage on stderr, status 2" 2 '^usage: weft COMMAND'

run help --commands
commands=$out
[ "$(echo $commands)" == "run validate ir bench help version" ] && ok "help --commands" ||
    fail "help --commands" "$commands"
for c in $commands; do
    run help "$c"
    expect "help $c" 0 "^usage: weft $c"
    help_text=$out
    for h in -h --help; do
        run "$c" "$h"
        if [ $code == 0 ] && [ "$out" == "$help_text" ]; then
            ok "$c $h"
        else
            fail "$c $h" "exit $code" "${out:0:200}" "${err:0:200}"
        fi
    done
done
run help run
expect "help run lists the options" 0 '^  --enable NAME' '^  --inherit-env' '^  --listen ADDR:PORT' \
    '^  --profile' '^  --env KEY\[=VALUE\]' '^  -h, --help' '^  multi-memory ' '^  all '
run help bench
expect "help bench lists --runs" 0 '^  --runs N'
run help validate
expect_not "help validate lists no run options" '--invoke|--dir'

run help nosuch
expect "help of an unknown command" 2 "unknown command 'nosuch'"
run nosuch
expect "unknown command" 2 "unknown command 'nosuch'"
run run --nosuch x.wasm
expect "unknown option" 2 "weft run: unknown option '--nosuch'" "see 'weft help run'"
run validate --invoke f x.wasm
expect "an option of another command" 2 "weft validate: unknown option '--invoke'"
run run --dir
expect "option without its value" 2 "option --dir needs a value"
run run --profile=yes x.wasm
expect "flag given a value" 2 "option --profile takes no value"
run run
expect "run without a file" 2 '^usage: weft run'
run bench --runs 0 x.wasm
expect "bench --runs 0" 2 "--runs wants a whole number from 1"
run run /nonexistent/x.wasm
expect "missing file" 2 "/nonexistent/x.wasm"

# ---- Proposal switches on small modules ------------------------------------------------

if [ -n "$wat2wasm" ]; then
    echo '(module (memory i64 1) (func (export "f") (result i64) (i64.const 8) (i64.load)))' \
        >"$work/m64.wat"
    echo '(module (memory 1) (memory $b 1) (func (export "f") (result i32) (i32.const 0) (i32.load $b)))' \
        >"$work/mm.wat"
    echo '(module (func (export "f") (result i32) (i32x4.extract_lane 0 (f32x4.relaxed_min (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))))' \
        >"$work/rs.wat"
    "$wat2wasm" --enable-memory64 "$work/m64.wat" -o "$work/m64.wasm" &&
        "$wat2wasm" --enable-multi-memory "$work/mm.wat" -o "$work/mm.wasm" &&
        "$wat2wasm" --enable-relaxed-simd "$work/rs.wat" -o "$work/rs.wasm" ||
        fail "wat2wasm builds the proposal modules"
    run validate "$work/m64.wasm"
    expect "memory64 valid by default" 0
    run validate --disable memory64 "$work/m64.wasm"
    expect "--disable memory64: malformed" 1 'malformed'
    run validate --disable all "$work/m64.wasm"
    expect "--disable all rejects memory64" 1 'malformed'
    run validate --disable all --enable memory64 "$work/m64.wasm"
    expect "--disable all --enable memory64" 0
    run validate --disable=multi-memory,memory64 --enable=all "$work/m64.wasm"
    expect "later --enable all wins" 0
    run validate --disable multi-memory "$work/m64.wasm"
    expect "--disable multi-memory leaves memory64" 0
    run validate --disable multi-memory "$work/mm.wasm"
    expect "--disable multi-memory: invalid" 1 'multiple memories'
    run validate "$work/mm.wasm"
    expect "multi-memory valid by default" 0
    run run --invoke f "$work/m64.wasm"
    expect "run a memory64 module" 0 '^0$'
    run run --disable memory64 --invoke f "$work/m64.wasm"
    expect "run --disable memory64" 1 'malformed'
    run ir --disable multi-memory "$work/mm.wasm"
    expect "ir --disable multi-memory" 1 'multiple memories'
    run ir "$work/mm.wasm" f
    expect "ir of a multi-memory function" 0 '^func 0'
    run "$work/mm.wasm" --invoke f
    expect_not "options after FILE belong to the guest" '^0$'
    run --disable memory64 --invoke f "$work/m64.wasm"
    expect "shorthand with options first" 1 'malformed'
    run validate "$work/rs.wasm"
    expect "relaxed SIMD valid by default" 0
    run validate --disable relaxed-simd "$work/rs.wasm"
    expect "--disable relaxed-simd: illegal opcode" 1 'illegal opcode'
    run validate --disable all --enable relaxed-simd "$work/rs.wasm"
    expect "--disable all --enable relaxed-simd" 0
    run validate --enable simd-of-the-future "$work/m64.wasm"
    expect "unknown proposal" 2 "unknown proposal 'simd-of-the-future' \(known: multi-memory memory64 relaxed-simd function-references exceptions gc, all\)"
    run validate --enable "" "$work/m64.wasm"
    expect "empty proposal list" 2 "wants a proposal's name"
else
    skip "proposal switches (no wat2wasm)"
fi

# ---- Proposal switches on the spec suite ------------------------------------------------
# Every binary module that the 2.0 suite's binary.wast, binary-leb128.wast
# and custom.wast say is malformed is malformed ("malformed" on stderr,
# status 1) for `weft validate --disable all`; with the proposals on, the
# cases that are proposal encodings (a memory index byte, a 64-bit limits
# flag) pass. Then the modules of the memory64 and multi-memory proposals'
# own tests: valid by default, rejected with --disable all.

if [ -n "$wast2json" ] && [ -d "$suite/core" ]; then
    mkdir -p "$work/suite"
    total=0 wrong=0 accepted=0
    for w in binary binary-leb128 custom; do
        (cd "$work/suite" && "$wast2json" "$suite/core/$w.wast" -o "$w.json") ||
            fail "wast2json core/$w.wast"
        while read -r file; do
            total=$((total + 1))
            "$weft" validate --disable all "$work/suite/$file" 2>"$work/err"
            if [ $? != 1 ] || ! grep -q ': malformed: ' "$work/err"; then
                wrong=$((wrong + 1))
                echo "  not malformed: $file: $(cat "$work/err")"
            fi
            "$weft" validate "$work/suite/$file" 2>/dev/null && accepted=$((accepted + 1))
        done < <(grep '"assert_malformed"' "$work/suite/$w.json" | grep '"module_type": "binary"' |
                 sed 's/.*"filename": "\([^"]*\)".*/\1/')
    done
    if [ $total -gt 150 ] && [ $wrong == 0 ]; then
        ok "--disable all: all $total malformed binaries of core/binary*.wast, custom.wast malformed"
    else
        fail "--disable all on core's malformed binaries" "$wrong of $total not rejected as malformed"
    fi
    if [ $accepted -gt 0 ]; then
        ok "with every proposal on, $accepted of them are proposal encodings and pass"
    else
        fail "some of core's malformed binaries are proposal encodings" "none passed"
    fi
    for w in memory64/memory64.wast memory64/address64.wast multi-memory/memory-multi.wast \
             multi-memory/load.wast; do
            p=$(dirname "$w")
            w=$suite/proposals/$w
            [ -f "$w" ] || { skip "$w (not in the suite)"; continue; }
            d=$work/suite/$p-$(basename "$w" .wast)
            mkdir -p "$d"
            (cd "$d" && "$wast2json" --enable-all "$w" -o x.json 2>/dev/null) || continue
            valid=0 bad=0 rejected=0
            while read -r file; do
                if "$weft" validate "$d/$file" 2>/dev/null; then
                    valid=$((valid + 1))
                    "$weft" validate --disable all "$d/$file" 2>/dev/null || rejected=$((rejected + 1))
                else
                    bad=$((bad + 1))
                fi
            done < <(grep '"type": "module"' "$d/x.json" | grep -v '"module_type": "text"' |
                     sed -n 's/.*"filename": "\([^"]*\.wasm\)".*/\1/p')
            # Every module of memory64's files has a 64-bit memory; some
            # of load.wast's have one memory only.
            if [ $valid -gt 0 ] && [ $bad == 0 ] && [ $rejected -gt 0 ] &&
                { [ $p != memory64 ] || [ $rejected == $valid ]; }; then
                ok "$p/$(basename "$w"): $valid modules valid, $rejected of them rejected by --disable all"
            else
                fail "$p/$(basename "$w")" "valid $valid, invalid $bad, rejected by --disable all $rejected"
            fi
    done
else
    skip "proposal switches on the spec suite (no wast2json or no suite at $suite)"
fi

# ---- WASI programs: shorthand, environment, --dir . ---------------------------------------

if [ -z "$clang" ]; then
    skip "WASI programs (no clang for wasm32-wasi)"
    echo "cli: $passed passed, $failed failed, $skipped skipped"
    [ $failed == 0 ]
    exit
fi
# Compiled and linked in two steps: clang links with an -O level through
# binaryen's wasm-opt when that is on PATH, which drops the name section
# that the --profile test reads.
for p in show_env hot echo_server; do
    "$clang" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -c -o "$work/$p.o" "$src/$p.c" &&
        "$clang" --target=wasm32-wasi --sysroot=/usr -o "$work/$p.wasm" "$work/$p.o" ||
        fail "compile $p.c"
done
show=$work/show_env.wasm

run run "$show" a "b c"
expect "run with arguments" 0 '^arg 1: a$' '^arg 2: b c$' '^env count: 0$'
long=$out
run "$show" a "b c"
[ $code == 0 ] && [ "$out" == "$long" ] && ok "weft FILE.wasm ARGS = weft run FILE.wasm ARGS" ||
    fail "shorthand" "$out"
run "$show" -- --help exit:3
expect "shorthand passes options after FILE to the guest" 3 '^arg 1: --help$' '^arg 2: exit:3$'
run run "$show" -- x
expect "run FILE -- ARGS" 0 '^arg 1: x$'
expect_not "the -- after FILE is not the guest's" '^arg .: --$'
run --env WEFT_A=1 "$show"
expect "shorthand with an option first" 0 '^env: WEFT_A=1$'

export WEFT_FROM_HOST="host value" WEFT_SECOND=2
unset WEFT_UNSET
run run --env WEFT_FROM_HOST --env WEFT_UNSET --env WEFT_X=x=y "$show"
expect "--env KEY takes the host's value" 0 '^env: WEFT_FROM_HOST=host value$' '^env: WEFT_X=x=y$'
expect_not "--env KEY of an unset variable sets nothing" 'WEFT_UNSET|WEFT_SECOND'
run run --inherit-env "$show"
expect "--inherit-env" 0 '^env: WEFT_FROM_HOST=host value$' '^env: WEFT_SECOND=2$' '^env count: many$'
run run --inherit-env --env WEFT_SECOND=override --env WEFT_X=1 --env WEFT_X=2 "$show"
expect "--env overrides --inherit-env; the later --env wins" 0 '^env: WEFT_SECOND=override$' '^env: WEFT_X=2$'
expect_not "no duplicate variables" 'WEFT_SECOND=2|WEFT_X=1'
run run --env =x "$show"
expect "--env without a name" 2 "--env wants KEY=VALUE or KEY"

mkdir -p "$work/cwd/sub"
echo "top line" >"$work/cwd/top.txt"
echo "sub line" >"$work/cwd/sub/in.txt"
echo "outside" >"$work/outside.txt"
cd "$work/cwd" || exit 1
run run --dir . "$show" cat:top.txt cat:sub/in.txt cat:../outside.txt cat:/etc/passwd
expect "--dir . gives relative paths" 0 '^top.txt: top line$' '^sub/in.txt: sub line$' \
    '^open \.\./outside.txt: ' '^open /etc/passwd: '
expect_not "--dir . reaches nothing outside" 'outside$|root:'
run "$show" cat:top.txt
expect "no --dir: no file access" 0 '^open top.txt: '
cd "$work" || exit 1
run run --dir "$work/cwd::/data" "$show" cat:/data/top.txt
expect "--dir HOST::GUEST" 0 '^/data/top.txt: top line$'
run run --dir "$work/nonexistent" "$show"
expect "--dir of a missing directory" 2 'nonexistent'

# ---- Sockets: an echo server on 127.0.0.1 -----------------------------------------------

# talk PORT TEXT: connects to 127.0.0.1:PORT, sends TEXT and a newline,
# and prints what comes back until the server's end of stream.
talk() {
    timeout 10 bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1" && printf "%s\n" "$2" >&5 && cat <&5' _ "$@"
}

timeout 30 "$weft" run --listen 127.0.0.1:0 "$work/echo_server.wasm" 2 \
    >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^weft: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.err" 2>/dev/null)
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    fail "--listen 127.0.0.1:0 says its port" "$(cat "$work/server.err")"
else
    ok "--listen 127.0.0.1:0 says its port"
    reply1=$(talk "$port" "hello weft")
    reply2=$(talk "$port" "second connection")
    [ "$reply1" == "hello weft" ] && ok "echo through sock_accept/recv/send/shutdown" ||
        fail "echo" "got '$reply1'"
    [ "$reply2" == "second connection" ] && ok "a second connection" || fail "second echo" "got '$reply2'"
fi
wait "$server_pid"
code=$?
server_pid=
out=$(cat "$work/server.out") err=$(cat "$work/server.err")
expect "the echo server's own account" 0 '^accept on stdout: notsock$' '^shutdown on fd 99: badf$' \
    '^poll: 1 readable$' '^received 11 bytes$' '^received 18 bytes$' '^after shutdown: recv 0$' \
    '^served 2$'

mkdir -p "$work/d"
timeout 30 "$weft" run --dir "$work/d" --tcplisten 127.0.0.1:0 "$work/echo_server.wasm" 0 \
    >"$work/server.out" 2>&1
code=$?
out=$(cat "$work/server.out") err=
expect "--tcplisten, with a preopened directory first" 0 'listening on 127\.0\.0\.1:' '^served 0$'
run run --listen 127.0.0.1 "$show"
expect "--listen without a port" 2 "--listen wants ADDR:PORT"
run run --listen 192.0.2.1:0 "$show"
expect "--listen on an address the host lacks" 2 "--listen 192.0.2.1:0: "

# ---- --profile ---------------------------------------------------------------------

run run --profile "$work/hot.wasm" 3000000
expect "--profile prints a table" 0 '^done 1$' '^weft profile: [0-9]+ samples in [0-9.]+ s' \
    '^ +self +self% +total +total% +function$' 'func [0-9]+ hot_loop$'
first_row=$(sed -n '/^ *self /{n;p;q}' "$work/err")
samples=$(sed -n 's/^weft profile: \([0-9]*\) samples.*/\1/p' "$work/err")
if [[ $first_row == *hot_loop ]] && [ "${samples:-0}" -ge 20 ]; then
    ok "--profile: hot_loop leads ($samples samples)"
else
    fail "--profile: hot_loop leads" "first row: $first_row" "$err"
fi
grep -q 'done 1' "$work/out" && ! grep -q 'profile' "$work/out" && ok "--profile keeps stdout the guest's" ||
    fail "--profile keeps stdout the guest's"
run run --profile --dispatch switch --bounds explicit "$work/hot.wasm" 300000
expect "--profile with another strategy" 0 'func [0-9]+ hot_loop$'
if [ -n "$wat2wasm" ]; then
    echo '(module (func $spin (export "spin") (param i32) (result i32) (local i32)
            (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                     (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
            (local.get 1)))' >"$work/spin.wat"
    "$wat2wasm" --debug-names "$work/spin.wat" -o "$work/spin.wasm"
    run run --profile --invoke spin "$work/spin.wasm" 30000000
    expect "--profile of an --invoke call" 0 '^30000000$' '^weft profile: ' \
        '^ +[0-9]+ +100\.0% +[0-9]+ +100\.0%  func 0 spin$'
fi
run run --profile --timeout 0.3 "$work/hot.wasm" 1000000000
expect "--profile of a run --timeout stops" 124 'timed out after 0.3 s' '^weft profile: ' 'func [0-9]+ hot_loop$'

# ---- bench -------------------------------------------------------------------------

strategies=$("$weft" --version | sed -n 's/^dispatch strategies: //p' | sed 's/ (not built.*//')
nstrat=$(echo $strategies | wc -w)
run bench --runs 2 "$work/hot.wasm" 100000
expect "bench" 0 '^dispatch +bounds +wall ms +median ms +cpu ms +vs best +exit$' \
    '^direct +guard +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+x +0$' '^switch +explicit +[0-9.]+ '
rows=$(grep -cE '^[a-z]+ +(guard|explicit) +[0-9.]+ ' "$work/out")
[ "$rows" == $((nstrat * 2)) ] && ok "bench: a row for each of $nstrat strategies x 2 bounds modes" ||
    fail "bench rows" "$rows rows for $nstrat strategies" "$out"
grep -qE ' 1\.00x ' "$work/out" && ok "bench: the fastest is 1.00x" || fail "bench: fastest" "$out"
expect_not "bench discards the guest's output" 'done 1'
run bench --runs 1 "$show" exit:3
expect "bench reports the exit status" 0 '^direct +guard +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+x +3$'
run bench "$work/m64.wasm"
expect "bench of a module that is no command" 1 'failed'

# ---- Shell completion and man page ------------------------------------------------------

# complete WORDS...: the completions bash offers for the last word.
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _weft
             printf "%s\n" "${COMPREPLY[@]}"' _ "$root/src/cli/weft.bash" "$@" 2>&1
}
c=$(complete_words "$weft" "")
[[ $c == *run* && $c == *bench* && $c == *validate* ]] && ok "completion: commands" || fail "completion: commands" "$c"
c=$(complete_words "$weft" run --in)
[ "$(echo $c)" == "--invoke --inherit-env" ] && ok "completion: run --in" || fail "completion: run --in" "$c"
c=$(complete_words "$weft" validate --)
[[ $c == *--enable* && $c != *--dir* ]] && ok "completion: validate's options only" || fail "completion: validate --" "$c"
c=$(complete_words "$weft" run --enable m)
[ "$(echo $c)" == "multi-memory memory64" ] && ok "completion: proposal names" || fail "completion: --enable m" "$c"
c=$(complete_words "$weft" run --dispatch s)
[ "$c" == "switch" ] && ok "completion: --dispatch" || fail "completion: --dispatch" "$c"
c=$(complete_words "$weft" help b)
[ "$c" == "bench" ] && ok "completion: help COMMAND" || fail "completion: help b" "$c"

# Every option of every command is in the man page and in docs/cli.md.
missing=
for cmd in $commands; do
    for o in $("$weft" help --options "$cmd"); do
        grep -qF -- "${o//-/\\-}" "$root/src/cli/weft.1" || missing+=" $o(man)"
        grep -qF -- "$o" "$root/docs/cli.md" || missing+=" $o(docs)"
    done
    grep -qF "$cmd" "$root/src/cli/weft.1" || missing+=" $cmd(man)"
done
[ -z "$missing" ] && ok "man page and docs/cli.md name every command and option" ||
    fail "man page and docs/cli.md" "missing:$missing"
if command -v groff >/dev/null; then
    warnings=$(groff -man -Tutf8 -ww -z "$root/src/cli/weft.1" 2>&1)
    [ -z "$warnings" ] && ok "man page formats without warnings" || fail "groff -man" "$warnings"
else
    skip "man page formatting (no groff)"
fi

echo "cli: $passed passed, $failed failed, $skipped skipped"
[ $failed == 0 ]
