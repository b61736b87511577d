# Sourced by bin/* scripts: make sure .venv exists and holds the project with
# its test extras.  Re-installs when pyproject.toml is newer than the stamp.
VENV="${IMAGINARY_VENV:-$root/.venv}"
stamp="$VENV/.imaginary-installed"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    "$VENV/bin/python" -m pip install --quiet -e "$root[test]" --config-settings editable_mode=compat
    touch "$stamp"
fi
