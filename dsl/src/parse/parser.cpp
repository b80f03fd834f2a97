// The .flow text front end: the only translation unit that includes PEGTL. The grammar is in
// grammar.hpp; here are the actions (each one builder call), the error-message table (one entry
// per place the parser can give up) and the checks that run before parsing (encoding, size).
#include "parse/parser.hpp"
#include "model/utf8.hpp"
#include "parse/builder.hpp"
#include "parse/fragments.hpp"
#include "parse/grammar.hpp"

#include <nudge/dsl.hpp>

#include <tao/pegtl/contrib/analyze.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <type_traits>

namespace nudge {
namespace detail {

namespace {

namespace pegtl = tao::pegtl;
namespace g = grammar;

// A reason to stop parsing, with the raw (unmapped) position where it happened.
struct SyntaxStop {
    std::string code;
    std::string message;
    std::size_t byte = 0;
    std::size_t line = 1;
    std::size_t column = 1;
    bool describe_seen = true;     // skip white space to the next token
    bool append_seen = true;       // and append ", found …"
    bool find_triple_open = false; // report at the """ that was never closed
    std::uint32_t length = 0;      // 0: the length of the token seen
};

struct ParseState {
    ParseState(FlowBuilder& builder, std::string_view text, SourcePos start = {1, 1})
        : b(builder), source(text), origin(start) {}
    FlowBuilder& b;
    std::string_view source;
    SourcePos origin;
    int depth = 0;
    std::size_t comments_done = 0; // comments before this byte are recorded already
    bool keep_comments = true;
    SourcePos handler_begin;

    SourcePos pos(std::size_t line, std::size_t column) const {
        SourcePos p;
        p.line = static_cast<std::uint32_t>(origin.line + line - 1);
        p.column = static_cast<std::uint32_t>(line == 1 ? origin.column + column - 1 : column);
        return p;
    }
    template <typename It> SourcePos pos(const It& it) const { return pos(it.line, it.column); }
    template <typename In> Loc loc(const In& in) const {
        return {pos(in.iterator()), pos(in.input().iterator())};
    }
};

// Where a string literal's text starts, when each byte of the text is the source's byte at the
// same place (no escapes, one line): merge fields in it can then be pointed at exactly.
template <typename In> Loc text_loc(const In& in, const ParseState& st, std::string_view text) {
    auto raw = in.string_view();
    std::size_t open = raw.substr(0, 3) == "\"\"\"" ? 3 : 1;
    if (raw.size() < 2 * open) return {};
    auto body = raw.substr(open, raw.size() - 2 * open);
    if (body != text || body.find('\n') != std::string_view::npos) return {};
    Loc at = st.loc(in);
    at.begin.column += static_cast<std::uint32_t>(open);
    at.end = at.begin;
    at.end.column += static_cast<std::uint32_t>(body.size());
    return at;
}

template <typename In>
[[noreturn]] void stop_here(const In& in, std::string code, std::string message,
                            std::uint32_t length) {
    const auto& it = in.iterator();
    SyntaxStop stop{std::move(code), std::move(message), it.byte, it.line, it.column};
    stop.describe_seen = false;
    stop.append_seen = false;
    stop.length = length;
    throw stop;
}

// ---------------------------------------------------------------------------------------------
// Lexical helpers

std::string unquote(std::string_view text) {
    if (text.size() >= 6 && text.substr(0, 3) == "\"\"\"") {
        auto body = text.substr(3, text.size() - 6);
        if (body.substr(0, 2) == "\r\n") {
            body.remove_prefix(2);
        } else if (!body.empty() && body.front() == '\n') {
            body.remove_prefix(1);
        }
        return std::string(body);
    }
    std::string out;
    if (text.size() < 2) return out;
    auto body = text.substr(1, text.size() - 2);
    out.reserve(body.size());
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '\\' && i + 1 < body.size()) {
            char c = body[++i];
            out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            out += body[i];
        }
    }
    return out;
}

template <typename In> int count_of(const In& in) {
    auto text = in.string_view();
    int value = 0;
    if (text.size() > 9)
        stop_here(in, "syntax", "the number " + std::string(text) + " is too large",
                  static_cast<std::uint32_t>(text.size()));
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

template <typename In> Duration duration_of(const In& in) {
    auto d = parse_duration(in.string_view());
    if (!d) {
        stop_here(in, "syntax", "the duration " + in.string() + " is too large",
                  static_cast<std::uint32_t>(in.size()));
    }
    return *d;
}

// A number range's bound: an optional minus, digits, an optional fraction (from_chars takes
// the minus; a '+' never gets here).
double bound_of(std::string_view text) {
    double value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// ---------------------------------------------------------------------------------------------
// Actions: each one hands what it matched to the builder.

template <typename Rule> struct action : pegtl::nothing<Rule> {};

#define NUDGE_ACTION(rule)                                                                         \
    template <> struct action<g::rule> {                                                           \
        template <typename In>                                                                     \
        static void apply([[maybe_unused]] const In& in, [[maybe_unused]] ParseState& st)

NUDGE_ACTION(comment) {
    auto it = in.iterator();
    if (!st.keep_comments || it.byte < st.comments_done) return;
    st.comments_done = it.byte + in.size();
    Comment c;
    c.pos = st.pos(it);
    auto text = in.string_view().substr(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    c.text = std::string(text);
    // Only white space between the start of the line and the '#'?
    std::size_t p = it.byte;
    c.own_line = true;
    while (p > 0 && st.source[p - 1] != '\n') {
        --p;
        if (st.source[p] != ' ' && st.source[p] != '\t') {
            c.own_line = false;
            break;
        }
    }
    st.b.flow().source.comments.push_back(std::move(c));
}
};

// --- expressions ---------------------------------------------------------------------------

template <typename In> void check_height(bool ok, const In& in) {
    if (!ok) {
        stop_here(in, "too-deep",
                  "this expression is nested too deeply (more than " +
                      std::to_string(max_expr_height) + " levels)",
                  1);
    }
}

template <typename In> Expr literal(const In& in, const ParseState& st, ExprKind kind) {
    Expr e;
    e.kind = kind;
    e.loc = st.loc(in);
    return e;
}

NUDGE_ACTION(e_duration) {
    auto e = literal(in, st, ExprKind::duration);
    e.duration = duration_of(in);
    st.b.push(std::move(e));
}
};
NUDGE_ACTION(e_number) {
    auto e = literal(in, st, ExprKind::number);
    auto text = in.string_view();
    std::from_chars(text.data(), text.data() + text.size(), e.number);
    st.b.push(std::move(e));
}
};
NUDGE_ACTION(e_string) {
    auto e = literal(in, st, ExprKind::string);
    e.text = unquote(in.string_view());
    st.b.push(std::move(e));
}
}
;
NUDGE_ACTION(e_true) {
    auto e = literal(in, st, ExprKind::boolean);
    e.boolean = true;
    st.b.push(std::move(e));
}
}
;
NUDGE_ACTION(e_false) { st.b.push(literal(in, st, ExprKind::boolean)); }
}
;
NUDGE_ACTION(e_none) { st.b.push(literal(in, st, ExprKind::none)); }
}
;
NUDGE_ACTION(e_field) {
    auto e = literal(in, st, ExprKind::field);
    e.text = in.string();
    st.b.push(std::move(e));
}
}
;
NUDGE_ACTION(call_open) { st.b.begin_call(); }
}
;
NUDGE_ACTION(e_call) { check_height(st.b.end_call(st.pos(in.input().iterator())), in); }
}
;
NUDGE_ACTION(list_open) { st.b.begin_list(st.pos(in.iterator())); }
}
;
NUDGE_ACTION(e_list) { check_height(st.b.end_list(st.pos(in.input().iterator())), in); }
}
;
NUDGE_ACTION(member_name) {
    check_height(st.b.member(in.string(), st.pos(in.input().iterator())), in);
}
}
;
NUDGE_ACTION(negation) { check_height(st.b.unary("-", st.pos(in.iterator())), in); }
}
;
NUDGE_ACTION(logical_not) { check_height(st.b.unary("not", st.pos(in.iterator())), in); }
}
;
NUDGE_ACTION(add_op) { st.b.push_operator(in.string()); }
}
;
NUDGE_ACTION(add_tail) { check_height(st.b.binary(), in); }
}
;
NUDGE_ACTION(coalesce_tail) { check_height(st.b.binary("??"), in); }
}
;
NUDGE_ACTION(cmp_op) { st.b.push_operator(in.string()); }
}
;
NUDGE_ACTION(cmp_tail) { check_height(st.b.binary(), in); }
}
;
NUDGE_ACTION(and_tail) { check_height(st.b.binary("and"), in); }
}
;
NUDGE_ACTION(or_tail) { check_height(st.b.binary("or"), in); }
}
;

// --- header and declarations -----------------------------------------------------------------

NUDGE_ACTION(flow_name) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(header) { st.b.flow_header(st.b.take_name(), st.loc(in)); }
}
;
NUDGE_ACTION(business_name) { st.b.flow_business(in.string()); }
}
;
NUDGE_ACTION(setting_name) { st.b.add_setting(in.string(), st.loc(in)); }
}
;
NUDGE_ACTION(field_default) { st.b.field_default(unquote(in.string_view())); }
}
;
NUDGE_ACTION(channel_off) { st.b.channel_off(); }
}
;
NUDGE_ACTION(version_number) { st.b.flow_version(count_of(in)); }
}
;
NUDGE_ACTION(timezone_string) { st.b.flow_timezone(unquote(in.string_view()), st.loc(in)); }
}
;
NUDGE_ACTION(locale_string) { st.b.flow_locale(unquote(in.string_view()), st.loc(in)); }
}
;
NUDGE_ACTION(decl_name) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(type_name) { st.b.field_type(in.string_view(), st.loc(in)); }
}
;
NUDGE_ACTION(optional_mark) { st.b.set_flag(); }
}
;
NUDGE_ACTION(field_decl) { st.b.end_field(st.loc(in)); }
}
;
NUDGE_ACTION(fact_decl) { st.b.end_fact(st.loc(in)); }
}
;
NUDGE_ACTION(channel_name) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(kind_name) { st.b.channel_kind(in.string_view()); }
}
;
NUDGE_ACTION(to_literal) { st.b.channel_to(unquote(in.string_view()), true); }
}
;
NUDGE_ACTION(to_field) { st.b.channel_to(in.string(), false); }
}
;
NUDGE_ACTION(sender) {
    st.b.set_text(unquote(in.string_view()));
    st.b.set_flag();
}
}
;
NUDGE_ACTION(channel_decl) { st.b.end_channel(st.loc(in)); }
}
;

NUDGE_ACTION(day_range) {
    auto text = in.string_view();
    auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        st.b.slot_days(text, std::nullopt);
    } else {
        st.b.slot_days(text.substr(0, dash), text.substr(dash + 1));
    }
}
}
;

template <typename In> int clock_minutes(const In& in, bool closing) {
    auto t = in.string_view();
    int h = (t[0] - '0') * 10 + (t[1] - '0');
    int m = (t[3] - '0') * 10 + (t[4] - '0');
    if (closing && h == 24 && m == 0) return 24 * 60;
    if (h > 23 || m > 59) {
        stop_here(in, "syntax",
                  "invalid clock time '" + std::string(t) +
                      "': hours run from 00 to 23 and minutes from 00 to 59" +
                      (closing ? " (24:00 closes at midnight)" : ""),
                  5);
    }
    return h * 60 + m;
}

NUDGE_ACTION(open_clock) {
    if (in.string_view() == "24:00") {
        stop_here(in, "syntax",
                  "24:00 is only a closing time; a window opening at midnight "
                  "starts at 00:00",
                  5);
    }
    st.b.slot_open(clock_minutes(in, false));
}
}
;
NUDGE_ACTION(close_clock) { st.b.slot_close(clock_minutes(in, true)); }
}
;
NUDGE_ACTION(first_slot) { st.b.end_slot(st.loc(in)); }
}
;
NUDGE_ACTION(next_slot) { st.b.end_slot(st.loc(in)); }
}
;
NUDGE_ACTION(not_during) { st.b.window_not_during(); }
}
;
NUDGE_ACTION(first_closed) { st.b.window_closed(in.string_view(), st.loc(in)); }
}
;
NUDGE_ACTION(next_closed) { st.b.window_closed(in.string_view(), st.loc(in)); }
}
;
NUDGE_ACTION(window_decl) { st.b.end_window(st.loc(in)); }
}
;

template <typename In> MonthDay month_day(const In& in) {
    auto t = in.string_view();
    MonthDay md{(t[0] - '0') * 10 + (t[1] - '0'), (t[3] - '0') * 10 + (t[4] - '0')};
    static constexpr int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (md.month < 1 || md.month > 12 || md.day < 1 || md.day > days[md.month - 1]) {
        stop_here(in, "syntax",
                  "invalid month-day '" + std::string(t) +
                      "': expected MM-DD with a month 01-12 and a day that month has",
                  5);
    }
    return md;
}

NUDGE_ACTION(season_first) { st.b.season_day(month_day(in), true); }
}
;
NUDGE_ACTION(season_last) { st.b.season_day(month_day(in), false); }
}
;
NUDGE_ACTION(season_decl) { st.b.end_season(st.loc(in)); }
}
;
NUDGE_ACTION(first_str) { st.b.add_string(unquote(in.string_view())); }
}
;
NUDGE_ACTION(next_str) { st.b.add_string(unquote(in.string_view())); }
}
;
NUDGE_ACTION(match_all) { st.b.keyword_match(KeywordMatch::all); }
}
;
NUDGE_ACTION(match_start) { st.b.keyword_match(KeywordMatch::start); }
}
;
NUDGE_ACTION(match_exact) { st.b.keyword_match(KeywordMatch::exact); }
}
;
NUDGE_ACTION(ignoring_accents) { st.b.keyword_ignore_accents(); }
}
;
NUDGE_ACTION(number_test) { st.b.keyword_match(KeywordMatch::number); }
}
;
NUDGE_ACTION(yes_test) { st.b.keyword_match(KeywordMatch::yes); }
}
;
NUDGE_ACTION(no_test) { st.b.keyword_match(KeywordMatch::no); }
}
;
NUDGE_ACTION(date_test) { st.b.keyword_match(KeywordMatch::date); }
}
;
NUDGE_ACTION(time_test) { st.b.keyword_match(KeywordMatch::time); }
}
;
NUDGE_ACTION(pattern_str) { st.b.keyword_pattern(unquote(in.string_view()), st.loc(in)); }
}
;
NUDGE_ACTION(range_min) { st.b.keyword_range(bound_of(in.string_view()), true); }
}
;
NUDGE_ACTION(range_max) { st.b.keyword_range(bound_of(in.string_view()), false); }
}
;
NUDGE_ACTION(keywords_decl) { st.b.end_keywords(st.loc(in)); }
}
;
NUDGE_ACTION(list_decl) { st.b.end_list_decl(st.loc(in)); }
}
;
NUDGE_ACTION(opt_out_decl) { st.b.end_opt_out(st.loc(in)); }
}
;
NUDGE_ACTION(numbers_all) { st.b.numbers_kind(NumberPolicy::Kind::all); }
}
;
NUDGE_ACTION(numbers_nordic) { st.b.numbers_kind(NumberPolicy::Kind::nordic); }
}
;
NUDGE_ACTION(region_item) {
    st.b.numbers_kind(NumberPolicy::Kind::regions);
    st.b.add_name(in.string());
}
}
;
NUDGE_ACTION(numbers_every_kind) { st.b.numbers_every_kind(); }
}
;
NUDGE_ACTION(numbers_decl) { st.b.end_numbers(st.loc(in)); }
}
;
NUDGE_ACTION(cap_channel) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(cap_count) { st.b.set_count(count_of(in)); }
}
;
NUDGE_ACTION(cap_period) { st.b.set_duration(duration_of(in)); }
}
;
NUDGE_ACTION(cap_segments) { st.b.set_flag(); }
}
;
NUDGE_ACTION(cap_decl) { st.b.end_cap(st.loc(in)); }
}
;
NUDGE_ACTION(template_kind) { st.b.template_kind(in.string_view()); }
}
;
NUDGE_ACTION(subject_text) {
    auto text = unquote(in.string_view());
    auto at = text_loc(in, st, text);
    st.b.template_subject(std::move(text), at);
}
}
;
NUDGE_ACTION(template_text) {
    auto text = unquote(in.string_view());
    auto at = text_loc(in, st, text);
    st.b.set_text(std::move(text), at);
}
}
;
NUDGE_ACTION(template_decl) { st.b.end_template(st.loc(in)); }
}
;
NUDGE_ACTION(classifier_name) { st.b.begin_classifier(in.string()); }
}
;
NUDGE_ACTION(source_field) { st.b.classifier_source(in.string()); }
}
;
NUDGE_ACTION(rule_label) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(classifier_rule) { st.b.end_classifier_rule(st.loc(in)); }
}
;
NUDGE_ACTION(classify_decl) { st.b.end_classifier(st.loc(in)); }
}
;

// --- triggers ------------------------------------------------------------------------------

NUDGE_ACTION(trigger_kw) { st.b.begin_trigger(); }
}
;
NUDGE_ACTION(trigger_event) { st.b.trigger_event(in.string()); }
}
;
NUDGE_ACTION(trigger_key) { st.b.trigger_key(in.string()); }
}
;
NUDGE_ACTION(duration_lit) { st.b.set_duration(duration_of(in)); }
}
;
NUDGE_ACTION(delay_stmt) { st.b.trigger_delay(st.loc(in)); }
}
;
NUDGE_ACTION(only_window) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(only_stmt) { st.b.trigger_only_during(st.b.take_name(), st.loc(in)); }
}
;
NUDGE_ACTION(cooldown_field) { st.b.set_second_name(in.string()); }
}
;
NUDGE_ACTION(cooldown_stmt) { st.b.trigger_cooldown(st.loc(in)); }
}
;
NUDGE_ACTION(unless_stmt) { st.b.trigger_unless(st.loc(in)); }
}
;
NUDGE_ACTION(start_state) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(start_stmt) { st.b.trigger_start(st.b.take_name(), st.loc(in)); }
}
;
NUDGE_ACTION(trigger_decl) { st.b.end_trigger(st.loc(in)); }
}
;

// --- states, actions, handlers -------------------------------------------------------------

template <typename In> Target target_of(const In& in, const ParseState& st, Target::Kind kind) {
    Target t;
    t.kind = kind;
    if (kind == Target::Kind::state) t.state = in.string();
    t.loc = st.loc(in);
    return t;
}

NUDGE_ACTION(target_restart) { st.b.set_target(target_of(in, st, Target::Kind::restart)); }
}
;
NUDGE_ACTION(target_inbox) { st.b.set_target(target_of(in, st, Target::Kind::inbox)); }
}
;
NUDGE_ACTION(target_state) { st.b.set_target(target_of(in, st, Target::Kind::state)); }
}
;
NUDGE_ACTION(window_ref) { st.b.set_within(in.string()); }
}
;
NUDGE_ACTION(send_kw) { st.b.begin_action(Action::Kind::send); }
}
;
NUDGE_ACTION(send_channel) { st.b.action_channel(in.string()); }
}
;
NUDGE_ACTION(send_text) {
    auto text = unquote(in.string_view());
    auto at = text_loc(in, st, text);
    st.b.send_text(std::move(text), at);
}
}
;
NUDGE_ACTION(send_template) { st.b.send_template(in.string()); }
}
;
NUDGE_ACTION(fallback_channel) { st.b.send_fallback(in.string()); }
}
;
NUDGE_ACTION(send_stmt) { st.b.end_action(st.loc(in)); }
}
;
NUDGE_ACTION(do_kw) { st.b.begin_action(Action::Kind::run); }
}
;
NUDGE_ACTION(host_action) { st.b.action_name(unquote(in.string_view())); }
}
;
NUDGE_ACTION(do_stmt) { st.b.end_action(st.loc(in)); }
}
;
NUDGE_ACTION(emit_kw) { st.b.begin_action(Action::Kind::emit); }
}
;
NUDGE_ACTION(emit_event) { st.b.action_name(in.string()); }
}
;
NUDGE_ACTION(emit_stmt) { st.b.end_action(st.loc(in)); }
}
;
NUDGE_ACTION(set_kw) { st.b.begin_action(Action::Kind::set); }
}
;
NUDGE_ACTION(set_field) { st.b.action_name(in.string()); }
}
;
NUDGE_ACTION(set_value) { st.b.action_value(); }
}
;
NUDGE_ACTION(set_stmt) { st.b.end_action(st.loc(in)); }
}
;
NUDGE_ACTION(every_kw) { st.b.begin_repeat(); }
}
;
NUDGE_ACTION(every_interval) { st.b.set_duration(duration_of(in)); }
}
;
NUDGE_ACTION(max_count) {
    st.b.set_count(count_of(in));
    st.b.repeat_max();
}
}
;
NUDGE_ACTION(while_expr) { st.b.repeat_while(); }
}
;
NUDGE_ACTION(every_open) { st.b.repeat_body(); }
}
;
NUDGE_ACTION(every_stmt) { st.b.end_repeat(st.loc(in)); }
}
;
NUDGE_ACTION(condition) { st.b.set_condition(); }
}
;
NUDGE_ACTION(if_choice) { st.b.end_choice(true, st.loc(in)); }
}
;
NUDGE_ACTION(else_choice) { st.b.end_choice(false, st.loc(in)); }
}
;

template <typename In> Loc handler_loc(const In& in, const ParseState& st) {
    return {st.handler_begin, st.pos(in.input().iterator())};
}

template <typename In> void begin_handler(const In& in, ParseState& st) {
    st.b.begin_handler();
    st.handler_begin = st.pos(in.iterator());
}

NUDGE_ACTION(on_kw) { begin_handler(in, st); }
}
;
NUDGE_ACTION(after_kw) { begin_handler(in, st); }
}
;
NUDGE_ACTION(at_kw) { begin_handler(in, st); }
}
;
NUDGE_ACTION(reply_route) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(reply_capture) { st.b.handler_capture(in.string(), st.loc(in)); }
}
;
NUDGE_ACTION(reply_handler) { st.b.end_handler(Handler::Kind::reply, handler_loc(in, st)); }
}
;
NUDGE_ACTION(on_event) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(event_handler) { st.b.end_handler(Handler::Kind::event, handler_loc(in, st)); }
}
;
NUDGE_ACTION(after_delay) { st.b.set_duration(duration_of(in)); }
}
;
NUDGE_ACTION(after_handler) { st.b.end_handler(Handler::Kind::after, handler_loc(in, st)); }
}
;
NUDGE_ACTION(season_ref) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(spread_evenly) { st.b.handler_spread(Handler::Spread::evenly); }
}
;
NUDGE_ACTION(spread_field) { st.b.handler_spread(Handler::Spread::by_field, in.string()); }
}
;
NUDGE_ACTION(season_handler) { st.b.end_handler(Handler::Kind::season, handler_loc(in, st)); }
}
;
NUDGE_ACTION(at_time) { st.b.handler_at(); }
}
;
NUDGE_ACTION(at_expr_handler) { st.b.end_handler(Handler::Kind::at, handler_loc(in, st)); }
}
;
NUDGE_ACTION(remind_kw) { st.b.begin_reminder(); }
}
;
NUDGE_ACTION(remind_delay) {
    st.b.set_duration(duration_of(in));
    st.b.reminder_after();
}
}
;
NUDGE_ACTION(remind_within) { st.b.reminder_option("within", st.loc(in)); }
}
;
NUDGE_ACTION(via_channel) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(remind_via) { st.b.reminder_option("via", st.loc(in)); }
}
;
NUDGE_ACTION(prefix_text) { st.b.set_text(unquote(in.string_view())); }
}
;
NUDGE_ACTION(remind_prefix) { st.b.reminder_option("prefix", st.loc(in)); }
}
;
NUDGE_ACTION(times_count) { st.b.set_count(count_of(in)); }
}
;
NUDGE_ACTION(remind_times) { st.b.reminder_option("times", st.loc(in)); }
}
;
NUDGE_ACTION(remind_from_first) { st.b.reminder_from_first(); }
}
;
NUDGE_ACTION(remind_stmt) { st.b.end_reminder(st.loc(in)); }
}
;
NUDGE_ACTION(outcome_label) { st.b.set_name(in.string()); }
}
;
NUDGE_ACTION(outcome_value) { st.b.set_flag(); }
}
;
NUDGE_ACTION(outcome_stmt) { st.b.end_outcome(st.loc(in)); }
}
;
NUDGE_ACTION(state_kw) { st.b.begin_state(false); }
}
;
NUDGE_ACTION(final_kw) { st.b.begin_state(true); }
}
;
NUDGE_ACTION(state_name) { st.b.state_name(in.string()); }
}
;
NUDGE_ACTION(final_name) { st.b.state_name(in.string()); }
}
;
NUDGE_ACTION(state_open) { st.b.state_body(); }
}
;
NUDGE_ACTION(state_decl) { st.b.end_state(st.loc(in)); }
}
;
NUDGE_ACTION(final_decl) { st.b.end_state(st.loc(in)); }
}
;
NUDGE_ACTION(from_any_kw) { st.b.begin_from_any(); }
}
;
NUDGE_ACTION(from_any_decl) { st.b.end_from_any(st.loc(in)); }
}
;

#undef NUDGE_ACTION

// ---------------------------------------------------------------------------------------------
// Error messages: one per rule that sits under a must<>. `{prev}` is replaced by the token
// before the error (the operator that wants an operand).

template <typename Rule> inline constexpr const char* error_message = nullptr;

#define NUDGE_ERROR(rule, text)                                                                    \
    template <> inline constexpr const char* error_message<g::rule> = text;

NUDGE_ERROR(escape_char, "unknown escape in a string; the escapes are \\\", \\\\, \\n and \\t")
NUDGE_ERROR(quote_close, "unterminated string: a \"...\" string ends on the line it starts "
                         "(use \"\"\"...\"\"\" for text over several lines)")
NUDGE_ERROR(triple_rest, "unterminated string: no closing \"\"\" before the end of the file")
NUDGE_ERROR(event_part, "expected a name after '.' in the event name")
NUDGE_ERROR(window_ref, "expected a window name after 'within'")
NUDGE_ERROR(call_arg, "expected an argument after ','")
NUDGE_ERROR(close_paren, "expected ')'")
NUDGE_ERROR(close_bracket, "expected ']' to close the list")
NUDGE_ERROR(list_item, "expected a list item after ','")
NUDGE_ERROR(paren_inner, "expected an expression after '('")
NUDGE_ERROR(member_name, "expected a member name after '.'")
NUDGE_ERROR(neg_operand, "expected an operand after '-'")
NUDGE_ERROR(add_operand, "expected an operand after '{prev}'")
NUDGE_ERROR(coalesce_operand, "expected an operand after '?\?'")
NUDGE_ERROR(cmp_operand, "expected an operand after '{prev}'")
NUDGE_ERROR(no_chain, "comparisons do not chain: write 'a < b and b < c', or use parentheses")
NUDGE_ERROR(not_operand, "expected an operand after 'not'")
NUDGE_ERROR(and_operand, "expected an operand after 'and'")
NUDGE_ERROR(or_operand, "expected an operand after 'or'")
NUDGE_ERROR(flow_kw, "expected 'flow NAME' at the start of the file")
NUDGE_ERROR(flow_name, "expected the flow's name after 'flow'")
NUDGE_ERROR(version_number, "expected a whole number after 'version'")
NUDGE_ERROR(timezone_string, "expected a time zone name in quotes, such as \"Europe/Oslo\"")
NUDGE_ERROR(locale_string, "expected a locale in quotes, such as \"da_DK\"")
NUDGE_ERROR(decl_name, "expected a name")
NUDGE_ERROR(cooldown_field, "expected the field the cooldown counts per after 'per'")
NUDGE_ERROR(business_name, "expected the business's name after 'for'")
NUDGE_ERROR(setting_name, "expected the name of a declaration a business may set")
NUDGE_ERROR(field_default, "expected the field's default value in quotes after '='")
NUDGE_ERROR(colon, "expected ':'")
NUDGE_ERROR(type_name, "expected a type (text, number, money, bool, phone, email, date, "
                       "datetime, duration or zone)")
NUDGE_ERROR(kind_name, "expected a channel kind (sms, email, letter, voice or webhook)")
NUDGE_ERROR(to_kw, "expected 'to' and the recipient after the channel kind")
NUDGE_ERROR(channel_to, "expected the recipient: a field name or an address in quotes")
NUDGE_ERROR(sender, "expected the sender in quotes after 'from'")
NUDGE_ERROR(last_day, "expected a day (mon, tue, wed, thu, fri, sat or sun) after '-'")
NUDGE_ERROR(open_clock, "expected an opening time such as 09:00")
NUDGE_ERROR(clock_dash, "expected '-' between the opening and closing times")
NUDGE_ERROR(close_clock, "expected a closing time such as 17:00")
NUDGE_ERROR(equals, "expected '='")
NUDGE_ERROR(first_slot, "expected opening hours such as mon-fri 09:00-17:00")
NUDGE_ERROR(next_slot, "expected opening hours such as sat 10:00-14:00 after ','")
NUDGE_ERROR(not_during_kw, "expected 'during' after 'not', as in 'not during mon-sun 21:00-08:00'")
NUDGE_ERROR(closed_on_kw, "expected 'on' after 'closed', as in 'closed on 12-24, 12-25'")
NUDGE_ERROR(first_closed,
            "expected a closed day as MM-DD (every year, such as 12-24) or YYYY-MM-DD (once)")
NUDGE_ERROR(next_closed, "expected another closed day (MM-DD or YYYY-MM-DD) after ','")
NUDGE_ERROR(season_first, "expected the first day of the season as MM-DD, such as 10-01")
NUDGE_ERROR(season_dots, "expected '..' between the first and last day of the season")
NUDGE_ERROR(season_last, "expected the last day of the season as MM-DD, such as 11-08")
NUDGE_ERROR(first_str, "expected a string in quotes")
NUDGE_ERROR(of_kw, "expected 'of' after 'all', as in 'all of \"pizza\", \"today\"'")
NUDGE_ERROR(with_kw, "expected 'with' after 'starting', as in 'starting with \"stop\"'")
NUDGE_ERROR(accents_kw, "expected 'accents' after 'ignoring'")
NUDGE_ERROR(pattern_str, "expected the pattern as a string after 'pattern', as in "
                         "'pattern \"\"\"#(\\d{5})\"\"\"'")
NUDGE_ERROR(range_to, "expected 'to' between the bounds of a number range, as in 'number 9 to 10'")
NUDGE_ERROR(range_max, "expected the upper bound of the number range, such as 10 or 9.5")
NUDGE_ERROR(reply_capture, "expected the name of a field after 'as', as in 'on reply score as "
                           "rating -> thanks'")
NUDGE_ERROR(next_str, "expected a string in quotes after ','")
NUDGE_ERROR(region_item, "expected a region code of two capital letters, such as DK")
NUDGE_ERROR(numbers_every_kind, "expected 'every kind' after the comma of 'numbers'");
NUDGE_ERROR(number_policy, "expected 'all', 'nordic', a region code such as DK or a list such "
                           "as [DK, SE]")
NUDGE_ERROR(cap_channel, "expected a channel name after 'cap'")
NUDGE_ERROR(cap_count, "expected how many messages, a whole number")
NUDGE_ERROR(cap_period, "expected a duration such as 24h or 7d after 'per'")
NUDGE_ERROR(cap_unit,
            "expected 'per' and a duration (cap sms 3 per 24h) or 'segments' (cap sms 2 segments)")
NUDGE_ERROR(subject_text, "expected the subject in quotes after 'subject'")
NUDGE_ERROR(template_text, "expected the template's text in quotes")
NUDGE_ERROR(classifier_name, "expected the classifier's name after 'classify'")
NUDGE_ERROR(from_kw, "expected 'from' and the fields to classify")
NUDGE_ERROR(source_field, "expected a field name")
NUDGE_ERROR(classifier_open, "expected '{' to open the classifier's rules")
NUDGE_ERROR(classifier_close, "expected ';' before the next rule, or '}' to close the "
                              "classifier")
NUDGE_ERROR(trigger_event, "expected an event name such as sale.saved after 'trigger'")
NUDGE_ERROR(as_kw, "expected 'as' and the key field after the trigger's event")
NUDGE_ERROR(trigger_key, "expected the key field after 'as'")
NUDGE_ERROR(trigger_open, "expected '{' to open the trigger")
NUDGE_ERROR(duration_lit, "expected a duration such as 30s, 2h or 3d")
NUDGE_ERROR(during_kw, "expected 'during' after 'only'")
NUDGE_ERROR(only_window, "expected a window name after 'only during'")
NUDGE_ERROR(unless_expr, "expected a condition after 'unless'")
NUDGE_ERROR(start_state, "expected a state name after 'start'")
NUDGE_ERROR(trigger_close, "expected a trigger statement (delay, only during, cooldown, unless, "
                           "start) or '}'")
NUDGE_ERROR(target, "expected a state or final name")
NUDGE_ERROR(send_channel, "expected a channel name after 'send'")
NUDGE_ERROR(send_what, "expected a template name or a text in quotes")
NUDGE_ERROR(fallback_channel, "expected a channel name")
NUDGE_ERROR(host_action, "expected the host action in quotes after 'do', such as "
                         "\"order.parse\"")
NUDGE_ERROR(emit_event, "expected an event name after 'emit'")
NUDGE_ERROR(set_field, "expected a field name after 'set'")
NUDGE_ERROR(set_value, "expected an expression after '='")
NUDGE_ERROR(every_interval, "expected a duration such as 30s after 'every'")
NUDGE_ERROR(max_count, "expected a whole number after 'max'")
NUDGE_ERROR(while_expr, "expected a condition after 'while'")
NUDGE_ERROR(every_open, "expected '{' to open the repeated actions")
NUDGE_ERROR(every_close, "expected an action (send, do, emit, set) or '}'")
NUDGE_ERROR(condition, "expected a condition after 'if'")
NUDGE_ERROR(choice_arrow, "expected '->' after the condition")
NUDGE_ERROR(else_arrow, "expected '->' after 'else'")
NUDGE_ERROR(reply_route, "expected a keyword set, 'other' or 'any' after 'on reply'")
NUDGE_ERROR(reply_arrow, "expected '->' after the reply route")
NUDGE_ERROR(event_arrow, "expected '->' after the event")
NUDGE_ERROR(on_what, "expected 'reply' or an event name after 'on'")
NUDGE_ERROR(after_delay, "expected a duration such as 30s, 2h or 3d after 'after'")
NUDGE_ERROR(after_arrow, "expected '->' after the delay")
NUDGE_ERROR(spread_field, "expected a date field after 'spread by'")
NUDGE_ERROR(spread_how, "expected 'evenly' or 'by FIELD' after 'spread'")
NUDGE_ERROR(season_arrow, "expected '->' after the season")
NUDGE_ERROR(at_arrow, "expected '->' after the time")
NUDGE_ERROR(at_what, "expected a time expression or 'season NAME' after 'at'")
NUDGE_ERROR(remind_after_kw, "expected 'after' after 'remind'")
NUDGE_ERROR(remind_delay, "expected a duration such as 2h after 'remind after'")
NUDGE_ERROR(via_channel, "expected a channel name after 'via'")
NUDGE_ERROR(prefix_text, "expected the prefix in quotes after 'prefix'")
NUDGE_ERROR(times_count, "expected a whole number after 'times'")
NUDGE_ERROR(outcome_label, "expected the outcome's label after 'outcome'")
NUDGE_ERROR(outcome_value, "expected an expression after 'value'")
NUDGE_ERROR(state_close, "expected a statement (send, do, emit, set, every, if, else, on, "
                         "after, at, remind, outcome) or '}'")
NUDGE_ERROR(state_name, "expected a state name after 'state'")
NUDGE_ERROR(final_name, "expected a state name after 'final'")
NUDGE_ERROR(state_body, "expected '{' to open the state")
NUDGE_ERROR(any_kw, "expected 'any' after 'from'")
NUDGE_ERROR(from_any_open, "expected '{' after 'from any'")
NUDGE_ERROR(from_any_close, "expected a handler (on, after, at) or '}'")
NUDGE_ERROR(end_of_flow, "expected a declaration (field, fact, channel, window, season, "
                         "keywords, list, numbers, opt_out, cap, template, classify, trigger, "
                         "state, final or from any)")
NUDGE_ERROR(whole_expr, "expected an expression")
NUDGE_ERROR(end_of_expr, "expected an operator or the end of the expression")

#undef NUDGE_ERROR

// Errors about the inside of a string point where they happened, without a "found …".
template <typename Rule> inline constexpr bool lexical_error = false;
template <> inline constexpr bool lexical_error<g::escape_char> = true;
template <> inline constexpr bool lexical_error<g::quote_close> = true;
template <> inline constexpr bool lexical_error<g::triple_rest> = true;

// Errors whose message says it all: no ", found …".
template <typename Rule> inline constexpr bool quiet_error = false;
template <> inline constexpr bool quiet_error<g::no_chain> = true;

// Rules that open a nesting level; the depth is limited so that hostile input cannot exhaust
// the stack of this recursive-descent parser.
template <typename Rule> inline constexpr bool nests = false;
template <> inline constexpr bool nests<g::e_paren> = true;
template <> inline constexpr bool nests<g::e_list> = true;
template <> inline constexpr bool nests<g::e_call> = true;
template <> inline constexpr bool nests<g::negation> = true;
template <> inline constexpr bool nests<g::logical_not> = true;

template <typename Rule> struct control : pegtl::normal<Rule> {
    template <typename In, typename... States>
    [[noreturn]] static void raise(const In& in, States&&...) {
        static_assert(error_message<Rule> != nullptr, "every must<> needs an error message");
        const auto& it = in.iterator();
        SyntaxStop stop{"syntax", error_message<Rule>, it.byte, it.line, it.column};
        stop.describe_seen = !lexical_error<Rule>;
        stop.append_seen = stop.describe_seen && !quiet_error<Rule>;
        std::size_t back = 0; // point at what opened the string, on this line
        if constexpr (std::is_same_v<Rule, g::escape_char>) {
            back = 1;
            stop.length = 2;
        } else if constexpr (std::is_same_v<Rule, g::triple_rest>) {
            stop.find_triple_open = true; // the input is at the end of the file now
            stop.length = 3;
        } else if constexpr (std::is_same_v<Rule, g::quote_close>) {
            // The body holds no unescaped quote, so the opening one is the last such.
            for (std::size_t k = 1; k < it.column; ++k) {
                const char* q = it.data - k;
                std::size_t slashes = 0;
                while (slashes + k + 1 < it.column && *(q - 1 - slashes) == '\\')
                    ++slashes;
                if (*q == '"' && slashes % 2 == 0) {
                    back = k;
                    break;
                }
            }
            stop.length = static_cast<std::uint32_t>(std::max<std::size_t>(back, 1));
        }
        back = std::min(back, it.column - 1);
        stop.byte -= back;
        stop.column -= back;
        throw stop;
    }

    template <typename In> static void start(const In& in, ParseState& st) {
        if constexpr (nests<Rule>) {
            if (++st.depth > max_nesting) {
                stop_here(in, "too-deep",
                          "nested too deeply (more than " + std::to_string(max_nesting) +
                              " levels of parentheses, lists, calls or prefix operators)",
                          1);
            }
        }
    }
    template <typename In> static void success(const In&, ParseState& st) {
        if constexpr (nests<Rule>) --st.depth;
    }
    template <typename In> static void failure(const In&, ParseState& st) {
        if constexpr (nests<Rule>) --st.depth;
    }
};

// ---------------------------------------------------------------------------------------------
// Turning a stop into a diagnostic

// What the user wrote at `at`, for "found …", and how many bytes it spans.
std::pair<std::string, std::uint32_t> seen_at(std::string_view src, std::size_t at) {
    if (at >= src.size()) return {"the end of the file", 1};
    char c = src[at];
    if (c == '\n' || c == '\r') return {"the end of the line", 1};
    std::size_t end = at;
    if (ident_char(c)) {
        while (end < src.size() && ident_char(src[end]))
            ++end;
    } else if (c == '"') {
        end = at + 1;
        while (end < src.size() && src[end] != '"' && src[end] != '\n') {
            if (src[end] == '\\') ++end;
            ++end;
        }
        if (end < src.size() && src[end] == '"') ++end;
        std::string text(src.substr(at, std::min<std::size_t>(end - at, 40)));
        if (end - at > 40) text += "...";
        return {"the string " + text, static_cast<std::uint32_t>(end - at)};
    } else if (static_cast<unsigned char>(c) >= 0x80) {
        end = at + 1;
        while (end < src.size() && (static_cast<unsigned char>(src[end]) & 0xC0) == 0x80)
            ++end;
    } else {
        static constexpr std::string_view pairs[] = {"->", "==", "!=", "<=", ">=", "??", ".."};
        end = at + 1;
        for (auto p : pairs) {
            if (src.substr(at, 2) == p) end = at + 2;
        }
    }
    std::string text(src.substr(at, std::min<std::size_t>(end - at, 40)));
    return {"'" + text + "'", static_cast<std::uint32_t>(end - at)};
}

// The token just before `at` (skipping white space): the operator an operand was wanted for.
std::string token_before(std::string_view src, std::size_t at) {
    std::size_t end = std::min(at, src.size());
    while (end > 0 && std::isspace(static_cast<unsigned char>(src[end - 1])))
        --end;
    std::size_t begin = end;
    if (begin > 0 && ident_char(src[begin - 1])) {
        while (begin > 0 && ident_char(src[begin - 1]))
            --begin;
    } else {
        while (begin > 0 &&
               std::string_view("+-<>=!?").find(src[begin - 1]) != std::string_view::npos &&
               end - begin < 2) {
            --begin;
        }
        if (begin == end && begin > 0) --begin;
    }
    return std::string(src.substr(begin, end - begin));
}

SourcePos pos_of_byte(std::string_view src, std::size_t at) {
    SourcePos p{1, 1};
    for (std::size_t i = 0; i < at && i < src.size(); ++i) {
        if (src[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

Diagnostic to_diagnostic(const SyntaxStop& stop, const ParseState& st, const std::string& file) {
    std::size_t byte = std::min(stop.byte, st.source.size());
    std::size_t line = stop.line;
    std::size_t column = stop.column;
    std::string message = stop.message;
    if (auto p = message.find("{prev}"); p != std::string::npos) {
        message.replace(p, 6, token_before(st.source, byte));
    }
    std::uint32_t length = stop.length;
    if (stop.find_triple_open) {
        // Nothing after the opening quotes contains """, so it is the last one in the text.
        auto open = st.source.rfind("\"\"\"");
        if (open != std::string_view::npos) {
            while (open > 0 && st.source[open - 1] == '"')
                --open;
            byte = open;
            auto p = pos_of_byte(st.source, open);
            line = p.line;
            column = p.column;
        }
    }
    if (stop.describe_seen) {
        // Point at the next token, not at the white space before it.
        auto src = st.source;
        while (byte < src.size()) {
            char c = src[byte];
            if (c == '#') {
                while (byte < src.size() && src[byte] != '\n')
                    ++byte, ++column;
            } else if (c == '\n') {
                ++byte, ++line, column = 1;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                ++byte, ++column;
            } else {
                break;
            }
        }
        auto [seen, span] = seen_at(src, byte);
        if (stop.append_seen) message += ", found " + seen;
        if (length == 0) length = span;
    }
    Diagnostic d;
    d.code = stop.code;
    d.message = std::move(message);
    d.file = file;
    d.pos = st.pos(line, column);
    d.length = std::max<std::uint32_t>(length, 1);
    return d;
}

// ---------------------------------------------------------------------------------------------
// Checks before parsing

bool only_blank(std::string_view s) {
    bool in_comment = false;
    for (char c : s) {
        if (in_comment) {
            in_comment = c != '\n';
        } else if (c == '#') {
            in_comment = true;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return false;
        }
    }
    return true;
}

std::string hex_byte(unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", c);
    return buf;
}

} // namespace

// ---------------------------------------------------------------------------------------------

int analyze_text_grammar() {
    return static_cast<int>(pegtl::analyze<g::flow_file>() + pegtl::analyze<g::expression_only>());
}

std::optional<Expr> parse_expression(std::string_view text, const std::string& file,
                                     SourcePos origin, Diagnostics& diagnostics) {
    if (origin.line == 0) origin = {1, 1};
    FlowBuilder builder(file);
    ParseState st{builder, text, origin};
    st.keep_comments = false;
    try {
        pegtl::memory_input<pegtl::tracking_mode::eager, pegtl::eol::lf_crlf> in(text.data(),
                                                                                 text.size(), "");
        pegtl::parse<g::expression_only, action, control>(in, st);
        return builder.take_expr();
    } catch (const SyntaxStop& stop) {
        diagnostics.add(to_diagnostic(stop, st, file));
    } catch (const std::exception& e) {
        diagnostics.error("internal", std::string("internal error in the parser: ") + e.what(),
                          file, origin);
    } catch (...) {
        diagnostics.error("internal", "internal error in the parser", file, origin);
    }
    return std::nullopt;
}

} // namespace detail

// NOLINTNEXTLINE(performance-unnecessary-value-param): the signature is dsl.hpp's
ParseResult parse_flow_text(std::string_view source, std::string filename) {
    using namespace detail;
    ParseResult result;
    try {
        if (source.size() > max_flow_bytes) {
            result.diagnostics.error("too-large",
                                     "file is " + std::to_string(source.size()) +
                                         " bytes; a flow file may be at most " +
                                         std::to_string(max_flow_bytes) + " bytes",
                                     filename, {});
            return result;
        }
        if (auto nul = source.find('\0'); nul != std::string_view::npos) {
            result.diagnostics.error("binary-input",
                                     "this looks like a binary file: it has a NUL byte here",
                                     filename, pos_of_byte(source, nul));
            return result;
        }
        if (auto bad = detail::first_invalid_utf8(source); bad != std::string_view::npos) {
            result.diagnostics.error("invalid-utf8",
                                     "the file is not valid UTF-8: byte " +
                                         hex_byte(static_cast<unsigned char>(source[bad])) +
                                         " does not start a well-formed character here",
                                     filename, pos_of_byte(source, bad));
            return result;
        }
        // A byte-order mark (some Windows editors write one) is no part of the flow, as in the
        // YAML reader; line 1 starts after it.
        if (source.substr(0, 3) == "\xEF\xBB\xBF") source.remove_prefix(3);
        if (only_blank(source)) {
            result.diagnostics.error("empty-flow",
                                     "the file has no flow in it: expected 'flow NAME'", filename,
                                     pos_of_byte(source, source.size()));
            return result;
        }
        FlowBuilder builder(filename);
        ParseState st{builder, source};
        try {
            pegtl::memory_input<pegtl::tracking_mode::eager, pegtl::eol::lf_crlf> in(
                source.data(), source.size(), "");
            pegtl::parse<g::flow_file, action, control>(in, st);
        } catch (const SyntaxStop& stop) {
            // One syntax error and nothing else: what follows it would only be noise.
            result.diagnostics = Diagnostics{};
            result.diagnostics.add(to_diagnostic(stop, st, filename));
            return result;
        }
        result.diagnostics = std::move(builder.diagnostics());
        result.flow = std::move(builder.flow());
    } catch (const std::exception& e) {
        result.flow.reset();
        result.diagnostics.error("internal",
                                 std::string("internal error in the parser: ") + e.what(), filename,
                                 SourcePos{});
    } catch (...) {
        result.flow.reset();
        result.diagnostics.error("internal", "internal error in the parser", filename, SourcePos{});
    }
    return result;
}

} // namespace nudge
