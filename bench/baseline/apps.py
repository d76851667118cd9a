from django.apps import AppConfig


class BaselineConfig(AppConfig):
    """The two baselines of the intake benchmark (bench/intake_bench.py); never in a deployment."""

    name = "bench.baseline"
    label = "bench_baseline"
    default_auto_field = "django.db.models.BigAutoField"
