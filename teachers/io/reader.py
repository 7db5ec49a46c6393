"""Reading an uploaded table (``.xlsx`` or ``.csv``) into cells that know their row and column.

The format is detected from the bytes, not the file name: a ZIP (``PK``) is a workbook, an old binary
``.xls`` (OLE, ``D0 CF 11 E0``) is refused with a hint to save it as ``.xlsx``, anything else is CSV. A
CSV's encoding is detected too: a UTF-8 byte-order mark, else strict UTF-8, else GB18030 (a superset
of GBK, which Excel on Chinese Windows writes), else UTF-16 with its BOM ("Unicode text"); the
delimiter is sniffed among comma, tab and semicolon.

Headers are mapped to fields through a table of accepted names (``身份证号``, ``身份证号码``,
``公民身份号码`` … all mean ``id_number``), after folding full-width characters and dropping spaces,
a required-marker ``*`` and a bracketed note (``出生日期（年-月-日）``). The header row is the first of
the first ``HEADER_SEARCH`` rows that names at least two known columns, so a title line above it is
fine. Problems found here (each an ``Issue`` with row and column): a merged cell in or below the header
row, a formula where a value belongs, a second sheet holding data, an unknown or repeated header, a
missing required column, an empty file. A leading apostrophe — the mark exports put before text a
spreadsheet would read as a formula, or a user's "keep as text" — is removed from text values.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import has_app_context
from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from teachers import text

HEADER_SEARCH = 5
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
_NOTE = re.compile(r"[（(\[【].*?[）)\]】]")
#: What ``teachers.text.bad_character`` refuses, as one pattern (a regular expression is fast over every cell).
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


@dataclass(frozen=True)
class Issue:
    """One problem, at a row and column of the sheet when it has one (row numbers as the spreadsheet shows them)."""

    message: str
    row: int | None = None
    column: str | None = None  # the column letter, A, B, …
    header: str | None = None  # the column's header as written in the file

    def where(self) -> str:
        if self.row is not None and self.column is not None:
            return _("第%(row)d行 %(col)s列（%(header)s）", row=self.row, col=self.column, header=self.header or "")
        if self.row is not None:
            return _("第%(row)d行", row=self.row)
        if self.column is not None:
            return _("%(col)s列（%(header)s）", col=self.column, header=self.header or "")
        return _("文件")

    def text(self) -> str:
        return f"{self.where()}：{self.message}"


@dataclass
class Row:
    number: int  # the row as the spreadsheet numbers it
    values: dict[str, Any]  # field → raw value (str, int, float, datetime, bool or None)


@dataclass
class Table:
    fmt: str = ""  # "xlsx" or "csv"
    encoding: str = ""  # for CSV: utf-8, utf-8-sig, gb18030, utf-16
    sheet: str = ""
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # field → (letter, header as written)
    ignored: list[str] = field(default_factory=list)  # headers read but not imported
    rows: list[Row] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    header_row: int = 0

    def at(self, row: int | None, key: str, message: str) -> Issue:
        """An issue at the cell of ``key`` in ``row`` (the column as it was found in the file)."""
        letter, header = self.columns.get(key, (None, None))
        issue = Issue(message, row, letter, header)
        self.issues.append(issue)
        return issue


@dataclass(frozen=True)
class Spec:
    """What a kind of import reads: the accepted header names of each field, and which fields must be there."""

    headers: Mapping[str, tuple[str, ...]]  # field → accepted names (the first is the template's)
    required: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # headers known but not imported (an export's derived columns)

    def lookup(self) -> dict[str, str]:
        """Normalised header → field: every accepted Chinese name, and the English of each (an export made
        in English writes English headers, and must import back)."""
        known = _LOOKUPS.get(id(self))
        if known is not None:
            return known
        out: dict[str, str] = {}
        for key, names in self.headers.items():
            for name in names:
                out[normalise_header(name)] = key
        if has_app_context():
            with force_locale("en"):
                for key, names in self.headers.items():
                    for name in names:
                        out.setdefault(normalise_header(gettext(name)), key)
                ignored = [normalise_header(gettext(n)) for n in self.ignored]
            _IGNORED[id(self)] = ignored
            _LOOKUPS[id(self)] = out
        return out

    def ignored_names(self) -> set[str]:
        return {normalise_header(n) for n in self.ignored} | set(_IGNORED.get(id(self), ()))


_LOOKUPS: dict[int, dict[str, str]] = {}
_IGNORED: dict[int, list[str]] = {}


def normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = _NOTE.sub("", text)
    return "".join(text.split()).strip("*＊:：").lower()


def detect_format(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        # OpenDocument (.ods, from LibreOffice or WPS) is a zip too; its first entry, stored uncompressed, is
        # ``mimetype`` naming the format
        if data[30:38] == b"mimetype" and data[38:84].startswith(b"application/vnd.oasis.opendocument"):
            return "ods"
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    return "csv"


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in; ValueError when it is in none we know."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise ValueError("encoding") from None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().strip("\ufeff")
        value = value.removeprefix("'")
        return value or None
    return value


def _blank(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _map_headers(table: Table, spec: Spec, header_cells: list[Any], header_row: int) -> dict[int, str]:
    """Column index → field; unknown and repeated headers reported."""
    lookup = spec.lookup()
    known_ignored = spec.ignored_names()
    by_index: dict[int, str] = {}
    for i, raw in enumerate(header_cells):
        name = normalise_header(raw)
        if not name:
            continue
        letter, written = get_column_letter(i + 1), str(raw).strip()
        key = lookup.get(name)
        if key is None:
            if name not in known_ignored:
                table.ignored.append(written)
            continue
        if key in table.columns:
            first = table.columns[key]
            table.issues.append(Issue(_("表头“%(header)s”与 %(col)s列“%(first)s”重复。", header=written, col=first[0],
                                        first=first[1]), header_row, letter, written))
            continue
        table.columns[key] = (letter, written)
        by_index[i] = key
    missing = [spec.headers[k][0] for k in spec.required if k not in table.columns]
    if missing:
        table.issues.append(Issue(_("缺少必填列：%(cols)s。请使用下载的模板。", cols="、".join(missing)), header_row))
    return by_index


def _find_header(rows: list[tuple[int, list[Any]]], spec: Spec) -> int | None:
    lookup = spec.lookup()
    for index, (_number, values) in enumerate(rows[:HEADER_SEARCH]):
        if sum(1 for v in values if normalise_header(v) in lookup) >= 2:
            return index
    return None


def _rows_from(table: Table, spec: Spec, numbered: Iterable[tuple[int, list[Any]]],
               formula_at: set[tuple[int, int]] | None = None) -> None:
    iterator = iter(numbered)
    head: list[tuple[int, list[Any]]] = []
    for item in iterator:
        head.append(item)
        if len(head) >= HEADER_SEARCH:
            break
    found = _find_header(head, spec)
    if found is None:
        if all(_blank(v) for _n, v in head):
            table.issues.append(Issue(_("文件是空的：没有表头，也没有数据行。")))
        else:
            table.issues.append(Issue(_("在前%(n)d行中找不到表头（例如“%(example)s”）。请使用下载的模板。", n=HEADER_SEARCH,
                                        example="、".join(spec.headers[k][0] for k in list(spec.headers)[:3]))))
        return
    table.header_row = head[found][0]
    by_index = _map_headers(table, spec, head[found][1], table.header_row)
    formula_at = formula_at or set()

    def data_rows():
        yield from head[found + 1:]
        yield from iterator

    for number, values in data_rows():
        if _blank(values):
            continue
        if len(table.rows) >= MAX_ROWS:
            table.issues.append(Issue(_("一次最多导入%(n)d行，请分批导入。", n=MAX_ROWS), number))
            break
        row = Row(number, {})
        for i, key in by_index.items():
            value = values[i] if i < len(values) else None
            if (number, i) in formula_at or (isinstance(value, str) and value.startswith("=")):
                table.at(number, key, _("此处应填写数值，不能是公式（%(f)s）。请复制后“选择性粘贴→数值”。", f=str(value)[:40]))
                value = None
            elif isinstance(value, str) and _BAD.search(value):
                table.at(number, key, _("含有不允许的字符（%(char)s，控制字符或文字方向控制符），请删除后重试。",
                                        char=text.bad_character(value, multiline=True) or "?"))
                value = None
            row.values[key] = _clean(value)
        table.rows.append(row)
    if not table.rows and not table.issues:
        table.issues.append(Issue(_("文件中没有数据行。"), table.header_row))


def _merges(data: bytes, sheet_path: str | None) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a worksheet (min_col, min_row, max_col, max_row), read from its XML (read-only sheets
    do not expose them)."""
    if not sheet_path:
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            xml = archive.read(sheet_path)
        except KeyError:
            return []
    return [range_boundaries(ref.decode()) for ref in _MERGE.findall(xml)]


def _sheet_paths(data: bytes) -> dict[str, str]:
    """Sheet name → its part in the archive (from workbook.xml and its relationships)."""
    out: dict[str, str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            book = archive.read("xl/workbook.xml").decode("utf-8")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        except KeyError:
            return out
    targets = {m[0]: m[1] for m in re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m[1]: m[0] for m in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    for name, rid in re.findall(r'<sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', book):
        target = targets.get(rid, "")
        target = target.lstrip("/")
        out[name] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def read_xlsx(data: bytes, spec: Spec) -> Table:
    table = Table(fmt="xlsx")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any damaged archive is the same answer to the user
        table.issues.append(Issue(_("无法读取该 Excel 文件：文件已损坏，或不是 .xlsx 格式。")))
        return table
    try:
        visible = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        with_data = [ws for ws in visible if any(not _blank(r) for r in ws.iter_rows(max_row=20, values_only=True))]
        if len(with_data) > 1:
            table.issues.append(Issue(_("工作簿中有%(n)d个含数据的工作表（%(names)s）：请只保留要导入的一个。",
                                        n=len(with_data), names="、".join(ws.title for ws in with_data))))
            return table
        ws = with_data[0] if with_data else (visible[0] if visible else book.worksheets[0])
        table.sheet = ws.title

        # Values only (cell objects cost twice the time): a formula reads as its text "=…" (data_only=False),
        # which _rows_from refuses; read-only sheets yield missing rows as empty ones, so the count is the row.
        _rows_from(table, spec, enumerate((list(r) for r in ws.iter_rows(values_only=True)), start=1))
    finally:
        book.close()
    merges = _merges(data, _sheet_paths(data).get(table.sheet))
    for min_col, min_row, max_col, max_row in merges:
        if table.header_row and max_row >= table.header_row:
            letter = get_column_letter(min_col)
            header = next((h for lt, h in table.columns.values() if lt == letter), "")
            message = (_("表头含合并单元格（%(ref)s）：请取消合并，每列一个表头。",
                         ref=f"{letter}{min_row}:{get_column_letter(max_col)}{max_row}")
                       if min_row <= table.header_row else
                       _("含合并单元格（%(ref)s）：请取消合并并在每个单元格填写数值。",
                         ref=f"{letter}{min_row}:{get_column_letter(max_col)}{max_row}"))
            table.issues.append(Issue(message, min_row, letter, header))
    return table


def read_csv(data: bytes, spec: Spec) -> Table:
    table = Table(fmt="csv")
    try:
        text, table.encoding = decode(data)
    except ValueError:
        table.issues.append(Issue(_("无法识别文件的字符编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx 文件。")))
        return table
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        _rows_from(table, spec, ((reader.line_num, row) for row in reader))
    except csv.Error as exc:
        table.issues.append(Issue(_("CSV 格式错误：%(reason)s", reason=str(exc))))
    return table


def read(data: bytes, spec: Spec) -> Table:
    """The table in ``data`` (format and encoding detected), with every problem the reading found."""
    if not data or not data.strip():
        return Table(issues=[Issue(_("文件是空的：没有表头，也没有数据行。"))])
    if len(data) > MAX_BYTES:
        return Table(issues=[Issue(_("文件太大（超过%(n)d MB）。", n=MAX_BYTES // 1024 // 1024))])
    fmt = detect_format(data)
    if fmt == "xls":
        return Table(fmt="xls", issues=[Issue(_("不支持旧版 .xls 文件：请在 Excel 中“另存为 .xlsx”后再导入。"))])
    if fmt == "ods":
        return Table(fmt="ods", issues=[Issue(_("不支持 OpenDocument（.ods）文件：请在 LibreOffice 或 WPS 中“另存为”"
                                                "Excel 2007-365（.xlsx）格式后再导入。"))])
    return read_xlsx(data, spec) if fmt == "xlsx" else read_csv(data, spec)
