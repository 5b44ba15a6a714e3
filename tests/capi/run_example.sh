#!/bin/sh
# run_example.sh EXE NAME WASM EXPECTED: runs one wasm-c-api example in a
# fresh directory that holds only WASM, as NAME.wasm (the examples open it
# from the current directory), and compares what it prints with EXPECTED.
# Instance addresses in printed frames differ from run to run and become
# INSTANCE; the threads example's lines interleave as the threads run, so
# its output is compared sorted.
set -eu
name=$2
# Meson may pass paths relative to the build directory; the run is elsewhere.
exe=$(realpath "$1") wasm=$(realpath "$3") expected=$(realpath "$4")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$wasm" "$work/$name.wasm"
cd "$work"
status=0
"$exe" >out.txt 2>err.txt || status=$?
cat err.txt >&2
if [ "$status" -ne 0 ]; then
    echo "$name: exited with status $status; its output:" >&2
    cat out.txt >&2
    exit 1
fi
sed -E 's/^> 0x[0-9a-f]+ @/> INSTANCE @/' out.txt >got.txt
if [ "$name" = threads ]; then
    LC_ALL=C sort got.txt >sorted.txt
    mv sorted.txt got.txt
fi
diff -u "$expected" got.txt
