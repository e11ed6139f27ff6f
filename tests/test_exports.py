"""Exports: valid PNG (print resolution), SVG and PDF files; CSV/XLSX with formula cells neutralized;
a suppressed role's CSV carries no case count between 1 and K-1."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile

import polars as pl
from PIL import Image
from pypdf import PdfReader

from psea.disclosure.figures import published_frame
from psea.present import charts, exports

TABLE = pl.DataFrame(
    {
        "category": ["sexual_exploitation", "sexual_abuse", "other", "unknown"],
        "count": [40, 12, 3, 0],
    }
)


HIDDEN = [False, False, True, True]  # as the release withholds them: 3, and 0 to protect it


def _chart():
    return charts.breakdown_bars(published_frame(TABLE, HIDDEN), "category", title="By category")


def test_png_is_a_print_resolution_image():
    png = Image.open(io.BytesIO(exports.chart_bytes(_chart(), "png")))
    assert png.format == "PNG"
    assert png.info["dpi"][0] >= 150
    assert (
        png.size[0] >= exports.EXPORT_WIDTH * 150 / 72
    )  # a container-wide chart gets a print width


def test_svg_is_well_formed_xml_and_pdf_opens():
    root = ET.fromstring(exports.chart_bytes(_chart(), "svg"))
    assert root.tag.endswith("svg")
    reader = PdfReader(io.BytesIO(exports.chart_bytes(_chart(), "pdf")))
    assert len(reader.pages) == 1


def test_csv_of_a_suppressed_table_has_no_small_case_count():
    published = published_frame(TABLE, HIDDEN)
    view = published.select("category", pl.col("shown").alias("allegations"))
    text = exports.table_bytes(view, "csv").decode()
    values = [line.split(",")[1] for line in text.strip().splitlines()[1:]]
    assert "suppressed" in values
    assert not any(re.fullmatch(r"[1-4]", v) for v in values)
    # the numeric column of the published frame is nulled too, so no export can carry it
    assert (
        published.filter(pl.col("suppressed"))["count"].null_count()
        == published["suppressed"].sum()
    )


def test_formula_cells_are_neutralized_in_csv_and_xlsx():
    frame = pl.DataFrame({"note": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain"]})
    csv = exports.table_bytes(frame, "csv").decode().splitlines()[1:]
    assert [c.strip('"') for c in csv] == [
        '\'=HYPERLINK(""http://x"")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain",
    ]
    back = pl.read_excel(io.BytesIO(exports.table_bytes(frame, "xlsx")))
    assert back["note"].to_list()[:4] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)"]
    parquet = pl.read_parquet(io.BytesIO(exports.table_bytes(frame, "parquet")))
    assert parquet.equals(frame)  # Parquet is data, not a spreadsheet: kept exactly


def test_bundle_holds_charts_tables_and_a_readme():
    readme = exports.bundle_readme(
        "Allegations",
        __import__("datetime").date(2018, 6, 30),
        "2018 Q2",
        "entity IOM",
        "counts of 1 to 4 shown as <5",
        {"breakdown": "category"},
    )
    data = exports.bundle("Allegations", readme, {"By category": TABLE}, {"By category": _chart()})
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert names == {
        "README.txt",
        "charts/by_category.png",
        "charts/by_category.svg",
        "tables/by_category.csv",
        "tables/by_category.xlsx",
    }
    text = zipfile.ZipFile(io.BytesIO(data)).read("README.txt").decode()
    assert (
        "Data as of 2018-06-30" in text and "shown as <5" in text and "breakdown = category" in text
    )
