from cases.errors import CaseError


class DocumentError(CaseError):
    """A document rule refused the request. A CaseError, so views that show case errors show
    these too; ``errors`` keeps every finding of a template check, one message each."""

    def __init__(self, message: str, *, field: str | None = None, errors: list[str] | None = None):
        super().__init__(message, field=field)
        self.errors = list(errors or [])
