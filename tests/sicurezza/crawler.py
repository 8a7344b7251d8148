"""An anonymous visitor that follows every link from ``/``: pages, PDF, JSON, CSV.

``visita(client)`` returns ``{url: Pagina}`` with the text a citizen can read at each address
(the HTML source, the PDF's text through ``pdftotext``, the JSON or CSV as is). Links to
/static/ are not followed (files of the layout); links to /admin/ are recorded, not followed.
"""

import subprocess
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit


@dataclass
class Pagina:
    url: str
    stato: int
    tipo: str
    testo: str


class _Collegamenti(HTMLParser):
    def __init__(self):
        super().__init__()
        self.trovati = []

    def handle_starttag(self, tag, attrs):
        for nome, valore in attrs:
            if nome in ("href", "src", "action") and valore:
                self.trovati.append(valore)


def testo_pdf(contenuto: bytes) -> str:
    esito = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenuto, capture_output=True, timeout=120,
        check=True,
    )
    return esito.stdout.decode("utf-8")


def collegamenti(html: str, base: str) -> list[str]:
    parser = _Collegamenti()
    parser.feed(html)
    risultato = []
    for grezzo in parser.trovati:
        assoluto, _ = urldefrag(urljoin(base, grezzo))
        parti = urlsplit(assoluto)
        if parti.scheme not in ("", "http", "https") or parti.netloc not in ("", "testserver"):
            continue  # mailto:, tel:, other sites
        risultato.append(parti.path + (f"?{parti.query}" if parti.query else ""))
    return risultato


def testo_ods(corpo: bytes) -> str:
    """The text of every cell of an ODS (its content.xml without the markup)."""
    import html
    import io
    import re
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(corpo)).read("content.xml").decode("utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", xml))


def visita(client, partenza="/", massimo=5000):
    pagine: dict[str, Pagina] = {}
    admin: set[str] = set()
    coda = deque([partenza])
    while coda:
        url = coda.popleft()
        if url in pagine:
            continue
        if url.startswith("/static/"):
            continue
        if url.startswith("/admin/"):
            admin.add(url)
            continue
        assert len(pagine) < massimo, "troppe pagine: un ciclo di collegamenti?"
        risposta = client.get(url)
        corpo = b"".join(risposta.streaming_content) if risposta.streaming else risposta.content
        tipo = risposta.get("Content-Type", "").split(";")[0]
        if tipo == "application/pdf":
            testo = testo_pdf(corpo)
        elif tipo == "application/vnd.oasis.opendocument.spreadsheet":
            testo = testo_ods(corpo)
        else:
            testo = corpo.decode("utf-8")
        pagine[url] = Pagina(url=url, stato=risposta.status_code, tipo=tipo, testo=testo)
        if tipo == "text/html" and risposta.status_code == 200:
            coda.extend(c for c in collegamenti(testo, "http://testserver" + url) if c not in pagine)
    return pagine, admin
