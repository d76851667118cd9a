from django.template.response import TemplateResponse


def forbidden(request, message: str) -> TemplateResponse:
    """A 403 page. Raising PermissionDenied inside Wagtail's admin would turn into a redirect
    to the dashboard, which hides the refusal from scripts and tests."""
    return TemplateResponse(request, "security/forbidden.html", {"message": message}, status=403)
