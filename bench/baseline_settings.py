"""Settings for bench/intake_bench.py: the load-test settings plus the two baselines."""

from bench.load_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]  # noqa: F405
ROOT_URLCONF = "bench.baseline.urls"
