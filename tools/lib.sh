# lib.sh: shared set-up for the scripts in tools/: installs missing Debian
# packages and configures meson build folders. Sourced, not run.

WEFT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# weft_need PKG...: installs the Debian packages that are not installed yet.
weft_need() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "weft: installing ${missing[*]}" >&2
    local sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2 &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >&2
}

# weft_build DIR [MESON OPTIONS...]: configures DIR once, then builds it.
weft_build() {
    local dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$WEFT_ROOT" "$@" >"$dir.setup.log" 2>&1 || {
            cat "$dir.setup.log" >&2
            return 1
        }
    fi
    ninja -C "$dir" >&2
}

# The packages every build needs.
WEFT_BUILD_PACKAGES=(gcc g++ clang lld meson ninja-build pkg-config wabt wasi-libc libclang-rt-14-dev-wasm32)

# The version of the npm package whose text parser tools/wast2json.mjs uses.
WEFT_JCO_TRANSPILE_VERSION=0.15.0

# The version of binaryen (npm's JS build) that tools/difftest --proposals
# generates modules with.
WEFT_BINARYEN_VERSION=132.0.0

# weft_wast_converter DIR: installs the 3.0 suite's script converter into
# DIR (node and npm from Debian; the npm package into DIR/node_modules) and
# prints the path of a wast2json-compatible wrapper for the spec runner's
# WAST2JSON.
weft_wast_converter() {
    local dir=$1
    command -v node >/dev/null && command -v npm >/dev/null || weft_need nodejs npm || return 1
    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd)
    local pkg=$dir/node_modules/@bytecodealliance/jco-transpile
    if [ ! -f "$pkg/package.json" ] ||
        ! grep -q "\"version\": \"$WEFT_JCO_TRANSPILE_VERSION\"" "$pkg/package.json"; then
        echo "weft: installing @bytecodealliance/jco-transpile@$WEFT_JCO_TRANSPILE_VERSION into $dir" >&2
        npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
            "@bytecodealliance/jco-transpile@$WEFT_JCO_TRANSPILE_VERSION" >&2 || return 1
    fi
    cat >"$dir/wast2json" <<WRAPPER
#!/bin/sh
WEFT_WAST_NODE_MODULES='$dir/node_modules' exec node '$WEFT_ROOT/tools/wast2json.mjs' "\$@"
WRAPPER
    chmod +x "$dir/wast2json"
    echo "$dir/wast2json"
}
