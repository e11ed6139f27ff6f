"""The user documentation the code cites exists, with the sections it names, and names every code
the contracts allow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data_contracts import contracts

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CITATION = re.compile(r"docs/(\w+)\.md(?:, \"([^\"]+)\")?")


def citations() -> list[tuple[str, str, str | None]]:
    found = []
    for path in sorted([*ROOT.glob("psea/**/*.py"), *ROOT.glob("pipelines/**/*.py")]):
        for match in CITATION.finditer(path.read_text(encoding="utf-8")):
            section = " ".join(match[2].split()) if match[2] else None  # a wrapped docstring
            found.append((str(path.relative_to(ROOT)), match[1], section))
    return found


def headings(page: str) -> list[str]:
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    return [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]


def test_the_code_cites_the_docs():
    assert len(citations()) >= 10


@pytest.mark.parametrize(("source", "page", "section"), citations())
def test_every_cited_page_and_section_exists(source, page, section):
    assert (DOCS / f"{page}.md").is_file(), f"{source} cites docs/{page}.md"
    if section:
        assert any(section.lower() in h.lower().replace("`", "") for h in headings(page)), (
            f"{source} cites the section {section!r} of docs/{page}.md"
        )


def test_the_index_links_every_page():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in ("indicators", "disclosure", "access", "cli", "extracts", "demo"):
        assert f"]({page}.md)" in index


@pytest.mark.parametrize("kind", sorted(contracts()))
def test_extracts_page_names_every_code_of_the_contract(kind):
    text = (DOCS / "extracts.md").read_text(encoding="utf-8")
    assert f"## {kind} " in text
    for column in contracts()[kind].columns:
        assert f"`{column.name}`" in text, (kind, column.name)
        for value in column.valid_values:
            assert f"`{value}`" in text, (kind, column.name, value)
