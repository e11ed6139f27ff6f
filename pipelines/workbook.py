"""An XLSX is a ZIP: its parts are counted and inflated, by streaming and never whole, before the
spreadsheet parser opens it. A decompression bomb is refused within a bounded working memory, even
one whose ZIP directory understates its sizes (the real inflated bytes are counted, not the
declared ones). The same pass notes each worksheet's widest column, its rows and its first formula.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator

from pipelines.bounds import ReadLimits, refuse

INFLATE_IN = 1 << 16  # compressed bytes fed at a time
INFLATE_OUT = 1 << 18  # inflated bytes taken at a time: the working memory of the pass
TAG_CARRY = 1 << 16  # the unfinished tag kept between pieces (a real tag is far shorter)
CELL_REF = re.compile(rb' r="([A-Z]{1,3})([0-9]{1,7})"')
FORMULA_TAG = re.compile(rb"<(?:[A-Za-z]+:)?f[\s>/]")
LOCAL_HEADER = b"PK\x03\x04"


class SheetFacts:
    """What one worksheet part holds, by position only: its rightmost column and last row where
    they may pass the limits (a sparse sheet's far cell makes the parser's grid huge), and its
    first formula cell. Plain byte scans: a sheet can be hundreds of MB of XML."""

    def __init__(self, limits: ReadLimits):
        letters = len(column_letters(limits.columns))
        digits = len(str(limits.rows))
        # only references long enough to pass a limit are matched: a normal sheet has none
        self._wide = re.compile(rb' r="([A-Z]{%d,3})[0-9]' % letters)
        self._long = re.compile(rb' r="[A-Z]{0,3}([0-9]{%d,})"' % digits)
        self.columns = 0  # the rightmost column, 1-based, when it has as many letters as the limit
        self.rows = 0  # the highest row number or the number of rows, the header's included
        self.formula: tuple[int, int] | None = None  # 0-based column, Excel row
        self._counted = 0
        self._last_cell: tuple[bytes, bytes] | None = None

    def scan(self, xml: bytes) -> None:
        """A piece of the part's XML that ends on a whole tag."""
        for letters in set(self._wide.findall(xml)):
            self.columns = max(self.columns, column_number(letters))
        self._counted += xml.count(b"<row") + xml.count(b":row ")
        self.rows = max(self.rows, self._counted, *(int(n) for n in self._long.findall(xml)))
        if self.formula is not None:
            return
        tag = FORMULA_TAG.search(xml) if b"<f" in xml or b":f" in xml else None
        if tag:
            cell = _cell_before(xml, tag.start()) or self._last_cell
            if cell is not None:
                self.formula = (column_number(cell[0]) - 1, int(cell[1]))
        self._last_cell = _cell_before(xml, len(xml)) or self._last_cell


def _cell_before(xml: bytes, end: int) -> tuple[bytes, bytes] | None:
    """The reference of the last cell that starts before `end`."""
    while (end := xml.rfind(b' r="', 0, end)) >= 0:
        if cell := CELL_REF.match(xml, end):
            return cell.group(1), cell.group(2)
    return None


def column_letters(number: int) -> str:
    """1 is `A`, 27 is `AA`."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: bytes) -> int:
    """`A` is 1, `AA` is 27."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def inspect_workbook(name: str, data: bytes, limits: ReadLimits) -> dict[str, SheetFacts]:
    """Refuse a workbook of too many parts or inflating too far; each worksheet part's facts."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        refuse(name, "file_format", "not a readable XLSX workbook")
    if len(parts) > limits.zip_entries:
        refuse(name, "zip_entries", f"an XLSX of more than {limits.zip_entries} parts")
    too_large = f"an XLSX inflating to more than {limits.inflated_bytes // 10**6:,} MB"
    if sum(p.file_size for p in parts) > limits.inflated_bytes:
        refuse(name, "inflated_too_large", too_large)
    sheets: dict[str, SheetFacts] = {}
    inflated = 0
    for part in parts:
        facts = SheetFacts(limits) if part.filename.startswith("xl/worksheets/sheet") else None
        carry = b""
        for piece in _inflate(name, data, part):
            inflated += len(piece)
            if inflated > limits.inflated_bytes:
                refuse(name, "inflated_too_large", too_large)
            if facts is not None:
                xml = carry + piece
                cut = xml.rfind(b">") + 1
                facts.scan(xml[:cut])
                carry = xml[cut:][-TAG_CARRY:]
        if facts is not None:
            sheets[part.filename] = facts
    if not sheets:
        refuse(name, "file_format", "a ZIP archive that is not an XLSX workbook")
    return sheets


def _inflate(name: str, data: bytes, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, inflated piece by piece from its compressed bytes in the archive."""
    start = part.header_offset
    if part.flag_bits & 1 or data[start : start + 4] != LOCAL_HEADER:
        refuse(name, "file_format", "not a readable XLSX workbook (encrypted or damaged)")
    name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
    start += 30 + name_length + extra_length
    compressed = memoryview(data)[start : start + part.compress_size]
    if part.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(compressed), INFLATE_OUT):
            yield bytes(compressed[offset : offset + INFLATE_OUT])
        return
    if part.compress_type != zipfile.ZIP_DEFLATED:
        refuse(name, "file_format", "not a readable XLSX workbook (unknown compression)")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for offset in range(0, len(compressed), INFLATE_IN):
            pending = compressed[offset : offset + INFLATE_IN]
            while pending and not inflater.eof:
                yield inflater.decompress(pending, INFLATE_OUT)
                pending = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error:
        refuse(name, "file_format", "not a readable XLSX workbook (damaged)")
