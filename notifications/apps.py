from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self):
        # Wiring only, here rather than in cases/apps.py so the case engine knows nothing of us.
        from django.db.models.signals import post_save

        from cases.models import TimelineEvent
        from cases.services.core import EVENT_HOOKS
        from notifications.rules import on_timeline_event, on_timeline_saved

        if on_timeline_event not in EVENT_HOOKS:
            EVENT_HOOKS.append(on_timeline_event)
        # The acknowledgement quotes the number, written before the case has its real one.
        from cases.numbering import NumberBearer, number_bearer_add

        number_bearer_add(NumberBearer("notifications.Outbox", ("subject", "body")))
        post_save.connect(on_timeline_saved, sender=TimelineEvent,
                          dispatch_uid="notifications.remind_events")
