"""The settings every property-based test of the rules shares (hypothesis).

Deterministic (derandomize, no example database): the same examples on every run, so a
property test never flakes. No time limit per example: the machine may be busy. Each test
file chooses only how many examples it needs: ``settings(DETERMINISTIC, max_examples=200)``.
"""
from hypothesis import HealthCheck, settings

DETERMINISTIC = settings(derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
