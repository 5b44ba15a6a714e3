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
