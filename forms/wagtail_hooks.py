"""Registration only."""

from wagtail import hooks


@hooks.register("filter_form_submissions_for_user")
def hide_intake_pages_from_form_submissions(user, editable_forms):
    # Intake pages store cases, not FormSubmission rows: their (empty) submission lists would
    # only mislead. Online cases are in the case ledger like every other channel's.
    from forms.models import IntakeFormPage

    return editable_forms.not_type(IntakeFormPage)
