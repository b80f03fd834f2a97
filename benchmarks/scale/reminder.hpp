#pragma once
// The reminder flow of benchmarks/scale, in the nudge language.
namespace scale {

inline constexpr const char* reminder_flow = R"(flow reminder
timezone "UTC"

field phone: phone

channel sms to phone from "4790000000"

window daytime = mon-sun 09:00-20:00
keywords yes = "ja", "yes"
keywords no = "nei", "no"
opt_out "STOP"

trigger booking.created as phone {
  start waiting
}

state waiting {
  send sms "Your booking is waiting. Reply JA to keep it or NEI to cancel."
  on reply yes -> confirmed
  on reply no -> declined
  on opted.out -> stopped
  after 72h -> cancelled
  remind after 24h within daytime times 2
}

final confirmed
final declined
final stopped
final cancelled
)";

} // namespace scale
