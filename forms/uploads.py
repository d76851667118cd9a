"""Attachments from the public form: JPEG, PNG or PDF judged by their bytes, never by name or the
browser's declared type; images re-encoded by Pillow so EXIF (GPS, camera, time) does not
survive, PDFs rewritten by pypdf without /Info and XMP; everything returned as the case service's NewAttachment (stored under generated names)."""

from __future__ import annotations

import io
import os
import re
import unicodedata
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from cases.services.intake import NewAttachment

MB = 1024 * 1024
KINDS = {
    "jpeg": ("image/jpeg", ".jpg", "JPEG"),
    "png": ("image/png", ".png", "PNG"),
    "pdf": ("application/pdf", ".pdf", None),
}
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; more is a decompression bomb


def upload_limits() -> tuple[int, int, int]:
    """(bytes per file, files, bytes in total); settings.INTAKE_UPLOAD_LIMITS overrides."""
    return getattr(settings, "INTAKE_UPLOAD_LIMITS", (10 * MB, 5, 20 * MB))


def _mb(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size // 1024} KB"


def sniff(data: bytes) -> str | None:
    """The file's kind from its first and last bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    # PDF readers accept the header within the first 1 KB; a real file ends with %%EOF.
    if b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]:
        return "pdf"
    return None


def display_name(name: str) -> str:
    """The uploader's file name without any path or control characters; for display only."""
    base = os.path.basename((name or "").replace("\\", "/"))
    return "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .") or "附件"


def safe_name(name: str, extension: str) -> str:
    """The name kept with the attachment, with the extension its content proves."""
    stem, _ = os.path.splitext(display_name(name))
    return f"{(stem or '附件')[:120]}{extension}"


def _reencode(data: bytes, kind: str, label: str) -> bytes:
    fmt = KINDS[kind][2]
    bad = ValidationError(f"“{label}”不是完整的{'JPG' if kind == 'jpeg' else 'PNG'}图片，请重新选择。",
                          code="bad_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != fmt:
                    raise bad
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError(f"“{label}”像素过大，请缩小后重新选择。", code="too_large")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bad from exc
    # Turn the pixels upright first: the orientation tag goes with the rest of EXIF.
    image = ImageOps.exif_transpose(image)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")  # palette transparency lives in info, cleared below
    image.info = {}  # no EXIF, XMP, ICC, text chunks: only pixels are written back
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1", "I", "I;16"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


PDF_BAD = "“{label}”不是完整的 PDF 文件，请重新选择。"
PDF_LOCKED = "“{label}”设有打开密码，请去掉密码后重新选择。"


def _strip_pdf(data: bytes, label: str) -> bytes:
    """Rewrite the PDF without its document information (/Info: author, creator software, dates)
    and XMP streams (document, pages, images): they often name the person who made the file."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone is fine
            raise ValidationError(PDF_LOCKED.format(label=label), code="pdf_locked")
        writer = PdfWriter(clone_from=reader)
        if re.fullmatch(r"%PDF-[12]\.\d", reader.pdf_header):
            writer.pdf_header = reader.pdf_header  # keep the version the content was written for
        writer.metadata = None  # drops /Info from the trailer
        holders = [writer.root_object, *writer.pages]
        for page in writer.pages:
            objects = page.get("/Resources", {}).get_object().get("/XObject", {})
            holders += [ref.get_object() for ref in objects.get_object().values()]
        for holder in holders:
            for key in ("/Metadata", "/PieceInfo"):
                holder.pop(NameObject(key), None)
        writer.compress_identical_objects()  # defaults drop the now unreferenced objects too
        out = io.BytesIO()
        writer.write(out)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 — an untrusted file breaks the parser in many ways
        raise ValidationError(PDF_BAD.format(label=label), code="bad_pdf") from exc
    return out.getvalue()


def clean_upload(uploaded) -> NewAttachment:
    per_file, _, _ = upload_limits()
    label = display_name(uploaded.name)[:60]
    if uploaded.size > per_file:
        raise ValidationError(f"“{label}”超过 {_mb(per_file)}，请压缩后重新选择。", code="too_large")
    uploaded.seek(0)
    data = uploaded.read(per_file + 1)
    kind = sniff(data)
    if kind is None:
        raise ValidationError(
            f"“{label}”不是 JPG、PNG 图片或 PDF 文件（按文件内容识别，与文件名无关），请重新选择。",
            code="bad_type")
    content_type, extension, _ = KINDS[kind]
    data = _strip_pdf(data, label) if kind == "pdf" else _reencode(data, kind, label)
    if len(data) > per_file:
        raise ValidationError(f"“{label}”超过 {_mb(per_file)}，请压缩后重新选择。",
                              code="too_large")
    return NewAttachment(name=safe_name(uploaded.name or "", extension), content_type=content_type,
                         content=data)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; cleans to a list of NewAttachment."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError("请选择证明材料。", code="required")
            return []
        per_file, max_files, total = upload_limits()
        if len(files) > max_files:
            raise ValidationError(f"最多上传 {max_files} 个文件，请重新选择。", code="too_many")
        if sum(f.size for f in files) > total:
            raise ValidationError(f"附件合计不能超过 {_mb(total)}，请压缩或减少后重新选择。",
                                  code="too_large")
        errors, cleaned = [], []
        for uploaded in files:
            try:
                cleaned.append(clean_upload(uploaded))
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned
