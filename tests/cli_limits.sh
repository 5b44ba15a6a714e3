#!/usr/bin/env bash
# cli_limits.sh: the limits of issue 25 through `weft run`: the module size
# cap on an endless input, the totals over several memories, and --fuel and
# --timeout on a bulk instruction.
# Usage: cli_limits.sh WEFT WAT2WASM
set -u
weft=$1 wat2wasm=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# expect NAME STATUS TEXT COMMAND...: runs COMMAND, which must exit with
# STATUS and say TEXT on stderr.
expect() {
    local name=$1 status=$2 text=$3
    shift 3
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    if [ $got -ne "$status" ] || ! grep -qF -- "$text" "$work/err"; then
        echo "FAIL $name: exit $got (want $status); stderr: $(head -c 300 "$work/err")"
        failed=1
    else
        echo "ok   $name"
    fi
}

# /dev/zero is no module, seen from its first bytes; an endless stream
# that starts as one stops at the cap, at once.
expect "/dev/zero" 1 "magic header not detected" timeout 20 "$weft" validate /dev/zero
endless() { printf '\0asm\1\0\0\0'; exec cat /dev/zero; }
expect "module cap on an endless stream" 1 "max_module_bytes" \
    timeout 20 "$weft" run --max-module-bytes 1000000 <(endless)

cat >"$work/mems.wat" <<'WAT'
(module (memory 100) (memory 100) (memory 100)
  (func (export "grow") (result i32) (memory.grow 1 (i32.const 100))))
WAT
"$wat2wasm" --enable-multi-memory "$work/mems.wat" -o "$work/mems.wasm" || exit 1
expect "memory total at instantiation" 1 "max_instance_memory_bytes" \
    "$weft" run --max-total-memory $((250 * 65536)) --invoke grow "$work/mems.wasm"
expect "number of memories" 1 "max_instance_memories" \
    "$weft" run --max-memories 2 --invoke grow "$work/mems.wasm"
"$weft" run --max-total-memory $((350 * 65536)) --invoke grow "$work/mems.wasm" >"$work/out" 2>&1
if [ "$(cat "$work/out")" = "-1" ]; then echo "ok   memory.grow past the total"; else
    echo "FAIL memory.grow past the total: $(cat "$work/out")"; failed=1; fi

# 1 GiB of memory.fill, eight times over.
cat >"$work/fill.wat" <<'WAT'
(module (memory 16384)
  (func (export "fill") (result i32) (local i32)
    (loop $l
      (memory.fill (i32.const 0) (local.get 0) (i32.const 1073741824))
      (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 8))))
    (local.get 0)))
WAT
"$wat2wasm" "$work/fill.wat" -o "$work/fill.wasm" || exit 1
start=$(date +%s%N)
expect "fuel on memory.fill" 125 "out of fuel" "$weft" run --fuel 60 --invoke fill "$work/fill.wasm"
ms=$((($(date +%s%N) - start) / 1000000))
[ $ms -lt 2000 ] || { echo "FAIL fuel on memory.fill took $ms ms"; failed=1; }
start=$(date +%s%N)
expect "timeout on memory.fill" 124 "timed out" "$weft" run --timeout 0.05 --invoke fill "$work/fill.wasm"
ms=$((($(date +%s%N) - start) / 1000000))
# Eight GiB of writes take seconds; the stop must come within a few chunks
# (generous for a loaded machine).
[ $ms -lt 1500 ] || { echo "FAIL timeout on memory.fill took $ms ms"; failed=1; }
exit $failed
