"""The PEG workbook in and out (docs/import-peg.md).

* ``lettura`` / ``scrittura`` — XLSX, ODS and CSV to and from tablib ``Dataset``s, bounded while
  streaming; no Django.
* ``risorse`` — one django-import-export ``Resource`` per sheet: columns ↔ fields, Italian cells,
  the rule set (``obiettivi.regole``), new/changed/unchanged rows and their changed columns.
* ``piano`` — what needs more than one row or sheet (references, trees, phase sums, the user's
  areas) and the plan; ``scritture`` — the writes (tree services, history); ``importa`` — the
  service; ``esporta`` — the template and the results; ``admin`` — the admin pages.
"""
