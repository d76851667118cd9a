"""Settings for bench/load_intake.py only: the production settings, served over plain HTTP on
loopback, with the intake rate limit lifted (docs/reliability.md).

The whole load comes from one address (127.0.0.1), which the production limit of 20 form posts
per address and hour is there to stop. Nothing here is meant for a deployment.
"""

import os

from config.settings.production import *  # noqa: F403

# Plain HTTP on 127.0.0.1: no TLS redirect (production.py reads SECURE_SSL_REDIRECT too).
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "0") == "1"

# One address posts thousands of forms: lift the per-address limit for this run only.
_LIMIT = int(os.environ.get("ONESTOP_LOAD_SUBMIT_LIMIT", "1000000000"))
INTAKE_RATE_LIMITS = {"submit": (_LIMIT, 3600)}

# Tracebacks of any 500 go to gunicorn's error log, which the load script scans.
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}  # noqa: F405
