"""What the fuzz tests share: the hypothesis profile and generators of valid identifiers.

ONESTOP_FUZZ_EXAMPLES sets the examples per test (default 300; docs/reliability.md)."""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from cases.identity import make_credit_code, make_mobile, make_resident_id

settings.register_profile(
    "onestop-fuzz", max_examples=int(os.environ.get("ONESTOP_FUZZ_EXAMPLES", "300")),
    deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example])
FUZZ = settings(settings.get_profile("onestop-fuzz"))

seeded = st.randoms(use_true_random=False)
resident_ids = st.builds(lambda r: make_resident_id(r), seeded)
credit_codes = st.builds(lambda r: make_credit_code(r), seeded)
mobiles = st.builds(lambda r: make_mobile(r), seeded)
