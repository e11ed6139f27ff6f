"""Exports of what a page shows: tables as CSV, XLSX and Parquet, charts as PNG, SVG and PDF, and a
page bundle as a ZIP. They take the frames and charts already published for the viewer's role, so
a download can never hold more than the screen.

In CSV and XLSX, the people's formats, a column of codes is written in plain words (psea.present.labels:
"sexual_exploitation" -> "Sexual exploitation"); Parquet, the analysts' format, keeps the codes.
Text cells beginning with `=`, `+`, `-` or `@` (and tab or carriage return) are prefixed with an
apostrophe in CSV and XLSX, so a spreadsheet never runs them as formulas.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import sys
import threading
import zipfile

import altair as alt
import polars as pl
import vl_convert as vlc

from psea.present.labels import labelled

TABLE_FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
CHART_FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
PRINT_PPI = 200  # PNG resolution for print (Vega draws at 72 ppi; vl-convert scales to this)
EXPORT_WIDTH = 720  # points, for charts that fill their container on screen
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would read as a formula, prefixed with an apostrophe."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    pattern = "^[" + "".join("\\" + ch if ch in "-+" else ch for ch in FORMULA_START) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(pattern)).then("'" + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text
    )


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested or object columns flattened to text for the flat formats."""
    return frame.with_columns(
        pl.col(c).cast(pl.String)
        for c, t in frame.schema.items()
        if isinstance(t, pl.List | pl.Struct | pl.Object)
    )


# An official submission's vocabulary is the codes (docs/cli.md): its tables are never reworded.
SUBMISSION_COLUMNS = ("un_reference", "dimension")


def for_readers(frame: pl.DataFrame, plain_words: bool = True) -> pl.DataFrame:
    """The frame as a person reads it in a spreadsheet: code columns in plain words (unless it is
    an official submission), cells a spreadsheet would run as formulas neutralized."""
    official = any(c in frame.columns for c in SUBMISSION_COLUMNS)
    return neutralize(labelled(frame) if plain_words and not official else frame)


def table_bytes(
    frame: pl.DataFrame, fmt: str, sheet: str = "data", plain_words: bool = True
) -> bytes:
    """A table as CSV or XLSX (`for_readers`; `plain_words=False` keeps the codes) or Parquet
    (exactly as is)."""
    frame = _plain(frame)
    buffer = io.BytesIO()
    if fmt == "csv":
        for_readers(frame, plain_words).write_csv(buffer)
    elif fmt == "xlsx":
        for_readers(frame, plain_words).write_excel(buffer, worksheet=sheet[:31], autofit=True)
    elif fmt == "parquet":
        frame.write_parquet(buffer)
    else:
        raise ValueError(f"unknown table format {fmt!r}")
    return buffer.getvalue()


def _altair_lock():
    """Streamlit's lock on Altair's global data transformer and theme: a dashboard session
    drawing a chart switches both, process-wide, for its own conversion. An export converted
    meanwhile in a download thread would hand its data to the other session's chart (and lose
    it), so exports convert under the same lock. Outside the dashboard (the CLI, the brief
    writer) Streamlit is not loaded, no session converts anything, and a lock of our own does."""
    vega_charts = sys.modules.get("streamlit.elements.vega_charts")
    return getattr(vega_charts, "_altair_globals_lock", None) or _OWN_LOCK


_OWN_LOCK = threading.Lock()


def chart_bytes(
    chart: alt.TopLevelMixin, fmt: str, ppi: int = PRINT_PPI, width: int | None = None
) -> bytes:
    """A chart as PNG (at `ppi`, with the resolution written into the file), SVG or PDF; a chart
    that fills its container gets `width` (default EXPORT_WIDTH) points of plot width."""
    with _altair_lock():
        spec = chart.to_dict()
    if spec.get("width") == "container":  # a file has no container: a fixed print width
        spec["width"] = width or EXPORT_WIDTH
        spec.pop("autosize", None)  # fitting the width is the screen's: in print the plot is 720
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"unknown chart format {fmt!r}")
    return _converted(json.dumps(spec, sort_keys=True, default=str), fmt, ppi)


@functools.lru_cache(maxsize=256)
def _converted(spec: str, fmt: str, ppi: int) -> bytes:
    """A chart's image, by its specification (its data included): a brief regenerated after an
    edit of its text converts only the charts whose data changed (a conversion takes 0.1-0.5 s)."""
    if fmt == "png":
        return vlc.vegalite_to_png(spec, ppi=ppi)  # ppi scales the image and is written into it
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    return vlc.vegalite_to_pdf(spec)


def slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "_" for ch in text).strip("_")
    while "__" in out:
        out = out.replace("__", "_")
    return out[:60].strip("_") or "export"


def bundle(
    title: str,
    readme: str,
    tables: dict[str, pl.DataFrame],
    charts: dict[str, alt.TopLevelMixin],
) -> bytes:
    """The page's charts (PNG and SVG) and tables (CSV and XLSX) with a README, as one ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", readme)
        for name, chart in charts.items():
            z.writestr(f"charts/{slug(name)}.png", chart_bytes(chart, "png"))
            z.writestr(f"charts/{slug(name)}.svg", chart_bytes(chart, "svg"))
        for name, frame in tables.items():
            z.writestr(f"tables/{slug(name)}.csv", table_bytes(frame, "csv"))
            z.writestr(f"tables/{slug(name)}.xlsx", table_bytes(frame, "xlsx", name))
    return buffer.getvalue()


def bundle_readme(
    title: str, cutoff: dt.date, period: str, scope: str, suppression: str, filters: dict
) -> str:
    lines = [
        f"PSEA Oversight: {title}",
        f"Data as of {cutoff.isoformat()}; period {period}; {scope}.",
        f"Suppression: {suppression}.",
        "Filters: " + (", ".join(f"{k} = {v}" for k, v in filters.items()) or "none"),
        f"Exported {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "charts/: each chart as PNG (print resolution) and SVG; tables/: each table as CSV and XLSX.",
        "Figures are exactly those shown on the page for the exporting role.",
    ]
    return "\n".join(lines) + "\n"
