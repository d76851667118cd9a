"""PDF preview through LibreOffice, when the server has it (Debian: libreoffice-writer-nogui).

A preview is approximate (substitute fonts); the .docx stays the document of record. Each
conversion gets its own LibreOffice profile, so concurrent previews do not block each other.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from docgen.errors import DocumentError

TIMEOUT_SECONDS = 60
NOT_INSTALLED = ("服务器未安装 LibreOffice（soffice），无法生成 PDF 预览；请下载 Word 文件查看。"
                 "管理员可安装 libreoffice-writer-nogui 后启用预览。")


class PreviewUnavailable(DocumentError):
    """No converter, or it failed: the message says so in Chinese."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def preview_available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(data: bytes, *, timeout: int = TIMEOUT_SECONDS) -> bytes:
    """Convert .docx bytes to PDF bytes, or raise PreviewUnavailable."""
    soffice = soffice_path()
    if soffice is None:
        raise PreviewUnavailable(NOT_INSTALLED)
    with tempfile.TemporaryDirectory(prefix="docgen-preview-") as work:
        work_dir = Path(work)
        profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
        source = work_dir / "document.docx"
        source.write_bytes(data)
        command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                   "--norestore", "--convert-to", "pdf", "--outdir", str(work_dir), str(source)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise PreviewUnavailable(f"PDF 预览生成超时（{timeout} 秒），请下载 Word 文件查看。") from exc
        except (subprocess.CalledProcessError, OSError) as exc:
            raise PreviewUnavailable("PDF 预览生成失败，请下载 Word 文件查看。") from exc
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        pdf = work_dir / "document.pdf"
        if not pdf.exists():
            raise PreviewUnavailable("PDF 预览生成失败，请下载 Word 文件查看。")
        return pdf.read_bytes()
