"""Evidence files (证明材料): PDF, JPG or PNG, recognised by their content, not their name.

Images are opened with Pillow, whose decompression-bomb guard is turned into a refusal (its warning
becomes an error); PDFs must parse with pypdf and have a page. Files are stored under a generated
name in ``EVIDENCE_DIR`` (``instance/evidence`` by default), outside the static folder, and are served
only through the development views, which check that the reader may see the record.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image
from pypdf import PdfReader

from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import EvidenceFile, User

#: Detected type → (stored extension, content type, extensions a file of that type may carry).
TYPES = {
    "pdf": ("pdf", "application/pdf", (".pdf",)),
    "jpeg": ("jpg", "image/jpeg", (".jpg", ".jpeg")),
    "png": ("png", "image/png", (".png",)),
}


@dataclass(frozen=True)
class Upload:
    """A file as the view received it: its name as the browser sent it, and its bytes."""

    filename: str
    data: bytes


def storage_dir() -> Path:
    path = Path(current_app.config.get("EVIDENCE_DIR") or Path(current_app.instance_path) / "evidence")
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_name(filename: str | None, field: str) -> str:
    """The original file name, kept for the download; a name with a path in it is refused."""
    name = unicodedata.normalize("NFC", (filename or "").strip())
    if not name:
        raise DomainError(_("请选择证明材料文件。"), field=field)
    if "/" in name or "\\" in name or ".." in name or any(unicodedata.category(c) == "Cc" for c in name):
        raise DomainError(_("文件名不能包含路径（如“../”）或控制字符，请改名后重新上传。"), field=field)
    if len(name) > 200:
        raise DomainError(_("文件名过长（不超过200个字符）。"), field=field)
    return name


def detect(data: bytes) -> str | None:
    """'pdf', 'jpeg' or 'png' when the bytes really are one, else None."""
    if data.startswith(b"%PDF-"):
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            return "pdf" if len(reader.pages) >= 1 else None
        except Exception:  # noqa: BLE001 — any parse failure means "not a PDF we accept"
            return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                kind = (img.format or "").lower()
                if kind not in ("jpeg", "png"):
                    return None
                img.verify()
            # verify() does not decode the pixels; loading does, and trips the bomb guard on huge images.
            with Image.open(io.BytesIO(data)) as img:
                img.load()
            return kind
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError(_("图片像素过多，疑似压缩炸弹，已拒绝。"), field="evidence") from None
    except Exception:  # noqa: BLE001 — unreadable or not an image
        return None


def check(upload: Upload, *, max_mb: int, field: str = "evidence") -> tuple[str, str]:
    """(original name, detected type) of an acceptable upload; DomainError naming ``field`` otherwise."""
    name = clean_name(upload.filename, field)
    if not upload.data:
        raise DomainError(_("上传的文件是空的。"), field=field)
    if len(upload.data) > max_mb * 1024 * 1024:
        raise DomainError(_("文件超过%(n)d MB，请压缩后再上传。", n=max_mb), field=field)
    try:
        kind = detect(upload.data)
    except DomainError as exc:
        raise DomainError(exc.message, field=field) from None
    if kind is None:
        raise DomainError(_("只接受 PDF、JPG、PNG 格式的证明材料（按文件内容检查）。"), field=field)
    if os.path.splitext(name)[1].lower() not in TYPES[kind][2]:
        raise DomainError(_("文件内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件。"), field=field)
    return name, kind


def store(actor: User, upload: Upload, *, max_mb: int, field: str = "evidence") -> EvidenceFile:
    """Check, write under a generated name, and add the row (flushed, not committed). The caller removes
    the file with ``discard`` when the transaction does not commit."""
    name, kind = check(upload, max_mb=max_mb, field=field)
    ext, content_type, _exts = TYPES[kind]
    stored = f"{secrets.token_hex(16)}.{ext}"
    path = storage_dir() / stored
    tmp = path.with_suffix(".part")
    tmp.write_bytes(upload.data)
    os.replace(tmp, path)
    row = EvidenceFile(stored_name=stored, original_name=name, content_type=content_type, size=len(upload.data),
                       sha256=hashlib.sha256(upload.data).hexdigest(), uploaded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    return row


def path_of(row: EvidenceFile) -> Path:
    return storage_dir() / row.stored_name


def discard(row: EvidenceFile | None) -> None:
    """Remove a stored file whose row was rolled back."""
    if row is not None:
        try:
            path_of(row).unlink(missing_ok=True)
        except OSError:
            pass
