"""Every page of the IOM brief and of the Champion's report as a reader prints them: the PDF as
written, the DOCX as LibreOffice lays it out (what Word shows, closely enough), each page a PNG at
60 dpi in docs/screenshots/brief/<label>/.

    .venv/bin/python scripts/brief_pages.py --warehouse W --label after [--meeting 2018-04-17]

Needs poppler's `pdftoppm` and LibreOffice's `soffice` (Debian: poppler-utils,
libreoffice-writer-nogui). Prints the page count of each document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import tempfile
from pathlib import Path

from pipelines.warehouse import connect
from psea.brief import build_brief
from psea.brief import render as brief_render

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = {"iom": "IOM", "champion": None}


def pages_of(pdf: Path, out: Path, prefix: str) -> int:
    for old in out.glob(f"{prefix}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / prefix)], check=True)
    return len(list(out.glob(f"{prefix}-*.png")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--label", required=True, help="before / after")
    parser.add_argument("--meeting", default="2018-04-17")
    args = parser.parse_args()
    out = ROOT / "docs/screenshots/brief" / args.label
    out.mkdir(parents=True, exist_ok=True)
    con = connect(Path(args.warehouse))  # the meeting's release is built on first use
    meeting = dt.date.fromisoformat(args.meeting)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, entity in DOCUMENTS.items():
            brief = build_brief(con, meeting, entity)
            files = brief_render.render(brief, ("docx", "pdf"))
            stem = brief_render.file_stem(brief)
            (work / f"{name}.pdf").write_bytes(files[f"{stem}.pdf"])
            (work / f"{name}_docx.docx").write_bytes(files[f"{stem}.docx"])
            subprocess.run(
                ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work)]
                + [str(work / f"{name}_docx.docx")],
                check=True,
                capture_output=True,
                timeout=300,
            )
            pdf_pages = pages_of(work / f"{name}.pdf", out, f"{name}_pdf")
            docx_pages = pages_of(work / f"{name}_docx.pdf", out, f"{name}_docx")
            print(f"{name}: PDF {pdf_pages} pages, DOCX {docx_pages} pages")
    con.close()


if __name__ == "__main__":
    main()
