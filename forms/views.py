"""Attachment downloads for staff: only through this view, only to those who may see the case."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from cases.models import Attachment
from cases.policy import can_view


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
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
