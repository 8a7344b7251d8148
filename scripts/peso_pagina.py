"""Bytes a citizen's browser transfers for one public page, measured in Chromium at 390 × 844.

    .venv/bin/python scripts/peso_pagina.py http://127.0.0.1:8102/seregno/2021/ [--larghezza 390]

Opens the page in Debian's chromium (a fresh profile, empty cache, ``Accept-Encoding`` as the
browser sends it), collects the Chrome DevTools Protocol ``Network.loadingFinished`` events and
adds up ``encodedDataLength`` — the bytes on the wire, headers included, after gzip/brotli —
per kind of resource (document, stylesheet, font, image, script). Prints one line per
resource and a JSON summary on the last line. Serve the page as in production for a true figure
(``DEBUG=0``, ``collectstatic``: WhiteNoise then serves the precompressed static files).
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

RADICE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RADICE))

from tests.trasparenza.browser import CHROMIUM_ARGS  # noqa: E402


def misura(url: str, *, larghezza: int = 390, altezza: int = 844) -> dict:
    from playwright.sync_api import sync_playwright

    risorse: dict[str, dict] = {}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profilo:
        browser = p.chromium.launch_persistent_context(
            profilo, executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
            viewport={"width": larghezza, "height": altezza},
        )
        try:
            pagina = browser.new_page()
            cdp = browser.new_cdp_session(pagina)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

            def risposta(evento):
                r = evento["response"]
                risorse[evento["requestId"]] = {
                    "url": r["url"], "tipo": evento.get("type", "Other").lower(),
                    "codifica": {k.lower(): v for k, v in r.get("headers", {}).items()}.get(
                        "content-encoding", ""),
                    "byte": 0,
                }

            def finito(evento):
                if evento["requestId"] in risorse:
                    risorse[evento["requestId"]]["byte"] = int(evento["encodedDataLength"])

            cdp.on("Network.responseReceived", risposta)
            cdp.on("Network.loadingFinished", finito)
            pagina.goto(url, wait_until="networkidle")
            pagina.evaluate("document.fonts.ready.then(() => true)")
            pagina.wait_for_timeout(300)
            altezza_pagina = pagina.evaluate("document.documentElement.scrollHeight")
        finally:
            browser.close()
    per_tipo: dict[str, int] = {}
    for r in risorse.values():
        per_tipo[r["tipo"]] = per_tipo.get(r["tipo"], 0) + r["byte"]
    return {
        "url": url, "larghezza": larghezza, "totale_byte": sum(per_tipo.values()),
        "per_tipo": per_tipo, "altezza_pagina_px": altezza_pagina,
        "risorse": sorted(risorse.values(), key=lambda r: -r["byte"]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--larghezza", type=int, default=390)
    args = parser.parse_args()
    esito = misura(args.url, larghezza=args.larghezza)
    for r in esito.pop("risorse"):
        print(f"{r['byte']:>9} B  {r['tipo']:<11} {r['codifica'] or '-':<5} {r['url']}")
    print(json.dumps(esito))


if __name__ == "__main__":
    main()
