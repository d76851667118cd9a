"""File downloads of the portal: attachments for staff who may see the case, and the issued
反馈函 for the complainant who proved the case number and query code in this session."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from cases.models import Attachment
from cases.policy import can_view
from forms.tracking import tracked_case

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _private(response: FileResponse) -> FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_safe
def attachment_download(request, pk: int):
    attachment = Attachment.objects.select_related("case").filter(pk=pk).first()
    # 404 for "no such file" and "not yours" alike: nobody learns which attachment ids exist.
    if attachment is None or not request.user.is_authenticated \
            or not can_view(request.user, attachment.case):
        raise Http404("附件不存在。")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件不存在。") from None
    return _private(FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                                 content_type=attachment.content_type))


@require_safe
def feedback_letter_download(request):
    """Only the frozen, issued letter to the complainant of the case in this session."""
    from docgen.selectors import issued_feedback_letter

    case = tracked_case(request)
    version = issued_feedback_letter(case=case) if case is not None else None
    if version is None:
        raise Http404("没有可下载的反馈函，请先在进度查询页输入受理编号和查询码。")
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("反馈函文件不存在，请联系受理单位。") from None
    number = version.number or version.document.number
    return _private(FileResponse(handle, as_attachment=True, content_type=DOCX,
                                 filename=f"反馈函-{number or case.number}.docx"))
