import pathlib

import pytest

SCENARIOS = pathlib.Path(__file__).resolve().parents[3] / "tests" / "scenarios"


@pytest.fixture
def scenarios():
    """The folder of the repository's scenario suites (tests/scenarios)."""
    return SCENARIOS
