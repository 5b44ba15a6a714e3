#!/bin/bash
# run_exn_program.sh WEFT GEN: builds the exception program with GEN
# (gen_exn_program.c) and runs it under `weft run` in every dispatch
# strategy the build has: its output and exit status, and with nothing to
# catch its last throw, the uncaught-exception report and status 134.
set -u
weft=$1 gen=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" "$work/ok.wasm" && "$gen" "$work/uncaught.wasm" uncaught || exit 1
# "dispatch strategies: direct indirect switch tail", or "... (tail: not built)".
strategies=$("$weft" --version | sed -n 's/^dispatch strategies: //p' | sed 's/(.*//')
failed=0
want="sum=45060 cleanups=8 other=15"
for d in $strategies; do
    out=$("$weft" run --dispatch "$d" "$work/ok.wasm" 2>"$work/err"); code=$?
    if [ "$out" == "$want" ] && [ $code == 0 ]; then
        echo "ok $d: caught"
    else
        echo "FAIL $d: caught: status $code, output '$out', stderr $(cat "$work/err")"; failed=1
    fi
    out=$("$weft" run --dispatch "$d" "$work/uncaught.wasm" 2>"$work/err"); code=$?
    if [ "$out" == "$want" ] && [ $code == 134 ] &&
        grep -q "uncaught.wasm: uncaught exception (tag 1)$" "$work/err"; then
        echo "ok $d: uncaught"
    else
        echo "FAIL $d: uncaught: status $code, output '$out', stderr $(cat "$work/err")"; failed=1
    fi
done
exit $failed
