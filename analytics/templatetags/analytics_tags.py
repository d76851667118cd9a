from django import template

from analytics.models import TypicalCase
from analytics.policy import may_manage
from analytics.selectors import warnings_for_case

register = template.Library()


@register.simple_tag(takes_context=True)
def case_analytics(context, case) -> dict:
    """What the case page shows about warnings and the typical-case mark (2 queries)."""
    user = context["request"].user
    return {
        "warnings": warnings_for_case(case),
        "typical": TypicalCase.objects.filter(case=case).first(),
        "can_manage": may_manage(user, case.mechanism_id),
    }
