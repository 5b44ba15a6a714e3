#!/usr/bin/env bash
# ir_golden.sh WEFT WAT2WASM DIR: the IR golden tests. Each DIR/*.wat holds
# small functions and, in lines starting with ";;| ", the listing that
# `weft ir` must print for them. The listing shows which instructions fuse
# and which operands fold into slots, so a change to lowering that loses one
# shows up here. With WEFT_GOLDEN_UPDATE=1 the listings are rewritten. A
# file whose first line is ";; wat2wasm: FLAGS" is converted with FLAGS (say,
# --enable-multi-memory for a proposal's instructions).
set -uo pipefail
weft=$1 wat2wasm=$2 dir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for wat in "$dir"/*.wat; do
    name=$(basename "$wat" .wat)
    flags=$(sed -n '1s/^;; wat2wasm: //p' "$wat")
    # shellcheck disable=SC2086 # FLAGS are words.
    if ! "$wat2wasm" --debug-names $flags "$wat" -o "$tmp/$name.wasm" 2>"$tmp/$name.err"; then
        echo "FAIL $name: wat2wasm: $(cat "$tmp/$name.err")"
        failed=$((failed + 1))
        continue
    fi
    "$weft" ir "$tmp/$name.wasm" >"$tmp/$name.out" 2>&1
    if [ "${WEFT_GOLDEN_UPDATE:-}" = 1 ]; then
        { grep -v '^;;| ' "$wat"; sed 's/^/;;| /' "$tmp/$name.out"; } >"$tmp/$name.new"
        mv "$tmp/$name.new" "$wat"
    fi
    sed -n 's/^;;| //p' "$wat" >"$tmp/$name.expected"
    if diff -u "$tmp/$name.expected" "$tmp/$name.out" >"$tmp/$name.diff"; then
        passed=$((passed + 1))
    else
        echo "FAIL $name: the IR differs from the listing in $wat:"
        cat "$tmp/$name.diff"
        failed=$((failed + 1))
    fi
done
echo "ir golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
