"""The SFP brief written as DOCX (python-docx: real headings, tables and images, for focal points to
edit), PDF (fpdf2, pure Python, text not images) and Markdown (charts as linked PNG files).

All three walk the same chapters (psea.brief.chapters) in the same order: the front page, the progress
report (key messages, accomplishments, challenges, requests, action points), the figures annex, and
the data sources with the suppression rule at the end.
"""

from __future__ import annotations

from pathlib import Path

from psea.brief import Brief
from psea.brief.render.docx_file import to_docx
from psea.brief.render.layout import FORMATS, chart_images, column_weights, file_stem
from psea.brief.render.markdown_file import to_markdown
from psea.brief.render.pdf_file import to_pdf

__all__ = [
    "FORMATS",
    "column_weights",
    "file_stem",
    "render",
    "to_docx",
    "to_markdown",
    "to_pdf",
    "write",
    "write_files",
]


def render(brief: Brief, formats=FORMATS) -> dict[str, bytes]:
    """File name -> bytes for each requested format (Markdown with its chart PNGs)."""
    images = chart_images(brief)
    stem = file_stem(brief)
    files: dict[str, bytes] = {}
    if "docx" in formats:
        files[f"{stem}.docx"] = to_docx(brief, images)
    if "pdf" in formats:
        files[f"{stem}.pdf"] = to_pdf(brief, images)
    if "md" in formats:
        text, pngs = to_markdown(brief, images)
        files[f"{stem}.md"] = text.encode("utf-8")
        files.update(pngs)
    return files


def write(brief: Brief, folder: Path, formats=FORMATS) -> list[Path]:
    return write_files(render(brief, formats), folder)


def write_files(files: dict[str, bytes], folder: Path) -> list[Path]:
    paths = []
    for name, data in files.items():
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths
