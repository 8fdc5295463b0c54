#!/usr/bin/env bash
# Installs avledger from this offline bundle (scripts/bundle built it), with no network:
#   sudo ./install.sh [--prefix DIR]      (default prefix: /usr/local)
# 1. the Debian packages in debs/ (xorriso and what it needs), with dpkg -i; a package already installed at
#    the same or a newer version is left as it is;
# 2. the program into PREFIX/lib/avledger-VERSION-WHEN, once it has answered --version here; PREFIX/lib/avledger
#    is switched to it in one rename (the previous program is kept), linked as PREFIX/bin/avledger.
# Exit: 0 done, 2 refused (nothing changed), 4 the program installed but the Debian packages not.
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
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) say "unknown argument: $1 (./install.sh --help)"; exit 2 ;;
    esac
done
[ -x "$here/avledger/avledger" ] || { say "avledger/avledger is missing beside install.sh: unpack the whole tarball"; exit 2; }

# --- 1. the Debian packages ---------------------------------------------------------------------------
wanted=()
dpkg_failed=""
if ! command -v dpkg-deb >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    say "not a Debian-like system: install xorriso yourself to burn discs (everything else works without it)"
else
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
fi
if [ ${#wanted[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        say "installing Debian packages needs root: sudo ./install.sh ${given[*]}"
        exit 2
    fi
    say "installing: $(for d in "${wanted[@]}"; do basename "$d"; done | tr '\n' ' ')"
    if ! dpkg -i "${wanted[@]}"; then
        dpkg_failed=1
        say "dpkg -i failed (see above; another package manager running, or a package missing): the program is"
        say "installed all the same, but burning discs needs xorriso. Fix it, run sudo dpkg --configure -a,"
        say "then ./install.sh again."
    fi
fi

# --- 2. the program -----------------------------------------------------------------------------------
# Each install is a folder of its own, lib/avledger-VERSION-WHEN; lib/avledger is a link switched to the new
# one in one rename, once the new one has answered --version: a kill leaves the old or the new program, a
# bundle that cannot run here (another architecture) replaces nothing, and a colleague's session still
# running the previous program keeps its files (the previous folder is kept; older ones are removed).
lib="$prefix/lib"
mkdir -p "$lib" "$prefix/bin"
release="avledger-$( (sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$here/avledger/_internal/avledger-build.json" \
    2>/dev/null || true) | head -n1)"
[ "$release" != "avledger-" ] || release="avledger-unknown"
base="$release-$(date -u +%Y%m%d%H%M%S)"
release="$base"
n=1
while [ -e "$lib/$release" ]; do  # installed twice in one second
    n=$((n + 1))
    release="$base-$n"
done
staging="$lib/.$release.partial"
rm -rf "$lib"/.avledger-*.partial
cp -R --preserve=mode,timestamps "$here/avledger" "$staging"
[ "$(id -u)" -ne 0 ] || chown -R root:root "$staging"
chmod -R go-w "$staging"
if ! answer="$("$staging/avledger" --version 2>&1)"; then
    rm -rf "$staging"
    say "this bundle's program does not run on this machine ($(uname -m)): $answer"
    say "nothing was changed in $prefix"
    exit 2
fi
mv -T "$staging" "$lib/$release"
previous=""
if [ -L "$lib/avledger" ]; then
    previous="$(readlink "$lib/avledger")"
elif [ -e "$lib/avledger" ]; then  # a folder, from an install.sh before the links: kept as the previous one
    previous="avledger-previous-$(date -u +%Y%m%d%H%M%S)"
    mv "$lib/avledger" "$lib/$previous"
fi
ln -sfn "$release" "$lib/.avledger.link"
mv -T "$lib/.avledger.link" "$lib/avledger"
ln -sfn ../lib/avledger/avledger "$prefix/bin/avledger"
for old in "$lib"/avledger-*; do
    name="$(basename "$old")"
    [ "$name" = "$release" ] || [ "$name" = "$previous" ] || rm -rf "$old"
done
say "installed $answer as $prefix/bin/avledger"
[ -z "$dpkg_failed" ] || exit 4
