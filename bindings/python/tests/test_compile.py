import pytest

import nudge

GOOD = """flow hello
field phone: phone
channel sms to phone from "4790000000"
trigger call.missed as phone {
  start sorry
}
state sorry {
  send sms "Sorry we missed your call!"
  after 1h -> done
}
final done
"""


def test_compile_gives_a_flow():
    flow = nudge.compile(GOOD, filename="hello.flow")
    assert flow.name == "hello"
    assert flow.timezone == "UTC"
    assert set(flow.states) == {"sorry", "done"}
    assert "digraph" in flow.to_dot()
    assert "stateDiagram-v2" in flow.to_mermaid()


def test_bad_flow_raises_flow_error_with_positions():
    text = GOOD.replace("after 1h -> done", "after 1h -> nowhere")
    with pytest.raises(nudge.FlowError) as caught:
        nudge.compile(text, filename="hello.flow")
    error = caught.value
    assert isinstance(error, nudge.Error)
    [d] = [d for d in error.diagnostics if d.severity == "error"]
    assert (d.file, d.line, d.column) == ("hello.flow", 9, 15)
    assert d.code == "unknown-state"
    assert "nowhere" in d.message
    # The message is the rendered diagnostic, with the source line and a caret.
    assert str(error).startswith("hello.flow:9:15: error: unknown state 'nowhere'")
    assert "^~~~~~~" in str(error)


def test_syntax_error_has_a_position():
    with pytest.raises(nudge.FlowError) as caught:
        nudge.compile("flow x\nstate {\n", filename="x.flow")
    d = caught.value.diagnostics[0]
    assert d.line == 2 and d.column >= 1


def test_compile_file(scenarios):
    flow = nudge.compile_file(scenarios / "sale_confirmation.flow")
    assert flow.name == "sale_confirmation"
    assert flow.timezone == "Europe/Oslo"


def test_unreadable_file_is_a_flow_error(tmp_path):
    with pytest.raises(nudge.FlowError) as caught:
        nudge.compile_file(str(tmp_path / "missing.flow"))
    assert [d.code for d in caught.value.diagnostics] == ["io"]
