# Sourced by bin/* scripts: make sure .venv exists and holds the project with
# its test extras.  Re-installs when pyproject.toml is newer than the stamp.
#
# pip and setuptools talk a lot (deprecation notices, every index they look
# at); none of it is for the person who typed bin/imaginary serve, so it goes
# to $VENV/install.log and is shown only when the install fails.
VENV="${IMAGINARY_VENV:-$root/.venv}"
stamp="$VENV/.imaginary-installed"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
    shown="$VENV"
    [ "$VENV" = "$root/.venv" ] && shown=".venv"
    if [ -f "$stamp" ]; then
        echo "Updating $shown (pyproject.toml changed)..." >&2
    else
        echo "Setting up $shown (first run)..." >&2
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        # On Debian this needs the python3-venv package; python3 says so.
        python3 -m venv "$VENV" || exit 1
    fi
    install_log="$VENV/install.log"
    : > "$install_log"
    "$VENV/bin/python" -m pip install --upgrade pip >>"$install_log" 2>&1 || true
    # compat mode puts the checkout root on sys.path, which is how the
    # top-level world/ and plugins/ and twisted/plugins/ are found here.
    if ! "$VENV/bin/python" -m pip install -e "$root[test]" \
            --config-settings editable_mode=compat >>"$install_log" 2>&1; then
        cat "$install_log" >&2
        echo "Setting up $VENV failed (the log above is in $install_log)." >&2
        exit 1
    fi
    touch "$stamp"
fi
