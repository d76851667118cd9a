from cases.errors import CaseError


class AnalyticsError(CaseError):
    """A rule of the analytics app refused the request; `message` is Chinese, shown as is."""
