from simple_history.models import HistoricalRecords


class CaseHistoricalRecords(HistoricalRecords):
    """simple-history, minus two wasted reads per registration: copying the m2m rows of a row
    just created (it can have none yet; m2m rows need its id) re-reads the case and its links."""

    def create_historical_record_m2ms(self, history_instance, instance):
        if history_instance.history_type == "+":
            return
        super().create_historical_record_m2ms(history_instance, instance)
