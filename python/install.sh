#!/usr/bin/env bash
# Builds the iam_eval wheel with maturin and installs it into a virtual environment.
#
#   bash python/install.sh            # release build into .venv
#   VENV=DIR PROFILE=dev bash python/install.sh   # another folder; a quicker debug build
#
# The environment is created if missing; maturin and the test tools
# (requirements-dev.txt) are installed into it, then the wheel built from this
# checkout, replacing any earlier one.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
venv="${VENV:-$root/.venv}"
profile="${PROFILE:-release}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-dev.txt"

out="$root/target/wheels/$profile"
rm -rf "$out"
"$venv/bin/maturin" build --quiet --manifest-path "$here/Cargo.toml" --profile "$profile" --out "$out"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$out"/iam_eval-*.whl
"$venv/bin/python" -c 'import iam_eval; print("installed iam_eval", iam_eval.__version__, "into", __import__("sys").prefix)'
