"""Settings for bench/intake_bench.py: the load-test settings plus its baselines (bench/baseline)."""

from bench.load_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]  # noqa: F405
ROOT_URLCONF = "bench.baseline.urls"
