"""Deployment settings (`psea/config/settings.yaml`, or the file named by $PSEA_SETTINGS)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SETTINGS = Path(__file__).parent / "config" / "settings.yaml"
INGEST_LIMITS = ("file_mb", "inflated_mb", "zip_entries", "columns", "line_kb", "rows")


@cache
def settings() -> dict[str, Any]:
    path = Path(os.environ.get("PSEA_SETTINGS") or DEFAULT_SETTINGS)
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    if int(values["suppression"]["k"]) < 3:
        raise ValueError("suppression.k may never be below 3 (docs/disclosure.md)")
    limits = values["ingest"].get("limits") or {}
    missing = [k for k in INGEST_LIMITS if not (isinstance(limits.get(k), int) and limits[k] > 0)]
    if missing:  # reading unbounded is never the fallback (docs/access.md, "Failing closed")
        raise ValueError(f"ingest.limits needs a positive whole number for {', '.join(missing)}")
    return values


def suppression_k() -> int:
    return int(settings()["suppression"]["k"])
