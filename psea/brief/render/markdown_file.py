"""The brief as Markdown, its charts as linked PNG files."""

from __future__ import annotations

import polars as pl

from psea.brief import Brief
from psea.brief.chapters import chapters
from psea.brief.render.layout import (
    CONFIDENTIAL,
    chart_images,
    empty_lines,
    file_stem,
    text_table,
)
from psea.present.exports import slug


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _md_frame(frame: pl.DataFrame) -> str:
    return _md_table(*text_table(frame))


def to_markdown(
    brief: Brief, images: dict[str, bytes] | None = None
) -> tuple[str, dict[str, bytes]]:
    """The Markdown text and its PNG files (relative path -> bytes)."""
    images = images if images is not None else chart_images(brief)
    stem = file_stem(brief)
    files = {f"{stem}_charts/{slug(caption)}.png": png for caption, png in images.items()}
    link = {caption: f"{stem}_charts/{slug(caption)}.png" for caption in images}
    out = [f"*{CONFIDENTIAL}*\n", f"# {brief.title}\n"]
    out.append(_md_table(["", ""], [[f"**{k}**", v] for k, v in brief.front_matter]))
    for section in chapters(brief):
        out.append(f"{'#' * (section.level + 1)} {section.title}\n")
        out.extend(f"{text}\n" for text in section.paragraphs + empty_lines(section))
        items = section.items
        if items:
            out.append(
                "\n".join(
                    f"{i}. {t}" if section.numbered else f"- {t}" for i, t in enumerate(items, 1)
                )
                + "\n"
            )
        out.extend(
            f"![{fig.caption}]({link[fig.caption]})\n\n*{fig.caption}*\n" for fig in section.figures
        )
        for tab in section.tables:
            if tab.caption:
                out.append(f"{'#' * min(section.level + 2, 6)} {tab.caption}\n")
            out.append("None.\n" if tab.frame.is_empty() else _md_frame(tab.frame))
        out.extend(f"*{text}*\n" for text in section.notes)
    out.append(f"*{CONFIDENTIAL}*\n")
    return "\n".join(out), files
