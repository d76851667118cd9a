"""The case page's documents panel: the user's view of a case's documents and what may be drafted."""

from django import template

from docgen.policy import draft_refusal
from docgen.rules import case_draftable
from docgen.selectors import case_documents
from docgen.variables import KIND_LABELS

register = template.Library()


@register.simple_tag
def case_documents_panel(case, request) -> dict:
    user = request.user
    buttons = []
    for kind, party in case_draftable(case):
        if draft_refusal(user, kind=kind, case=case) is None:
            label = KIND_LABELS[kind] + ("（致用人单位）" if party == "employer" else "")
            buttons.append({"kind": kind, "party": party, "label": label})
    return {"documents": case_documents(case=case, user=user), "buttons": buttons}
