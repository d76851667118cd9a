"""Run one management command after Django has started and report its own cost as JSON:
wall seconds, RSS after start-up and peak RSS (so start-up is not counted in either).

    DATABASE_URL=… .venv/bin/python bench/command_probe.py export_ledger --mechanism gaoping …
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    import analytics.report  # noqa: F401 — pandas, matplotlib and docx belong to start-up
    import cases.ledger_export  # noqa: F401

    base = rss_mb()
    out = io.StringIO()
    started = time.perf_counter()
    call_command(*sys.argv[1:], stdout=out)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "base_mb": base, "peak_mb": rss_mb(),
                      "stdout": out.getvalue()[-300:]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
