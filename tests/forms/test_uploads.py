"""Attachments: judged by content, size-limited, EXIF stripped, stored under generated names."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from cases.models import Attachment, Case
from forms.uploads import sniff
from tests.forms.conftest import jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def _submit(client, form_url, valid_data, *files):
    return client.post(form_url, valid_data(attachments=list(files)))


def test_jpeg_png_and_pdf_are_stored_on_the_case(client, portal, form_url, valid_data):
    _submit(client, form_url, valid_data, upload("照片.JPG", jpeg_bytes(), "image/jpeg"),
            upload("截图.png", png_bytes(), "image/png"), upload("通知书.pdf", pdf_bytes()))
    attachments = list(Case.objects.get().attachments.order_by("id"))
    assert [a.content_type for a in attachments] == ["image/jpeg", "image/png", "application/pdf"]
    assert [a.original_name for a in attachments] == ["照片.jpg", "截图.png", "通知书.pdf"]
    for attachment in attachments:
        # Generated names only; the uploader's name lives in the row, never on disk.
        assert "照片" not in attachment.file.name and "通知书" not in attachment.file.name
        assert attachment.size == len(attachment.file.open("rb").read())


def test_attachments_are_stored_outside_the_web_root(client, portal, form_url, valid_data):
    _submit(client, form_url, valid_data, upload("a.pdf", pdf_bytes()))
    path = Path(Attachment.objects.get().file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_a_text_file_named_jpg_is_refused(client, portal, form_url, valid_data):
    response = _submit(client, form_url, valid_data,
                       upload("证据.jpg", "这不是图片，只是文字。".encode(), "image/jpeg"))
    html = response.content.decode()
    assert "“证据.jpg”不是 JPG、PNG 图片或 PDF 文件" in html
    assert 'id="id_attachments_error"' in html
    assert not Case.objects.exists()


def test_a_jpeg_header_with_garbage_after_it_is_refused(client, portal, form_url, valid_data):
    response = _submit(client, form_url, valid_data,
                       upload("坏图.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, "image/jpeg"))
    assert "不是完整的JPG图片" in response.content.decode()
    assert not Case.objects.exists()


def test_a_real_pdf_named_png_is_accepted_as_a_pdf(client, portal, form_url, valid_data):
    _submit(client, form_url, valid_data, upload("扫描件.png", pdf_bytes(), "image/png"))
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "扫描件.pdf"


def test_an_oversized_file_is_refused(client, portal, form_url, valid_data, settings):
    settings.INTAKE_UPLOAD_LIMITS = (20 * 1024, 5, 100 * 1024)
    big = pdf_bytes().replace(b"%%EOF", b"%" + b"0" * 30 * 1024 + b"\n%%EOF")
    response = _submit(client, form_url, valid_data, upload("大文件.pdf", big))
    assert "“大文件.pdf”超过 20 KB" in response.content.decode()
    assert not Case.objects.exists()


def test_the_default_limit_is_ten_megabytes_each_and_five_files(client, portal, form_url,
                                                                valid_data):
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF"
    html = _submit(client, form_url, valid_data, upload("大.pdf", big)).content.decode()
    assert "超过 10 MB" in html
    files = [upload(f"{i}.pdf", pdf_bytes()) for i in range(6)]
    html = _submit(client, form_url, valid_data, *files).content.decode()
    assert "最多上传 5 个文件" in html
    assert not Case.objects.exists()


def test_exif_and_gps_are_stripped_and_the_photo_stays_upright(client, portal, form_url,
                                                               valid_data):
    original = jpeg_bytes(exif_gps=True, size=(64, 48))
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825)  # the fixture really carries GPS
    _submit(client, form_url, valid_data, upload("现场.jpg", original, "image/jpeg"))
    stored = Attachment.objects.get().file.open("rb").read()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif() and not image.getexif().get_ifd(0x8825)
        assert image.size == (48, 64)  # orientation 6 applied before the tag was dropped


def test_sniffing_ignores_names_and_needs_a_complete_pdf():
    assert sniff(jpeg_bytes()) == "jpeg" and sniff(png_bytes()) == "png"
    assert sniff(pdf_bytes()) == "pdf"
    assert sniff(b"%PDF-1.7 truncated") is None
    assert sniff(b"GIF89a....") is None
    assert sniff(b"<html><script>alert(1)</script>") is None


def _pdf_with_metadata(*, password: str = "") -> bytes:
    """A two-page PDF naming its author in /Info and in XMP, as scanners and Word write them."""
    from pypdf import PdfReader, PdfWriter

    first, second = Image.new("RGB", (40, 40), "white"), Image.new("RGB", (40, 40), "gray")
    out = io.BytesIO()
    first.save(out, "PDF", save_all=True, append_images=[second], author="张三丰",
               title="李秀英的工资条", creator="Scanner Pro 9", producer="HP LaserJet M132")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    writer.xmp_metadata = (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>张三丰-XMP</dc:creator>'
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()
    if password:
        writer.encrypt(user_password=password, algorithm="RC4-128")
    data = io.BytesIO()
    writer.write(data)
    return data.getvalue()


def test_pdf_author_creator_and_xmp_are_stripped_and_the_pages_kept(client, portal, form_url,
                                                                    valid_data):
    from pypdf import PdfReader

    original = _pdf_with_metadata()
    source = PdfReader(io.BytesIO(original))
    assert source.metadata.author == "张三丰" and source.xmp_metadata is not None  # really there
    _submit(client, form_url, valid_data, upload("工资条.pdf", original, "application/pdf"))
    attachment = Attachment.objects.get()
    stored = attachment.file.open("rb").read()
    assert attachment.size == len(stored) and attachment.content_type == "application/pdf"
    for secret in ("张三丰".encode("utf-16-be"), "张三丰".encode(), b"Scanner Pro", b"LaserJet",
                   "李秀英".encode("utf-16-be"), b"xmpmeta"):
        assert secret not in stored
    cleaned = PdfReader(io.BytesIO(stored))
    assert len(cleaned.pages) == 2
    assert cleaned.xmp_metadata is None
    assert not (cleaned.metadata or {}).get("/Author") and not (cleaned.metadata or {}).get("/Title")


def test_a_broken_or_password_locked_pdf_is_refused_keeping_the_rest(client, portal, form_url,
                                                                     valid_data):
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer\n%%EOF"
    html = _submit(client, form_url, valid_data, upload("扫描.pdf", broken)).content.decode()
    assert "“扫描.pdf”不是完整的 PDF 文件，请重新选择。" in html
    locked = _pdf_with_metadata(password="123456")
    html = _submit(client, form_url, valid_data, upload("加密.pdf", locked)).content.decode()
    assert "“加密.pdf”设有打开密码，请去掉密码后重新选择。" in html
    assert "李秀英" in html  # what the person typed is still there
    assert not Case.objects.exists()
