from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "争议事项"

    def ready(self):
        # Wiring only: a year-calendar change recomputes the open deadlines it affects.
        from cases.services.calendar import register_calendar_listener
        from cases.services.deadlines import clocks_recompute_for_years

        register_calendar_listener(clocks_recompute_for_years)
        # Cache invalidation only (no domain rule): configuration saves renew the stamp.
        from cases import confcache

        confcache.connect()
