#!/bin/sh
# Builds, at development time, the lean front-end files the citizen pages ship (issue 13,
# point 7); the results are vendored in static/ and committed. Run it after changing a
# template's classes or upgrading Bootstrap Italia. See docs/frontend.md «Peso delle pagine».
#   PurgeCSS (npm, MIT): npm install --prefix /tmp/purgecss purgecss@6
#   pyftsubset (fontTools, MIT) + brotli: already in the project's environment
set -eu
cd "$(dirname "$0")/../.."
PURGECSS="${PURGECSS:-/tmp/purgecss/node_modules/.bin/purgecss}"
BI=static/vendor/bootstrap-italia

# 1. Bootstrap Italia reduced to the selectors the public templates use.
mkdir -p "$BI/css/ridotto"
"$PURGECSS" --config scripts/frontend/purgecss.config.cjs --output "$BI/css/ridotto/"
mv "$BI/css/ridotto/bootstrap-italia.min.css" "$BI/css/bootstrap-italia.ridotto.min.css"
rmdir "$BI/css/ridotto"

# 2. The fonts the pages use (Titillium Web 400/600/700, Roboto Mono 400), cut to the Latin
#    letters Italian and the other languages of the ente's names need.
UNICODES="U+0020-007E,U+00A0-017F,U+0192,U+02C6,U+02DA,U+02DC,U+2013-2014,U+2018-201E,U+2022,U+2026,U+2030,U+2039-203A,U+20AC,U+2122,U+2190-2193,U+2212,U+2264-2265"
for f in Titillium_Web/titillium-web-v10-latin-ext_latin-regular \
         Titillium_Web/titillium-web-v10-latin-ext_latin-600 \
         Titillium_Web/titillium-web-v10-latin-ext_latin-700 \
         Roboto_Mono/roboto-mono-v13-latin-ext_latin-regular; do
  .venv/bin/pyftsubset "$BI/fonts/$f.woff2" --unicodes="$UNICODES" --layout-features='*' \
    --flavor=woff2 --output-file="$BI/fonts/$f.ridotto.woff2"
done

# 3. The one icon of the header, out of the 94 KB sprite.
.venv/bin/python - <<'PY'
import re
s = open("static/vendor/bootstrap-italia/svg/sprites.svg", encoding="utf-8").read()
simbolo = re.search(r'<symbol[^>]*id="it-pa".*?</symbol>', s, re.S).group(0)
open("static/vendor/bootstrap-italia/svg/it-pa.svg", "w", encoding="utf-8").write(
    f'<svg xmlns="http://www.w3.org/2000/svg">{simbolo}</svg>\n')
PY
ls -l "$BI/css/bootstrap-italia.ridotto.min.css" "$BI"/fonts/*/*.ridotto.woff2 "$BI/svg/it-pa.svg"
