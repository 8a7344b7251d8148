import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from obiettivi.models import Ciclo
from trasparenza.report import relazione_dati
from trasparenza.services import render_html_stampa, render_pdf


class Command(BaseCommand):
    help = (
        "Genera la Relazione di un ciclo dai dati correnti, in qualsiasi stato, senza pubblicarla "
        "(uso interno): PDF, HTML e/o JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("ente")
        parser.add_argument("anno", type=int)
        parser.add_argument("--pdf", type=Path, help="file PDF da scrivere")
        parser.add_argument("--html", type=Path, help="file HTML da scrivere")
        parser.add_argument("--json", dest="file_json", type=Path, help="file JSON da scrivere")

    def handle(self, *args, ente, anno, pdf, html, file_json, **options):
        ciclo = Ciclo.objects.filter(ente__slug=ente, anno=anno).first()
        if ciclo is None:
            raise CommandError(f"Ciclo non trovato: ente «{ente}», anno {anno}.")
        if not (pdf or html or file_json):
            raise CommandError("Indicare almeno un file di uscita: --pdf, --html o --json.")
        dati = relazione_dati(ciclo)
        if file_json:
            file_json.write_text(json.dumps(dati, ensure_ascii=False, indent=1), encoding="utf-8")
            self.stdout.write(f"JSON scritto in {file_json}")
        if html:
            html.write_text(render_html_stampa(dati), encoding="utf-8")
            self.stdout.write(f"HTML scritto in {html}")
        if pdf:
            pdf.write_bytes(render_pdf(dati))
            self.stdout.write(f"PDF scritto in {pdf}")
        self.stdout.write(f"Impronta SHA-256 dei dati: {dati['impronta']}")

