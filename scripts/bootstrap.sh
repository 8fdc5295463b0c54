# Shared set-up for ./avledger and ./test (sourced, not run).
# Creates .venv on first use, installs the package (editable) and reinstalls
# only when pyproject.toml changes, and installs the Debian packages the
# program needs when run as root (else prints the one command to run).

AVL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AVL_VENV="$AVL_ROOT/.venv"

avl_say() { printf 'avledger: %s\n' "$*" >&2; }

avl_find_python() {
    local cand
    for cand in "${AVLEDGER_PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$cand" ] || continue
        command -v "$cand" >/dev/null 2>&1 || continue
        if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            printf '%s' "$cand"
            return 0
        fi
    done
    return 1
}

# avl_need_debs PKG...: make sure the Debian packages are installed.
avl_need_debs() {
    local missing=() pkg
    command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian: nothing we can do
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        avl_say "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; then
            apt-get update -q >/dev/null 2>&1
            apt-get install -y -q "${missing[@]}" >/dev/null || { avl_say "apt-get could not install: ${missing[*]}"; return 1; }
        fi
    else
        avl_say "some Debian packages are missing. Run this once, then start again:"
        printf '    sudo apt-get install -y %s\n' "${missing[*]}" >&2
        return 1
    fi
}

# avl_ensure_venv EXTRAS: create/refresh .venv from the lock file (exact versions, checked by hash),
# then install avledger itself (editable, without resolving anything more).
# EXTRAS is "" (runtime.lock) or "test" (test.lock).
avl_ensure_venv() {
    local extras="$1" py stamp want lock
    lock="$AVL_ROOT/requirements/${extras:-runtime}.lock"
    want="$(cat "$AVL_ROOT/pyproject.toml" "$lock" | sha256sum | cut -c1-16)-$extras"
    stamp="$AVL_VENV/.avledger-stamp"
    if [ -x "$AVL_VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    # the test environment holds every runtime library at the same version (scripts/lock makes both locks
    # from one resolution): ./avledger after ./test needs nothing installed
    if [ -z "$extras" ] && [ -x "$AVL_VENV/bin/python" ] && [ -f "$stamp" ] \
        && [ "$(cat "$stamp")" = "$(cat "$AVL_ROOT/pyproject.toml" "$AVL_ROOT/requirements/test.lock" | sha256sum | cut -c1-16)-test" ]; then
        return 0
    fi
    if [ ! -x "$AVL_VENV/bin/python" ]; then
        py="$(avl_find_python)" || { avl_say "Python 3.11 or newer is needed."; printf '    sudo apt-get install -y python3 python3-venv\n' >&2; return 1; }
        if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
            avl_need_debs python3-venv || return 1
        fi
        avl_say "creating the virtual environment in .venv ($("$py" --version))"
        "$py" -m venv "$AVL_VENV" || return 1
    fi
    avl_say "installing the locked libraries (${lock#"$AVL_ROOT"/}) into .venv"
    "$AVL_VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$lock" \
        || { avl_say "pip install failed"; return 1; }
    "$AVL_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$AVL_ROOT" \
        || { avl_say "pip install failed"; return 1; }
    printf '%s' "$want" > "$stamp"
}
