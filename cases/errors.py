class CaseError(Exception):
    """A domain rule refused the request. `message` is Chinese and shown to the user as is;
    `field` names the input at fault, when there is one (forms and APIs attach it there)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
