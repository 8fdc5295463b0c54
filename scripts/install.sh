#!/usr/bin/env bash
# Installs avledger from this offline bundle (scripts/bundle built it), with no network:
#   sudo ./install.sh [--prefix DIR]      (default prefix: /usr/local)
# 1. the Debian packages in debs/ (xorriso and what it needs), with dpkg -i; a package already installed at
#    the same or a newer version is left as it is;
# 2. the program into PREFIX/lib/avledger (an older one there is replaced), linked as PREFIX/bin/avledger.
# Installing a newer bundle over an older one upgrades it: the register is migrated when avledger next opens
# it, and nothing in the data folder is touched by this script.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
prefix=/usr/local
given=("$@")
say() { printf 'install.sh: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || { say "--prefix needs a folder"; exit 2; }; prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) say "unknown argument: $1 (./install.sh --help)"; exit 2 ;;
    esac
done
[ -x "$here/avledger/avledger" ] || { say "avledger/avledger is missing beside install.sh: unpack the whole tarball"; exit 2; }

# --- 1. the Debian packages ---------------------------------------------------------------------------
wanted=()
for deb in "$here"/debs/*.deb; do
    [ -e "$deb" ] || continue
    package="$(dpkg-deb -f "$deb" Package)"
    version="$(dpkg-deb -f "$deb" Version)"
    installed="$(dpkg-query -W -f='${Status} ${Version}' "$package" 2>/dev/null || true)"
    case "$installed" in
        "install ok installed "*)
            have="${installed#install ok installed }"
            if dpkg --compare-versions "$have" ge "$version"; then
                say "$package $have is installed (bundle: $version): kept"
                continue
            fi ;;
    esac
    wanted+=("$deb")
done
if [ ${#wanted[@]} -gt 0 ]; then
    if ! command -v dpkg >/dev/null 2>&1; then
        say "not a Debian-like system: install xorriso yourself to burn discs (everything else works without it)"
    elif [ "$(id -u)" -ne 0 ]; then
        say "installing Debian packages needs root: sudo ./install.sh ${given[*]}"
        exit 2
    else
        say "installing: $(for d in "${wanted[@]}"; do basename "$d"; done | tr '\n' ' ')"
        dpkg -i "${wanted[@]}"
    fi
fi

# --- 2. the program -----------------------------------------------------------------------------------
mkdir -p "$prefix/lib" "$prefix/bin"
target="$prefix/lib/avledger"
rm -rf "$target.new"
cp -a "$here/avledger" "$target.new"
chmod -R go-w "$target.new"
if [ -e "$target" ]; then
    rm -rf "$target.old"
    mv "$target" "$target.old"
fi
mv "$target.new" "$target"
rm -rf "$target.old"
ln -sfn ../lib/avledger/avledger "$prefix/bin/avledger"
say "installed $("$prefix/bin/avledger" --version) as $prefix/bin/avledger"
