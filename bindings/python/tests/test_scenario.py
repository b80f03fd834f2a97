from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import nudge

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize("name", ["sale_confirmation", "booking", "queue_callback", "missed_call"])
def test_scenario_files_pass(scenarios, name):
    result = nudge.Scenario(scenarios / f"{name}.scenario.yaml").run()  # str or a Path
    assert result.ok, result.failures + [str(d) for d in result.diagnostics]
    assert bool(result)
    assert result.failures == []
    assert result.steps > 0
    assert result.timeline and all(r.at.tzinfo is not None for r in result.timeline)


def sale_steps(expected_at):
    return [
        {"trigger": "sale.saved",
         "data": {"phone": "+4791234567", "first_name": "Kari", "product": "sykkelservice"}},
        {"advance": timedelta(seconds=30)},
        {"expect_sent": {"channel": "sms", "to": "+4791234567", "at": expected_at,
                         "text_contains": "Kari"}},
        {"until": datetime(2026, 3, 29, 12, 0)},  # naive: read in the scenario's zone
        {"expect_sent": {"at": "2026-03-29T09:00:00+02:00", "text_contains": "Påminnelse: "}},
        {"reply": {"from": "+4791234567", "text": "OK!"}},
        {"expect_state": {"key": "+4791234567", "state": "confirmed", "status": "finished"}},
    ]


def test_scenario_from_dicts(scenarios):
    scenario = nudge.Scenario(
        flows=[scenarios / "sale_confirmation.flow"],
        start=datetime(2026, 3, 28, 20, 55, tzinfo=OSLO),
        steps=sale_steps(datetime(2026, 3, 28, 20, 55, 30, tzinfo=OSLO)),
        base_dir=scenarios,
    )
    result = scenario.run()
    assert result.ok, result.failures
    assert result.zone == "Europe/Oslo"
    sent = [r for r in result.timeline if r.kind == "sent"]
    assert [r.at for r in sent] == [
        datetime(2026, 3, 28, 20, 55, 30, tzinfo=OSLO),
        datetime(2026, 3, 29, 9, 0, tzinfo=OSLO),
        datetime(2026, 3, 29, 12, 0, tzinfo=OSLO),
    ]


def test_failed_expectations_are_reported(scenarios):
    result = nudge.Scenario(
        flows="sale_confirmation.flow",
        start="2026-03-28T20:55:00+01:00",
        steps=sale_steps("2026-03-28T20:56:00+01:00"),
        base_dir=str(scenarios),
    ).run()
    assert not result.ok
    [failure] = result.failures
    assert failure.startswith("step 3 (expect_sent")
    assert result.diagnostics == []


def test_mistakes_in_the_scenario_are_diagnostics(scenarios):
    result = nudge.Scenario(
        flows=["sale_confirmation.flow"],
        start="2026-03-28T20:55:00+01:00",
        steps=[{"trigger": "sale.saved"}, {"advanse": "30s"}],
        base_dir=str(scenarios),
    ).run()
    assert not result.ok
    [d] = result.diagnostics
    assert d.code == "unknown-key" and d.line > 0 and d.column > 0
    assert "advance" in d.message


def test_scenario_from_text(scenarios):
    text = (scenarios / "sale_confirmation.scenario.yaml").read_text()
    result = nudge.Scenario.from_text(text, str(scenarios / "inline.scenario.yaml")).run()
    assert result.ok, result.failures


def test_scenario_needs_a_file_or_steps():
    with pytest.raises(ValueError):
        nudge.Scenario()
    with pytest.raises(TypeError):
        nudge.Scenario(steps=[{"advance": object()}], start="2026-01-01T00:00:00Z")
