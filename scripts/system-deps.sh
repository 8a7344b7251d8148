#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when they are missing:
# chromium (browser tests through Playwright, never a downloaded browser) and poppler-utils
# (pdftotext/pdfinfo read the PDFs back), LibreOffice Calc without its GUI (the open-data tests
# open dati.csv and dati.ods as a citizen's spreadsheet does). Needs root or sudo the first time.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installo i pacchetti di sistema mancanti: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
