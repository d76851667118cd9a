from functools import cached_property

from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords


class _OneManagerClassDescriptor(HistoryDescriptor):
    """simple-history builds a new manager class (inspecting every QuerySet method) on each
    `Model.history` access, and every save of a historied row makes one: build it once."""

    @cached_property
    def _manager_class(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self._manager_class(self.model, instance)


class ProjectHistoricalRecords(HistoricalRecords):
    """The project's history registration: simple-history with one manager class per model."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            setattr(sender, self.manager_name, _OneManagerClassDescriptor(
                descriptor.model, manager=descriptor.manager_class,
                queryset=descriptor.queryset_class))


class CaseHistoricalRecords(ProjectHistoricalRecords):
    """simple-history, minus two wasted reads per registration: copying the m2m rows of a row
    just created (it can have none yet; m2m rows need its id) re-reads the case and its links."""

    def create_historical_record_m2ms(self, history_instance, instance):
        if history_instance.history_type == "+":
            return
        super().create_historical_record_m2ms(history_instance, instance)
