"""Settings for the load test of ``make bench``: the project's own settings, with STATIC_ROOT
pointed at a temporary folder holding the static twin of the published page (see carico.py).
DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CONN_MAX_AGE come from the environment as
in production."""

import os
from pathlib import Path

from seregno_perf.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
