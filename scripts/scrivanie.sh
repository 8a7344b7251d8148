#!/bin/sh
# The screenshots of the three desks at 1280 px (docs/img/scrivania-dirigente.png,
# scrivania-nucleo.png, scrivania-amministratore.png), from the Seregno demo in the middle of
# reporting: the browser test that also counts the dirigente's clicks takes them.
set -eu
cd "$(dirname "$0")/.."
AGGIORNA_IMMAGINI_GUIDE=1 .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/ruoli/test_browser_scrivania.py "$@"
