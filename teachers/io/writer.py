"""Writing a table as ``.xlsx`` or ``.csv``: one writer for every export, so all share the same rules.

* **Headers** are the columns' Chinese names (translated when the request's language is English); the
  header row is bold and frozen, so it stays in view while scrolling.
* **Widths** are set from the header and the first ``SAMPLE_ROWS`` rows (CJK characters count double),
  between ``MIN_WIDTH`` and ``MAX_WIDTH``. Rows stream after that (openpyxl ``write_only`` mode), so a
  20,000-row export never holds a workbook of cell objects in memory.
* **Text columns** (ID numbers, staff numbers, phones, school codes: ``Column(text=True)``) are
  written as strings with the number format ``@`` (Excel's "Text"), so Excel neither rounds
  ``220621198503141234`` to ``2.20621E+17`` nor drops a leading zero or a trailing ``X``.
* **Formula neutralisation** (OWASP "CSV injection"): a text value beginning with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return gets a leading apostrophe ``'``, in ``.xlsx`` and ``.csv`` alike.
  Excel and LibreOffice then show it as text and never evaluate it — in ``.xlsx`` the cell is also a
  plain string cell (openpyxl would otherwise store ``=…`` as a formula). The apostrophe is visible:
  it is the chosen trade-off, since it keeps the value inert even after a user copies cells or saves
  the sheet again as CSV, which a style flag alone would not survive. Numbers and dates are written
  as such and are never prefixed.
* **CSV** is UTF-8 with a byte-order mark (so Excel on Windows reads Chinese correctly), CRLF line
  ends, every field quoted when needed by the ``csv`` module.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, islice
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SAMPLE_ROWS = 500
MIN_WIDTH = 6
MAX_WIDTH = 50
FORMATS = ("xlsx", "csv")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) Chinese string
    text: bool = False  # an identifier kept as text (ID number, staff number, phone, code)
    width: float | None = None  # fixed width; None: sized from the content


@dataclass
class Sheet:
    """A table to write: a sheet name, the columns, the rows (any iterable; consumed once)."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    caption: str | None = None  # an optional title line above the header row
    written: int = field(default=0, init=False)  # rows written, once written

    @property
    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]


def neutralise(value: str) -> str:
    """A leading apostrophe before text that a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _plain(value: Any) -> Any:
    """The cell value: None stays empty, numbers and dates stay typed, everything else is (neutralised) text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, date, datetime)):
        return value
    return neutralise(str(value))


def display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, (date, datetime)):
        text = value.isoformat()[:10]
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _widths(sheet: Sheet, sample: list[Sequence[Any]]) -> list[float]:
    widths = []
    for i, column in enumerate(sheet.columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        longest = max([display_width(column.header), *(display_width(row[i]) for row in sample)])
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))))
    return widths


def _split(rows: Iterable[Sequence[Any]]) -> tuple[list[Sequence[Any]], Iterator[Sequence[Any]]]:
    iterator = iter(rows)
    sample = list(islice(iterator, SAMPLE_ROWS))
    return sample, iterator


def sheet_title(name: str) -> str:
    """A title Excel accepts: none of ``[]:*?/\\``, no apostrophe at either end, at most 31 characters."""
    title = re.sub(r"[\[\]:*?/\\]", " ", name)
    title = re.sub(r"\s+", " ", title).strip().strip("'").strip()[:31].strip()
    return title or "Sheet1"


def write_xlsx(sheet: Sheet, out: IO[bytes] | str) -> int:
    """Write ``sheet`` as a workbook to ``out`` (a path or a binary file); return the number of rows."""
    sample, rest = _split(sheet.rows)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title(sheet.name))
    for i, width in enumerate(_widths(sheet, sample), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    # Before the first row: a write-only sheet writes its view (the frozen pane) with the first row.
    ws.freeze_panes = "A3" if sheet.caption else "A2"
    if sheet.caption:
        title = WriteOnlyCell(ws, value=neutralise(sheet.caption))
        title.font = Font(bold=True, size=14)
        ws.append([title])
    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True)
    headers = []
    for name in sheet.headers:
        cell = WriteOnlyCell(ws, value=neutralise(name))
        cell.font, cell.alignment = bold, centre
        headers.append(cell)
    ws.append(headers)
    text_columns = [i for i, c in enumerate(sheet.columns) if c.text]
    count = 0
    for row in chain(sample, rest):
        values: list[Any] = [_plain(v) for v in row]
        for i in text_columns:
            value = values[i]
            cell = WriteOnlyCell(ws, value=None if value is None else str(value))
            cell.number_format = "@"
            values[i] = cell
        ws.append(values)
        count += 1
    wb.save(out)
    sheet.written = count
    return count


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write_csv(sheet: Sheet, out: IO[bytes]) -> int:
    """Write ``sheet`` as UTF-8 CSV with a BOM to the binary file ``out``; return the number of rows."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    if sheet.caption:
        writer.writerow([neutralise(sheet.caption)])
    writer.writerow([neutralise(h) for h in sheet.headers])
    count = 0
    for row in sheet.rows:
        writer.writerow([_csv_text(v) for v in row])
        count += 1
    text.flush()
    text.detach()  # leave ``out`` open for the caller
    sheet.written = count
    return count


def write(sheet: Sheet, fmt: str, out: IO[bytes]) -> int:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return write_xlsx(sheet, out) if fmt == "xlsx" else write_csv(sheet, out)


def render(sheet: Sheet, fmt: str) -> bytes:
    """The file's bytes (for a download)."""
    buffer = io.BytesIO()
    write(sheet, fmt, buffer)
    return buffer.getvalue()
