"""What the brief's three formats share: the file name, the chart images (rendered once for all
formats), the tables as text with their column widths, the confidentiality notice and footer, and
what an empty section says."""

from __future__ import annotations

import polars as pl

from psea.brief import Brief
from psea.brief.model import Section
from psea.present.exports import chart_bytes, slug
from psea.present.labels import label, labelled

FORMATS = ("docx", "pdf", "md")
CHART_PPI = 200
CONFIDENTIAL = "Confidential — contains PSEA case statistics"


def file_stem(brief: Brief) -> str:
    return f"sfp_brief_{brief.meeting.isoformat()}_{slug(brief.scope)}"


def chart_images(brief: Brief) -> dict[str, bytes]:
    """Every figure as a print-resolution PNG, rendered once for all formats."""
    return {
        f.caption: chart_bytes(f.chart, "png", CHART_PPI)
        for section in brief.sections
        for f in section.figures
    }


DOCX_TABLE_CHARS = 85  # characters across the text width at 9 pt (DejaVu, wider than Calibri)
PDF_TABLE_CHARS = 105  # the same at 8.5 pt Helvetica


def column_weights(
    header: list[str] | None, rows: list[list[str]], capacity: int = DOCX_TABLE_CHARS
) -> list[float]:
    """Relative column widths for DOCX and PDF: each column as wide as its longest text (a bold
    header a little wider) when the page holds them all; else the short columns whole and the long
    ones cut to one level, never below their longest word (of up to 16 letters), so numbers, dates
    and words never break."""
    table = ([header] if header is not None else []) + rows
    columns = list(zip(*table, strict=True))
    pad = 2 if header is None else 3  # the cell's own padding; a bold header is a little wider
    natural = [max(len(str(c)) for c in col) + pad for col in columns]
    words = [
        max((min(len(w), 16) for c in col for w in str(c).split()), default=0) for col in columns
    ]
    lows = [w + pad for w in words]  # a file name or a load id may break; a word may not
    if sum(natural) <= capacity or sum(lows) >= capacity:
        return natural if sum(natural) <= capacity else lows
    low, high = 0.0, float(max(natural))
    for _ in range(50):  # the level at which the clipped widths fill the capacity
        level = (low + high) / 2
        fill = sum(max(lw, min(n, level)) for lw, n in zip(lows, natural, strict=True))
        low, high = (level, high) if fill <= capacity else (low, level)
    return [max(lw, min(n, low)) for lw, n in zip(lows, natural, strict=True)]


def text_table(frame: pl.DataFrame) -> tuple[list[str], list[list[str]]]:
    """A frame as a reader sees it: headers and code cells in plain words (psea.present.labels), every
    cell as text, an empty cell for a missing one."""
    frame = labelled(frame)
    rows = [["" if v is None else str(v) for v in row] for row in frame.rows()]
    return [label(c) for c in frame.columns], rows


def footer_text(brief: Brief) -> str:
    return f"{CONFIDENTIAL} · {brief.scope} · data as of {brief.period.end.isoformat()} · page "


def empty_lines(section: Section) -> list[str]:
    """What a section that holds nothing says ("None recorded.")."""
    body = section.paragraphs or section.items or section.tables or section.figures
    return [section.empty] if section.empty and not body else []
