#!/bin/sh
# installed.sh CC BUILD_DIR EXAMPLE_DIR: installs the build into a scratch
# DESTDIR, compiles the hello example with nothing but the flags
# `pkg-config weft` gives, and runs it: the installed <wasm.h>, library and
# pkg-config file are enough for a wasm.h program.
set -eu
cc=$1 build=$(realpath "$2") examples=$(realpath "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
meson install -C "$build" --destdir "$work/root" --no-rebuild --quiet >/dev/null
pc=$(find "$work/root" -name weft.pc | head -n 1)
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$work/root"
test -f "$(pkg-config --variable=includedir weft)/weft/wasm.h"
"$cc" $(pkg-config --cflags weft) "$examples/hello.c" -o "$work/hello" \
    $(pkg-config --libs --static weft)
ln -s "$examples/hello.wasm" "$work/hello.wasm"
cd "$work"
./hello >out.txt
tail -n 1 out.txt | grep -qx 'Done\.'
