// format_flow on hand-built FlowDefs: layout, defaults, every construct, comments by position.
#include "builder.hpp"

#include <nudge/dsl.hpp>

#include <doctest/doctest.h>

using namespace nudge;
using namespace nudge::test;

namespace {

FlowDef order_confirmation() {
    FlowDef f;
    f.name = "order_confirmation";
    f.version = 2;
    f.timezone = "Europe/Oslo";
    f.fields = {field("first_name", FieldType::text), field("phone", FieldType::phone)};
    f.channels = {channel(ChannelKind::sms, "phone", "4790000000")};
    f.windows = {WindowDecl{"daytime", {*parse_window_slot("mon-sun 09:00-21:00")}, {}}};
    f.keywords = {KeywordsDecl{"yes", {"ja", "ok", "yes"}, {}},
                  KeywordsDecl{"no", {"nei", "no"}, {}}};
    f.templates = {TemplateDecl{"confirm",
                                ChannelKind::sms,
                                std::nullopt,
                                "Hi {first_name}, reply JA to confirm your order.",
                                {},
                                {},
                                {}}};
    auto t = trigger("sale.saved", "phone", "sale");
    t.only_during = "daytime";
    f.triggers = {t};
    auto sale = state("sale");
    sale.actions = {send_template("sms", "confirm")};
    sale.handlers = {on_reply("yes", "confirmed"), on_reply("no", "declined"),
                     on_reply("other", "inbox"), after({3, DurationUnit::d}, "lapsed")};
    sale.reminders = {Reminder{{2, DurationUnit::h}, "daytime", std::nullopt, "Husk: ", 1, {}}};
    auto confirmed = final_state("confirmed", {}, true);
    confirmed.actions = {send_text("sms", "Thanks, we have your order.")};
    confirmed.outcome = Outcome{"converted", std::nullopt, {}};
    f.states = {sale, confirmed, final_state("declined"), final_state("lapsed")};
    return f;
}

const char* order_confirmation_text = R"(flow order_confirmation version 2
timezone "Europe/Oslo"

field first_name: text
field phone: phone

channel sms to phone from "4790000000"

window daytime = mon-sun 09:00-21:00
keywords yes = "ja", "ok", "yes"
keywords no = "nei", "no"

template confirm sms "Hi {first_name}, reply JA to confirm your order."

trigger sale.saved as phone {
  only during daytime
  start sale
}

state sale {
  send sms confirm
  on reply yes -> confirmed
  on reply no -> declined
  on reply other -> inbox
  after 3d -> lapsed
  remind after 2h within daytime prefix "Husk: "
}

final confirmed {
  send sms "Thanks, we have your order."
  outcome converted
}

final declined

final lapsed
)";

} // namespace

TEST_CASE("a hand-built flow prints in canonical layout") {
    CHECK(format_flow(order_confirmation()) == order_confirmation_text);
}

TEST_CASE("defaults are not printed") {
    FlowDef f;
    f.name = "x";
    f.triggers = {trigger("a.b", "k", "done")};
    f.states = {final_state("done")};
    CHECK(format_flow(f) == "flow x\n\ntrigger a.b as k {\n  start done\n}\n\nfinal done\n");

    auto s = state("s");
    s.reminders = {Reminder{{1, DurationUnit::h}, std::nullopt, std::nullopt, "Reminder: ", 1, {}},
                   Reminder{{2, DurationUnit::h}, "day", "sms", "P: ", 3, {}}};
    f.states = {s};
    CHECK(format_flow(f) == "flow x\n\ntrigger a.b as k {\n  start done\n}\n\nstate s {\n"
                            "  remind after 1h\n"
                            "  remind after 2h within day via sms prefix \"P: \" times 3\n}\n");
}

TEST_CASE("channels: short form, named form, literal recipient") {
    FlowDef f;
    f.name = "c";
    f.timezone = "UTC";
    auto workshop = channel(ChannelKind::email, "verksted@example.test", std::nullopt);
    workshop.name = "workshop";
    workshop.to_is_literal = true;
    auto second = channel(ChannelKind::sms, "phone", "Autohuset");
    second.name = "alerts";
    f.channels = {channel(ChannelKind::sms, "phone", std::nullopt), workshop, second};
    CHECK(format_flow(f) == "flow c\ntimezone \"UTC\"\n\n"
                            "channel sms to phone\n"
                            "channel workshop email to \"verksted@example.test\"\n"
                            "channel alerts sms to phone from \"Autohuset\"\n");
}

TEST_CASE("policy, seasons, lists, templates and classifiers") {
    FlowDef f;
    f.name = "p";
    f.fields = {field("phone", FieldType::phone, {}, true)};
    f.facts = {FactDecl{"wait", FieldType::duration, {}}};
    f.seasons = {SeasonDecl{"winter", {10, 1}, {11, 8}, {}}};
    f.lists = {ListDecl{"blocked", {"+4511", "a\"b"}, {}}};
    f.numbers = NumberPolicy{NumberPolicy::Kind::regions, {"DK", "SE"}, {}, false};
    f.opt_out = {"STOP", "AFMELD"};
    f.caps = {CapDecl{"sms", 3, {24, DurationUnit::h}, {}}};
    f.templates = {
        TemplateDecl{"invite", ChannelKind::email, "Service", "Dear {name},\nbook.\n", {}, {}, {}},
        TemplateDecl{"plain", std::nullopt, std::nullopt, "hi", {}, {}, {}}};
    f.classifiers = {ClassifierDecl{
        "kind",
        {"a", "b"},
        {ClassifierRule{"service", {"service", "olie"}, {}}, ClassifierRule{"tyres", {"hjul"}, {}}},
        {}}};
    CHECK(format_flow(f) == R"(flow p

field phone: phone?
fact wait: duration

season winter = 10-01..11-08
list blocked = "+4511", "a\"b"

numbers [DK, SE]
opt_out "STOP", "AFMELD"
cap sms 3 per 24h

template invite email subject "Service" """
Dear {name},
book.
"""
template plain "hi"

classify kind from a, b {
  service: "service", "olie";
  tyres: "hjul"
}
)");
    f.numbers = NumberPolicy{NumberPolicy::Kind::regions, {"DK"}, {}, false};
    CHECK(format_flow(f).find("numbers DK\n") != std::string::npos);
    f.numbers = NumberPolicy{NumberPolicy::Kind::nordic, {}, {}, false};
    CHECK(format_flow(f).find("numbers nordic\n") != std::string::npos);
    f.numbers->every_kind = true;
    CHECK(format_flow(f).find("numbers nordic, every kind\n") != std::string::npos);
}

TEST_CASE("state statements print in canonical order, from any comes last") {
    FlowDef f;
    f.name = "s";
    auto t = trigger("e.v", "k", "s");
    t.delay = Duration{30, DurationUnit::s};
    t.cooldown = Duration{30, DurationUnit::m};
    t.only_during = "w";
    t.unless = binary("in", field_ref("k"), field_ref("blocked"));
    f.triggers = {t};
    auto s = state("s");
    // Filled out of order on purpose: the IR's vectors decide, not declaration time.
    s.reminders = {Reminder{{2, DurationUnit::h}, std::nullopt, std::nullopt, std::nullopt, 1, {}}};
    s.handlers = {on_event("booking.moved", "restart"), after({1, DurationUnit::d}, "s")};
    Handler at;
    at.kind = Handler::Kind::at;
    at.at = binary("-", field_ref("visit_at"), duration_lit(10, DurationUnit::d));
    at.within = "w";
    at.target = to_state("done");
    Handler season;
    season.kind = Handler::Kind::season;
    season.season = "winter";
    season.spread = Handler::Spread::by_field;
    season.spread_field = "last";
    season.target = to_state("done");
    s.handlers.push_back(at);
    s.handlers.push_back(season);
    s.choices = {Choice{binary(">=", field_ref("wait"), duration_lit(1, DurationUnit::m)),
                        to_state("done"),
                        {}},
                 Choice{std::nullopt, to_state("s"), {}}};
    Repeat rep;
    rep.interval = {30, DurationUnit::s};
    rep.max = 20;
    rep.while_cond = binary(">=", field_ref("wait"), duration_lit(1, DurationUnit::m));
    rep.actions = {send_text("voice", "Press 1")};
    s.repeats = {rep};
    Action set;
    set.kind = Action::Kind::set;
    set.name = "n";
    set.value = binary("+", field_ref("n"), Expr{ExprKind::number, "", 1, false, {}, {}, {}});
    Action run;
    run.kind = Action::Kind::run;
    run.name = "booking.delete";
    Action emit;
    emit.kind = Action::Kind::emit;
    emit.name = "slot.freed";
    auto send = send_template("email", "invite");
    send.fallback = {"sms", "letter"};
    send.within = "office";
    s.actions = {set, run, emit, send};
    f.states = {s, final_state("done", {}, true)};
    f.from_any = {on_event("work.done", "done")};
    CHECK(format_flow(f) == R"(flow s

trigger e.v as k {
  delay 30s
  only during w
  cooldown 30m
  unless k in blocked
  start s
}

state s {
  set n = n + 1
  do "booking.delete"
  emit slot.freed
  send email invite fallback sms, letter within office
  every 30s max 20 while wait >= 1m {
    send voice "Press 1"
  }
  if wait >= 1m -> done
  else -> s
  on booking.moved -> restart
  after 1d -> s
  at visit_at - 10d within w -> done
  at season winter spread by last -> done
  remind after 2h
}

final done {
}

from any {
  on work.done -> done
}
)");
}

namespace {

// A flow with positions as if read from this text (line numbers on the left):
//  1 # leading file comment
//  2 flow c   # after flow
//  3 timezone "UTC"  # after zone
//  4
//  5 state s {  # state head
//  6   # before send
//  7   send sms "hi"  # after send
//  8   # before after
//  9   after 3d -> done
// 10   # end of s
// 11 }  # after s
// 12 # before field (declared late: moves up with its field)
// 13 field phone: phone
// 14 trigger a.b as phone {
// 15   # before start
// 16   start s  # after start
// 17 }
// 18 final done
// 19 # the end
FlowDef commented() {
    FlowDef f;
    f.name = "c";
    f.timezone = "UTC";
    f.loc = lines(2);
    f.fields = {field("phone", FieldType::phone, lines(13))};
    f.triggers = {trigger("a.b", "phone", "s", lines(14, 17))};
    auto s = state("s", lines(5, 11));
    s.actions = {send_text("sms", "hi", lines(7))};
    s.handlers = {after({3, DurationUnit::d}, "done", lines(9))};
    f.states = {s, final_state("done", lines(18))};
    f.source.comments = {own_line(1, " leading file comment"),
                         same_line(2, " after flow"),
                         same_line(3, " after zone"),
                         same_line(5, " state head"),
                         own_line(6, " before send", 3),
                         same_line(7, " after send"),
                         own_line(8, " before after", 3),
                         own_line(10, " end of s", 3),
                         same_line(11, " after s"),
                         own_line(12, " before field (declared late: moves up with its field)"),
                         own_line(15, " before start", 3),
                         same_line(16, " after start"),
                         own_line(19, " the end")};
    return f;
}

} // namespace

TEST_CASE("comments travel with the node they were written before or after") {
    CHECK(format_flow(commented()) == R"(# leading file comment
flow c # after flow
timezone "UTC" # after zone

# before field (declared late: moves up with its field)
field phone: phone

trigger a.b as phone {
  # before start
  start s # after start
}

state s { # state head
  # before send
  send sms "hi" # after send
  # before after
  after 3d -> done
  # end of s
} # after s

final done

# the end
)");
}

TEST_CASE("keep_comments=false drops every comment") {
    auto text = format_flow(commented(), {.keep_comments = false});
    CHECK(text.find('#') == std::string::npos);
    auto plain = commented();
    plain.source.comments.clear();
    CHECK(text == format_flow(plain));
}

TEST_CASE("comment text is printed as recorded") {
    FlowDef f;
    f.name = "x";
    f.loc = lines(2);
    f.source.comments = {own_line(1, "no space"), own_line(3, "")};
    CHECK(format_flow(f) == "#no space\nflow x\n\n#\n");
}
