"""The hostile-input corpus: extract files that plant direct identifiers (a name, single given names
and surnames, an e-mail, phone numbers, a passport number, dates of birth) and Markdown or HTML in
every position a file offers (codes, dates, months, refs, header cells, a headerless first row),
in every extract kind and format; files broken on purpose (NUL bytes, latin-1, UTF-16, long lines);
and files built to cost memory (an XLSX decompression bomb, honest and lying about its sizes, and a
CSV of a million columns). Every file must be rejected without any planted text coming back.

Generated, never committed: the tests build it in a temporary folder (in about a second);
`python tests/hostile/make_corpus.py DIR` writes it for a look or for `benchmarks/hostile_input.py`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the tiny valid extracts
from extracts import TOTALS, VALID

NAME = "Amina Diallo"
GIVEN, SURNAME, SURNAME_CODE = "Amina", "Diallo", "DIALLO"
LOGIN = "amina.diallo"
EMAIL = "amina.diallo@example.org"
PHONE, PHONE_DIGITS = "+41 22 555 01 99", "0225550199"
PASSPORT = "PA4829371"
BIRTH_DATE, BIRTH_DATE_LOCAL, CHILD_BIRTH_DATE = "1987-04-12", "12/04/1987", "2011-03-09"
LINK = "[Session expired: sign in again](https://evil.example)"
HTML = "<img src=x onerror=alert(1)>"
# what must never come back, matched case-insensitively in every output of a rejection
PLANTED = (
    "amina",
    "diallo",
    "example.org",
    "555 01 99",
    PHONE_DIGITS,
    PASSPORT.lower(),
    BIRTH_DATE,
    BIRTH_DATE_LOCAL,
    CHILD_BIRTH_DATE,
    "evil.example",
    "session expired",
    "onerror",
    "<img",
)
BOMB_MB = 310  # inflated; the limit is 300 MB
WIDE_COLUMNS = 10**6


@dataclass(frozen=True)
class Hostile:
    name: str  # names the extract kind, like a real upload
    rules: tuple[str, ...]  # the rule it is rejected for (any of these)
    content: bytes
    scoped_only: bool = False  # rows of another entity: rejected when the load is scoped to IOM


def rows(kind: str, row: int = 1, **changes) -> list[dict]:
    out = VALID[kind]()
    out[row - 1].update(changes)
    return out


def csv_bytes(records: list[dict], header: bool = True, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(records[0])
    writer.writerows(r.values() for r in records)
    return out.getvalue()


def renamed(records: list[dict], old: str, new: str) -> list[dict]:
    return [{(new if k == old else k): v for k, v in r.items()} for r in records]


def xlsx_bytes(table: list[list], formula: tuple[int, int, str] | None = None) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as book:
        sheet = book.add_worksheet()
        for number, values in enumerate(table):
            sheet.write_row(number, 0, values)
        if formula:
            sheet.write_formula(*formula)
    return out.getvalue()


def table(records: list[dict], header: bool = True) -> list[list]:
    return ([list(records[0])] if header else []) + [list(r.values()) for r in records]


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.write_parquet(out)
    return out.getvalue()


def wide_header(columns: int) -> list[str]:
    return [f"{EMAIL} {number}" for number in range(columns)]


def million_columns() -> bytes:
    """About 10 MB: a header and four rows of a million columns each."""
    header = f"{NAME},{EMAIL},".encode() + b"c," * (WIDE_COLUMNS - 3) + b"c\n"
    return header + (f"{PASSPORT},{PHONE},".encode() + b"x," * (WIDE_COLUMNS - 3) + b"x\n") * 4


def bomb(lying: bool) -> bytes:
    """A workbook whose sheet inflates to BOMB_MB of XML (spaces between two rows of names) from
    about 320 KB; `lying`: its ZIP directory and local header claim the sheet is 1 KB."""
    parts = dict(_zip_parts(xlsx_bytes(table(rows("roster", 1, manager_ref=NAME)))))
    sheet = parts.pop("xl/worksheets/sheet1.xml")
    head, tail = sheet.split(b"<sheetData>")
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    stream = deflate.compress(head + b"<sheetData>") + deflate.flush(zlib.Z_FULL_FLUSH)
    spaces = b" " * (1 << 20)
    block = deflate.compress(spaces) + deflate.flush(zlib.Z_FULL_FLUSH)  # the same every time
    stream += block * BOMB_MB + deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head + b"<sheetData>")
    for _ in range(BOMB_MB):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(b"<sheetData>") + BOMB_MB * len(spaces) + len(tail)
    entries = [(n, zlib.compress(d, 9)[2:-4], zlib.crc32(d), len(d)) for n, d in parts.items()]
    entries.append(("xl/worksheets/sheet1.xml", stream, crc, 1024 if lying else size))
    return _zip(entries)


def _zip_parts(data: bytes) -> list[tuple[str, bytes]]:
    book = zipfile.ZipFile(io.BytesIO(data))
    return [(info.filename, book.read(info)) for info in book.infolist()]


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP of deflated entries (name, raw deflate stream, CRC-32, declared inflated size)."""
    out, directory = bytearray(), bytearray()
    for name, raw, crc, size in entries:
        encoded = name.encode()
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(raw), size)
        directory += b"PK\x01\x02" + struct.pack("<H", 20) + fields
        directory += struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, len(out)) + encoded
        out += b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + raw
    end = struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + b"PK\x05\x06" + end)


def many_parts(parts: int = 150) -> bytes:
    out = io.BytesIO(xlsx_bytes(table(VALID["victim_assistance"]())))
    with zipfile.ZipFile(out, "a") as book:
        for number in range(parts):
            book.writestr(f"xl/media/{LOGIN}_{number}.txt", NAME)
    return out.getvalue()


def corpus() -> list[Hostile]:
    """Every file, with the rule that rejects it."""
    victims = pl.DataFrame(VALID["case_victims"]())
    return [*_csv_files(), *_xlsx_files(), *_parquet_files(victims)]


def _csv_files() -> list[Hostile]:
    utf8 = str.encode
    cases = rows("cases", 1, category=NAME, mission=EMAIL, reporting_channel=PHONE)
    identifiers = rows("cases", 1, category=GIVEN, date_received=BIRTH_DATE_LOCAL)
    identifiers[1].update(mission=SURNAME, incident_month=LOGIN)
    identifiers[2].update(personnel_group=PASSPORT, case_ref=PHONE_DIGITS)
    birth = rows("roster", 1, as_of=BIRTH_DATE)
    birth[1].update(contract_start=BIRTH_DATE, manager_ref=NAME)
    contacts = rows("awareness_sessions", 1, facilitator=EMAIL)
    contacts[1].update(participants=PHONE, session_ref=PHONE_DIGITS)
    html_header = renamed(VALID["case_subjects"](), "gender", HTML)
    long_header = [{**r, LINK + HTML * 3000: ""} for r in VALID["roster"]()]
    wide = [dict(zip(wide_header(100), [NAME] * 100, strict=True))]
    nul = csv_bytes(rows("victim_assistance", 2, service=f"{GIVEN}\x00{SURNAME}"))
    latin1 = csv_bytes(rows("cases", 2, category=f"{NAME} é")).encode("latin-1")
    unhcr = [{**VALID["cases"]()[0], "entity": "UNHCR"}]
    returns = TOTALS["agency_returns"]()
    returns[1].update(group=EMAIL)
    capacity = TOTALS["psea_capacity"]()
    capacity[2].update(country=PHONE)
    return [
        # another entity's and the network's rows: refused first when the load is scoped to IOM
        Hostile(
            "agency_returns_contacts.csv", ("no_email", "other_entity"), utf8(csv_bytes(returns))
        ),
        Hostile(
            "psea_capacity_phone.csv",
            ("no_phone_number", "other_entity"),
            utf8(csv_bytes(capacity)),
        ),
        Hostile(
            "cases_headerless_2018-06-30.csv",
            ("strict_columns",),
            utf8(csv_bytes(cases, header=False)),
        ),
        Hostile(
            "case_victims_markdown_header.csv",
            ("strict_columns",),
            utf8(csv_bytes([{**r, LINK: NAME} for r in VALID["case_victims"]()])),
        ),
        Hostile("case_subjects_html_header.csv", ("strict_columns",), utf8(csv_bytes(html_header))),
        Hostile(
            "training_single_names.csv",
            ("mission_code",),
            utf8(csv_bytes(rows("training", 2, mission=GIVEN, course=SURNAME, delivery=LOGIN))),
        ),
        Hostile("cases_identifiers.csv", ("allowed_values",), utf8(csv_bytes(identifiers))),
        Hostile("roster_birth_date.csv", ("one_as_of",), utf8(csv_bytes(birth))),
        Hostile(
            "cases_child_birth_date_2018-06-30.csv",
            ("file_name_date",),
            utf8(csv_bytes([{**r, "as_of": CHILD_BIRTH_DATE} for r in VALID["cases"]()])),
        ),
        Hostile("awareness_sessions_contacts.csv", ("no_email",), utf8(csv_bytes(contacts))),
        Hostile(
            "appraisals_passport.csv",
            ("pseudonymous_ref", "other_entity"),
            utf8(
                csv_bytes(
                    rows(
                        "appraisals",
                        1,
                        person_ref=PASSPORT,
                        psea_indicator=LOGIN,
                        entity=SURNAME_CODE,
                    )
                )
            ),
        ),
        Hostile(
            "contracts_formula.csv",
            ("no_formula",),
            utf8(
                csv_bytes(
                    rows(
                        "contracts",
                        2,
                        subcontract_flowdown=f'=HYPERLINK("https://evil.example","{NAME}")',
                    )
                )
            ),
        ),
        Hostile("victim_assistance_nul.csv", ("file_format",), utf8(nul)),
        Hostile("cases_latin1.csv", ("encoding",), latin1),
        Hostile(
            "cases_utf16.csv",
            ("encoding",),
            csv_bytes(rows("cases", 1, category=NAME)).encode("utf-16"),
        ),
        Hostile(
            "training_long_line.csv",
            ("line_too_long",),
            utf8(csv_bytes(rows("training", 2, mission=NAME * 10_000))),
        ),
        Hostile("roster_long_header.csv", ("line_too_long",), utf8(csv_bytes(long_header))),
        Hostile("cases_million_columns.csv", ("line_too_long",), million_columns()),
        Hostile("case_subjects_wide.csv", ("too_many_columns",), utf8(csv_bytes(wide))),
        Hostile(
            "case_victims_semicolon_names.csv",
            ("no_direct_identifier",),
            b"\xef\xbb\xbf" + utf8(csv_bytes(rows("case_victims", 2, victim_ref=GIVEN), True, ";")),
        ),
        Hostile(
            "cases_unhcr_2018-06-30.csv",
            ("other_entity",),
            utf8(csv_bytes(unhcr)),
            scoped_only=True,
        ),
    ]


def _xlsx_files() -> list[Hostile]:
    markup = renamed(renamed(VALID["training"](), "course", LINK), "mission", HTML)
    names = rows("case_subjects", 1, gender=GIVEN, action=SURNAME, subject_ref=NAME)
    names[1].update(case_ref=PHONE)
    far = table(VALID["awareness_sessions"]())
    far[2] += [None] * (16_383 - len(far[2])) + [NAME]  # a cell in column XFD, Excel's last
    wfp = [{**r, "entity": "WFP"} for r in VALID["training"]()]
    return [
        Hostile(
            "cases_headerless.xlsx",
            ("strict_columns",),
            xlsx_bytes(table(rows("cases", 1, category=NAME, mission=EMAIL), header=False)),
        ),
        Hostile("training_markup_header.xlsx", ("strict_columns",), xlsx_bytes(table(markup))),
        Hostile(
            "contracts_formula.xlsx",
            ("no_formula",),
            xlsx_bytes(
                table(VALID["contracts"]()),
                formula=(2, 7, f'=HYPERLINK("https://evil.example","{NAME}")'),
            ),
        ),
        Hostile("roster_bomb.xlsx", ("inflated_too_large",), bomb(lying=False)),
        Hostile("roster_bomb_lying.xlsx", ("inflated_too_large",), bomb(lying=True)),
        Hostile(
            "appraisals_wide.xlsx",
            ("too_many_columns",),
            xlsx_bytes([wide_header(100), [NAME] * 100]),
        ),
        Hostile("awareness_sessions_far_cell.xlsx", ("too_many_columns",), xlsx_bytes(far)),
        Hostile("victim_assistance_many_parts.xlsx", ("zip_entries",), many_parts()),
        Hostile("case_subjects_names.xlsx", ("allowed_values",), xlsx_bytes(table(names))),
        Hostile("training_wfp.xlsx", ("other_entity",), xlsx_bytes(table(wfp)), scoped_only=True),
    ]


def _parquet_files(victims: pl.DataFrame) -> list[Hostile]:
    training = pl.DataFrame(rows("training", 1, person_ref=PASSPORT, delivery=SURNAME))
    training = training.with_columns(pl.col("completed_on", "as_of").str.to_date())
    training = training.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(dt.date(1987, 4, 12))
        .otherwise(pl.col("completed_on"))
        .alias("completed_on")
    )
    nested = pl.DataFrame(VALID["contracts"]()).with_columns(
        pl.lit([NAME, EMAIL]).alias("psea_clause")
    )
    unhcr = pl.DataFrame([{**r, "entity": "UNHCR"} for r in VALID["cases"]()])
    return [
        Hostile(
            "case_victims_markup.parquet",
            ("strict_columns",),
            parquet_bytes(victims.rename({"sex": LINK, "age_group": HTML})),
        ),
        Hostile("training_identifiers.parquet", ("date_range",), parquet_bytes(training)),
        Hostile("contracts_nested.parquet", ("file_format",), parquet_bytes(nested)),
        Hostile(
            "awareness_sessions_wide.parquet",
            ("too_many_columns",),
            parquet_bytes(pl.DataFrame({h: [NAME] for h in wide_header(100)})),
        ),
        Hostile("cases_unhcr.parquet", ("other_entity",), parquet_bytes(unhcr), scoped_only=True),
        Hostile(
            "roster_damaged.parquet",
            ("file_format",),
            b"PAR1" + f"{NAME} {EMAIL} {PASSPORT}".encode() * 10 + b"\x10\x00\x00\x00PAR1",
        ),
    ]


def write_corpus(folder: Path) -> list[tuple[Path, Hostile]]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for hostile in corpus():
        path = folder / hostile.name
        path.write_bytes(hostile.content)
        written.append((path, hostile))
    return written


if __name__ == "__main__":
    for path, hostile in write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")):
        print(f"{path}  {len(hostile.content):>10,} bytes  {'/'.join(hostile.rules)}")
