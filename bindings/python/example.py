from datetime import datetime, timedelta, timezone

import nudge

flow = nudge.compile(
    """
flow sale_confirmation
timezone "Europe/Oslo"
field phone: phone
field first_name: text
channel sms to phone from "4790000000"
keywords yes = "ja", "ok"
trigger sale.saved as phone {
  delay 30s
  start sale
}
state sale {
  send sms "Hei {first_name}! Svar JA for å bekrefte."
  on reply yes -> confirmed
  after 3d -> lapsed
}
final confirmed
final lapsed
""",
    filename="sale.flow",
)

clock = nudge.FakeClock(datetime(2026, 3, 28, 19, 55, tzinfo=timezone.utc))
out = nudge.RecordingTransport()
engine = nudge.Engine(clock, out)
engine.load(flow)

[kari] = engine.trigger("sale.saved", {"phone": "+4791234567", "first_name": "Kari"})
engine.advance(timedelta(minutes=1))  # fires the delayed start at 19:55:30 UTC
engine.reply("+4791234567", "Ja!")  # `to` defaults to the flow's one sender number

for message in out.sent:
    print(message.at, message.to, message.text)
print(engine.instance(kari).state)  # confirmed

try:
    nudge.compile("flow broken\nstate a {\n  after 1h -> nowhere\n}\n", filename="broken.flow")
except nudge.FlowError as e:
    for d in e.diagnostics:
        print(d.file, d.line, d.column, d.code, d.message)
