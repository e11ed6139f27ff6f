"""Deployment settings (`psea/config/settings.yaml`, or the file named by $PSEA_SETTINGS)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SETTINGS = Path(__file__).parent / "config" / "settings.yaml"


@cache
def settings() -> dict[str, Any]:
    path = Path(os.environ.get("PSEA_SETTINGS") or DEFAULT_SETTINGS)
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    if int(values["suppression"]["k"]) < 3:
        raise ValueError("suppression.k may never be below 3 (docs/disclosure.md)")
    return values


def suppression_k() -> int:
    return int(settings()["suppression"]["k"])
