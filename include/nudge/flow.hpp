#pragma once
// The flow IR: what both front ends (.flow text and .flow.yaml) produce and what the formatter,
// the checker and the compiler consume. Plain data, no parser types. Two FlowDefs compare equal
// when they mean the same flow: source positions, the file name and comments are ignored.
// The language itself is described in dsl/REFERENCE.md. Plain values with no hidden state: a
// FlowDef may be read from several threads at once, and changed from one while nobody reads.

#include <nudge/diagnostic.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// Where something was written: start and end position. Two Locs are equal when both
// positions are.
struct Loc {
    SourcePos begin;
    SourcePos end;
    friend bool operator==(const Loc&, const Loc&) = default;
};

// A Loc held by a node of the IR. It converts to and from Loc and reads as one (`.begin`,
// `.end`), but two NodeLocs always compare equal, so that IR equality ignores where things
// were written. To compare positions, compare the Locs: `Loc(a.loc) == Loc(b.loc)`.
struct NodeLoc : Loc {
    NodeLoc() = default;
    NodeLoc(SourcePos begin_at, SourcePos end_at) : Loc{begin_at, end_at} {}
    NodeLoc(const Loc& loc) : Loc(loc) {} // NOLINT(google-explicit-constructor): a Loc is one
    friend bool operator==(const NodeLoc&, const NodeLoc&) { return true; }
};

// ---------------------------------------------------------------------------------------------
// Durations. `s m h` are exact; `d w mo y` are calendar steps in the flow's zone.

enum class DurationUnit { s, m, h, d, w, mo, y };

struct Duration {
    std::int64_t count = 0;
    DurationUnit unit = DurationUnit::s;
    friend bool operator==(const Duration&, const Duration&) = default;
};

std::string_view to_string(DurationUnit u);
std::string to_text(const Duration& d); // "30s", "3d", "1mo"
// "30s" → Duration; nullopt on anything else (no spaces, one unit, count ≥ 0).
std::optional<Duration> parse_duration(std::string_view text);
// Exact seconds for s/m/h; nullopt for calendar units.
std::optional<std::int64_t> exact_seconds(const Duration& d);

// ---------------------------------------------------------------------------------------------
// Expressions: one node type, a small tree. `text` holds the string value, identifier, member
// name, function name or operator depending on `kind`.

enum class ExprKind {
    string,   // "text"                       text = value (unescaped)
    number,   // 42, 12.5                     number
    boolean,  // true false                   boolean
    duration, // 30s 2h 1mo                   duration
    field,    // first_name                   text = name (a field, fact, list or window name)
    member,   // phone.region                 text = member name, args[0] = base
    call,     // next_open(daytime), now()    text = function name, args
    list,     // ["mobile", "fixed_line"]     args
    unary,    // not x, -x                    text = "not" | "-", args[0]
    binary,   // a + b                        text = operator, args[0], args[1]
    none,     // none                         no value: an optional field left empty
};

struct Expr {
    ExprKind kind = ExprKind::boolean;
    std::string text;
    double number = 0;
    bool boolean = false;
    Duration duration;
    std::vector<Expr> args;
    NodeLoc loc;
    friend bool operator==(const Expr&, const Expr&) = default;
};

// Binary operators, loosest first: "or" | "and" | "==" "!=" "<" "<=" ">" ">=" "in" | "??" |
// "+" "-". Unary: "not" (between and/or and comparison), "-" (tightest).
// Prints with the fewest parentheses that keep the tree; parse(to_text(e)) == e.
std::string to_text(const Expr& e);

// A string literal in the language's syntax: "…" with \" \\ \n \t escapes, or """…""" when the
// text has a newline and no triple quote.
std::string quote(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Declarations

enum class FieldType { text, number, money, boolean, phone, email, date, datetime, duration, zone };
std::string_view to_string(FieldType t); // "text" … "bool" … "zone"
std::optional<FieldType> parse_field_type(std::string_view name);

struct FieldDecl { // field first_name: text      field shop_email: email?
    std::string name;
    FieldType type = FieldType::text;
    bool optional = false;
    NodeLoc loc;
    // `field restaurant: text = "Pizzeria Roma"`: the value an instance gets when the trigger's
    // data has none (in the field's data form; a business's settings may supply it).
    std::optional<std::string> default_value{};
    friend bool operator==(const FieldDecl&, const FieldDecl&) = default;
};

struct FactDecl { // fact estimated_wait: duration   (asked of the host when used)
    std::string name;
    FieldType type = FieldType::text;
    NodeLoc loc;
    friend bool operator==(const FactDecl&, const FactDecl&) = default;
};

enum class ChannelKind { sms, email, letter, voice, webhook };
std::string_view to_string(ChannelKind k);
std::optional<ChannelKind> parse_channel_kind(std::string_view name);

// channel sms to phone from "4790000000"
// channel workshop email to "verksted@example.test"
struct ChannelDecl {
    std::string name; // defaults to the kind's name
    ChannelKind kind = ChannelKind::sms;
    std::string to; // a field name, or the fixed address when to_is_literal
    bool to_is_literal = false;
    std::optional<std::string> from; // sender: a phone number or a 3–11 character text name
    NodeLoc loc;
    // `channel sms to phone off`: switched off (a business's setting); a send on it is
    // suppressed with reason `channel_off` and nothing reaches the transport.
    bool off = false;
    friend bool operator==(const ChannelDecl&, const ChannelDecl&) = default;
};

enum class Weekday { mon, tue, wed, thu, fri, sat, sun };
std::string_view to_string(Weekday d);

// mon-fri 08:00-16:00    minutes since local midnight; close may be 1440 (24:00);
// close <= open wraps past midnight (22:00-06:00 opens on first_day..last_day evenings).
struct WindowSlot {
    Weekday first_day = Weekday::mon;
    Weekday last_day = Weekday::sun;
    int open_minute = 0;
    int close_minute = 0;
    NodeLoc loc;
    friend bool operator==(const WindowSlot&, const WindowSlot&) = default;
};
std::string to_text(const WindowSlot& s); // "mon-fri 08:00-16:00", "sat 10:00-14:00"
// Parses the text form of one slot; nullopt when malformed.
std::optional<WindowSlot> parse_window_slot(std::string_view text);

// A day a window stays shut from midnight to midnight: every year ("12-24", year 0) or once
// ("2026-04-03").
struct ClosedDay {
    int year = 0;
    int month = 1;
    int day = 1;
    friend bool operator==(const ClosedDay&, const ClosedDay&) = default;
};
std::string to_text(const ClosedDay& d); // "12-24", "2026-04-03"
// "12-24" or "2026-04-03", a day that exists (02-29 every year is allowed); nullopt otherwise.
std::optional<ClosedDay> parse_closed_day(std::string_view text);

struct WindowDecl { // window open_hours = mon-fri 08:00-16:00, sat 10:00-14:00
    std::string name;
    std::vector<WindowSlot> slots;
    NodeLoc loc;
    // window daytime = not during mon-sun 21:00-08:00: open whenever no slot is.
    bool not_during = false;
    // window office = mon-fri 08:00-16:00 closed on 12-24, 12-25, 2026-04-03
    std::vector<ClosedDay> closed{};
    friend bool operator==(const WindowDecl&, const WindowDecl&) = default;
};
// What follows `window NAME =`: "not during mon-sun 21:00-08:00 closed on 12-24", and its
// reader (nullopt, with `why`, for text that is not one).
std::string window_body_text(const WindowDecl& w);
std::optional<WindowDecl> parse_window_body(std::string_view text, std::string& why);

struct MonthDay {
    int month = 1;
    int day = 1;
    friend bool operator==(const MonthDay&, const MonthDay&) = default;
};

struct SeasonDecl { // season winter_tyres = 10-01..11-08   (inclusive, every year)
    std::string name;
    MonthDay first;
    MonthDay last;
    NodeLoc loc;
    friend bool operator==(const SeasonDecl&, const SeasonDecl&) = default;
};
std::string to_text(const SeasonDecl& s); // "10-01..11-08"

// How a reply must contain a keyword set's words (all compared as normalised tokens).
enum class KeywordMatch {
    any,     // keywords yes = "ja", "ok"                 one of them occurs as whole words
    all,     // keywords order = all of "pizza", "today"  every one of them occurs
    start,   // keywords stop = starting with "stop"      the reply begins with one of them
    exact,   // keywords yes = exactly "yes", "yes please" the whole reply is one of them
    number,  // keywords promoter = number 9 to 10   the reply holds one number, within the range
    pattern, // keywords order_no = pattern """#(\d{5})"""  RE2 finds the pattern in the reply
    yes,     // keywords agree = yes      the reply says yes in the flow's language (and not no)
    no,      // keywords refuse = no      the reply says no in the flow's language (and not yes)
    date,    // keywords new_day = date   the reply holds a date (14/5, 14. maj, 2026-05-14, fredag)
    time,    // keywords new_time = time  the reply holds a time of day (14:30, kl. 14, 2 pm)
};
// "any" "all" "start" "exact" "number" "pattern" "yes" "no" "date" "time" (the YAML spelling)
std::string_view to_string(KeywordMatch m);
std::optional<KeywordMatch> parse_keyword_match(std::string_view name);

struct KeywordsDecl { // keywords yes = "ja", "ok"      keywords no = "nej", "hayır" ignoring
                      // accents
    std::string name;
    std::vector<std::string> words;
    NodeLoc loc;
    // After loc, so that {name, words, loc} still builds the plain set it always did.
    KeywordMatch match = KeywordMatch::any;
    bool ignore_accents = false; // "cafe" matches "café", "HAYIR" matches "hayır"
    // KeywordMatch::number only (words stay empty): the inclusive range the reply's number must
    // fall in; nullopt takes any number. `number 9 to 10` is {9, 10}.
    struct Range {
        double min = 0;
        double max = 0;
        friend bool operator==(const Range&, const Range&) = default;
    };
    std::optional<Range> range{};
    // KeywordMatch::pattern only (words stay empty): the RE2 regular expression, and where it
    // was written (so that `nudge check` can point at a pattern RE2 refuses).
    std::string pattern{};
    NodeLoc pattern_loc{};
    friend bool operator==(const KeywordsDecl&, const KeywordsDecl&) = default;
};
std::string to_text(const KeywordsDecl::Range& r); // "9 to 10", "-5 to 2.5"

struct ListDecl { // list suppliers = "+4522334455", "+4588776655"
    std::string name;
    std::vector<std::string> items;
    NodeLoc loc;
    friend bool operator==(const ListDecl&, const ListDecl&) = default;
};

// template confirm sms "Hi {first_name}, reply JA."
// template invite email subject "Time for service" """…"""
// One name may have one variant per channel kind; a variant without a kind serves any channel.
struct TemplateDecl {
    std::string name;
    std::optional<ChannelKind> kind;
    std::optional<std::string> subject;
    std::string text;
    NodeLoc loc;
    // Where the text's (and the subject's) first byte is in the source, when each byte of it is
    // the source's byte at the same place (one line, no escapes), so that a merge field in it
    // can be pointed at; line 0 otherwise.
    NodeLoc text_loc{};
    NodeLoc subject_loc{};
    friend bool operator==(const TemplateDecl&, const TemplateDecl&) = default;
};

// numbers DK | nordic | all | [DK, SE]
struct NumberPolicy {
    enum class Kind { all, nordic, regions };
    Kind kind = Kind::all;
    std::vector<std::string> regions; // ISO 3166 alpha-2, upper case, when kind == regions
    NodeLoc loc;
    // `numbers …, every kind`: premium-rate, toll-free, shared-cost and other service numbers
    // too; without it only personal numbers (mobile, landline, VoIP, personal) are messaged.
    bool every_kind = false;
    friend bool operator==(const NumberPolicy&, const NumberPolicy&) = default;
};

struct CapDecl { // cap sms 3 per 24h
    std::string channel;
    int count = 0;
    Duration per;
    NodeLoc loc;
    friend bool operator==(const CapDecl&, const CapDecl&) = default;
};

// cap sms 3 segments: no message on the channel may take more SMS parts (GSM-7: 160
// characters in one, 153 a part; UCS-2: 70, 67). `nudge check` warns of a message that can be
// longer (2 parts when a flow sets no cap), and the engine fails a send that is.
struct SegmentCapDecl {
    std::string channel;
    int count = 0;
    NodeLoc loc;
    friend bool operator==(const SegmentCapDecl&, const SegmentCapDecl&) = default;
};

struct ClassifierRule { // service: "service", "olieskift"
    std::string label;
    std::vector<std::string> keywords;
    NodeLoc loc;
    friend bool operator==(const ClassifierRule&, const ClassifierRule&) = default;
};

// classify visit_kind from invoice_text, notes { service: "service"; inspection: "syn" }
// Declares the text field `name`, set from the first rule whose keyword occurs in the sources.
struct ClassifierDecl {
    std::string name;
    std::vector<std::string> sources;
    std::vector<ClassifierRule> rules;
    NodeLoc loc;
    friend bool operator==(const ClassifierDecl&, const ClassifierDecl&) = default;
};

// settings active_hours, blocked, numbers, cooldown, missed, sms, restaurant
// What a business running the flow may set. Each name is a declaration of the flow, whose value
// as written is the default: a window, a list, a template (its text and subject), a channel (on
// or off, and its sender), a field (its default value), or `numbers` (the number policy) or
// `cooldown` (the cooldown of every trigger that has one). <nudge/settings.hpp> applies a
// business's values.
struct SettingDecl {
    std::string name;
    NodeLoc loc;
    friend bool operator==(const SettingDecl&, const SettingDecl&) = default;
};

// ---------------------------------------------------------------------------------------------
// Triggers, states and their statements

struct TriggerDecl { // trigger sale.saved as phone { delay 30s … start sale }
    std::string event;
    std::string key; // the instance key field
    std::optional<Duration> delay;
    std::optional<std::string> only_during; // window name
    std::optional<Duration> cooldown;
    std::optional<Expr> unless;
    std::string start; // state name
    NodeLoc loc;
    // `cooldown 30d per phone`: the cooldown counts per value of this field (any instance of
    // the flow started for the same phone), not per instance key; "" for the key.
    std::string cooldown_per{};
    friend bool operator==(const TriggerDecl&, const TriggerDecl&) = default;
};

// Where a transition goes: a state, `restart` (start over with the new payload) or `inbox`
// (reply routes only: leave the reply for manual handling, stay in the state).
struct Target {
    enum class Kind { state, restart, inbox };
    Kind kind = Kind::state;
    std::string state;
    NodeLoc loc;
    friend bool operator==(const Target&, const Target&) = default;
};
std::string to_text(const Target& t);

// Entry actions, run in order when a state is entered (and by `every`).
struct Action {
    enum class Kind {
        send, // send sms confirm fallback email within daytime   | send sms "inline text"
        run,  // do "order.parse"
        emit, // emit slot.freed
        set,  // set attempts = attempts + 1
    };
    Kind kind = Kind::send;
    std::string channel;                    // send
    std::string template_name;              // send, when not inline
    std::optional<std::string> inline_text; // send "…"
    NodeLoc text_loc;                       // of inline_text, as TemplateDecl::text_loc
    std::vector<std::string> fallback; // send: channels tried in order when a recipient is empty
    std::optional<std::string> within; // send: window name
    std::string name;                  // do: host action; emit: event; set: field
    std::optional<Expr> value;         // set
    NodeLoc loc;
    friend bool operator==(const Action&, const Action&) = default;
};

// every 30s max 10 within open_hours while estimated_wait >= 1m { send voice offer }
struct Repeat {
    Duration interval;
    std::optional<int> max;
    std::optional<std::string> within;
    std::optional<Expr> while_cond;
    std::vector<Action> actions;
    NodeLoc loc;
    friend bool operator==(const Repeat&, const Repeat&) = default;
};

// Ways out of a waiting state.
struct Handler {
    enum class Kind {
        reply,  // on reply yes [as FIELD] [if cond] -> S  (keywords: a set name, "other" or "any")
        event,  // on booking.confirmed [if cond] -> S
        after,  // after 3d [within W] -> S
        at,     // at visit_at - 10d [within W] -> S
        season, // at season winter_tyres [spread evenly | spread by FIELD] [within W] -> S
    };
    enum class Spread { none, evenly, by_field };
    Kind kind = Kind::reply;
    std::string keywords;              // reply
    std::string capture;               // reply: the field `as FIELD` keeps the reply in; "" none
    NodeLoc capture_loc;               // reply: where that field's name was written
    std::string event;                 // event
    std::optional<Expr> condition;     // reply, event
    Duration delay;                    // after
    std::optional<Expr> at;            // at
    std::string season;                // season
    Spread spread = Spread::none;      // season
    std::string spread_field;          // season, Spread::by_field
    std::optional<std::string> within; // after, at, season
    Target target;
    NodeLoc loc;
    friend bool operator==(const Handler&, const Handler&) = default;
};

// remind after 2h [within W] [via CHANNEL] [prefix "Reminder: "] [times N]
// Re-sends the state's last outbound message, counted from the last outbound message.
// The prefix a reminder gets when none is given. Both front ends store a prefix equal to it as
// "not given", so that a flow means the same whether or not the default was spelled out.
inline constexpr std::string_view default_reminder_prefix = "Reminder: ";

struct Reminder {
    Duration after;
    std::optional<std::string> within;
    std::optional<std::string> via;
    std::optional<std::string> prefix; // nullopt: default_reminder_prefix
    int times = 1;
    NodeLoc loc;
    // `from first`: DURATION counts from the message's first sending, not from the last
    // outbound message (the previous reminder).
    bool from_first = false;
    friend bool operator==(const Reminder&, const Reminder&) = default;
};

// if cond -> S   /   else -> S   (evaluated in order right after the entry actions)
struct Choice {
    std::optional<Expr> condition; // nullopt: else
    Target target;
    NodeLoc loc;
    friend bool operator==(const Choice&, const Choice&) = default;
};

struct Outcome { // outcome converted value order_total
    std::string label;
    std::optional<Expr> value;
    NodeLoc loc;
    friend bool operator==(const Outcome&, const Outcome&) = default;
};

struct StateDecl {
    std::string name;
    bool is_final = false;
    std::vector<Action> actions;
    std::vector<Repeat> repeats;
    std::vector<Choice> choices;
    std::vector<Handler> handlers; // in declaration order: first matching route wins
    std::vector<Reminder> reminders;
    std::optional<Outcome> outcome; // finals only
    bool has_body = false;          // `final x { }` vs `final x` (kept for faithful printing)
    NodeLoc loc;
    friend bool operator==(const StateDecl&, const StateDecl&) = default;
};

// ---------------------------------------------------------------------------------------------

struct Comment {
    SourcePos pos;        // where the '#' is
    std::string text;     // without the leading '#', trailing spaces trimmed
    bool own_line = true; // false: it follows code on the same line
};

// What a flow was read from. Ignored by IR equality.
struct SourceInfo {
    std::string file;
    std::vector<Comment> comments;
    friend bool operator==(const SourceInfo&, const SourceInfo&) { return true; }
};

struct FlowDef {
    std::string name;
    int version = 1;
    std::optional<std::string> timezone; // IANA name; default UTC when absent
    NodeLoc timezone_loc;                // the zone's name where it was written
    std::vector<FieldDecl> fields;
    std::vector<FactDecl> facts;
    std::vector<ChannelDecl> channels;
    std::vector<WindowDecl> windows;
    std::vector<SeasonDecl> seasons;
    std::vector<KeywordsDecl> keywords;
    std::vector<ListDecl> lists;
    std::optional<NumberPolicy> numbers;
    std::vector<std::string> opt_out;
    NodeLoc opt_out_loc;
    std::vector<CapDecl> caps;
    std::vector<TemplateDecl> templates;
    std::vector<ClassifierDecl> classifiers;
    std::vector<TriggerDecl> triggers;
    std::vector<StateDecl> states;
    std::vector<Handler> from_any;
    NodeLoc from_any_loc;
    NodeLoc loc; // the `flow` line
    SourceInfo source;
    std::vector<SettingDecl> settings{};
    // `flow missed_call for roma`: the flow with one business's settings applied (made by
    // nudge::apply_settings). Then `name` is "missed_call@roma", so that each business's
    // instances, versions, reports and metrics are a flow of their own to the engine and the
    // store; base_name() gives "missed_call". Empty for a flow that serves no one business.
    std::string business{};
    // `locale "da_DK"`: the language and country that money, numbers and dates in messages are
    // written in. Declared, every merge field of those types follows it; undeclared, only those
    // given a format (`{total | money}`) do, in the locale of the flow's zone.
    std::optional<std::string> locale{};
    NodeLoc locale_loc{};
    std::vector<SegmentCapDecl> segment_caps{};
    friend bool operator==(const FlowDef&, const FlowDef&) = default;
};

// The flow's name without its business: "missed_call" for "missed_call@roma".
inline std::string_view base_name(const FlowDef& flow) {
    std::string_view n = flow.name;
    if (!flow.business.empty() && n.size() > flow.business.size() + 1 &&
        n.substr(n.size() - flow.business.size() - 1) == "@" + flow.business)
        n.remove_suffix(flow.business.size() + 1);
    return n;
}

} // namespace nudge

#pragma GCC visibility pop
