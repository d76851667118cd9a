from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self):
        # Wiring only: the group-size rule also fires at registration, inside its transaction.
        from analytics import tasks  # noqa: F401 - registers the background report builders
        from analytics.hooks import warning_on_register
        from cases.services.core import EVENT_HOOKS

        if warning_on_register not in EVENT_HOOKS:
            EVENT_HOOKS.append(warning_on_register)
        # A warning raised at registration names the case by its (still provisional) number.
        from analytics.models import Warning
        from cases.numbering import NumberBearer, number_bearer_add

        links = Warning.cases.through._meta
        number_bearer_add(NumberBearer("analytics.Warning", ("key", "message"), (
            f"id IN (SELECT {links.get_field('warning').column} FROM {links.db_table} "
            f"WHERE {links.get_field('case').column} = %s)")))
