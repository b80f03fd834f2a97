#include "parse/builder.hpp"

#include <algorithm>
#include <utility>

namespace nudge::detail {

namespace {

std::uint32_t length_of(const Loc& loc) {
    if (loc.end.line == loc.begin.line && loc.end.column > loc.begin.column) {
        return loc.end.column - loc.begin.column;
    }
    return 1;
}

} // namespace

FlowBuilder::FlowBuilder(std::string file) : file_(std::move(file)) { flow_.source.file = file_; }

FlowBuilder::Scratch FlowBuilder::take_scratch() { return std::exchange(scratch_, Scratch{}); }

void FlowBuilder::duplicate(std::string_view what, std::string_view where, std::string_view code,
                            Loc loc) {
    diagnostics_.error(std::string(code),
                       "'" + std::string(what) + "' given twice in " + std::string(where) +
                           "; each may appear at most once",
                       file_, loc.begin, length_of(loc));
}

// ---------------------------------------------------------------------------------------------
// Expressions

bool FlowBuilder::push(Expr e) {
    exprs_.push_back(std::move(e));
    heights_.push_back(1);
    return true;
}

void FlowBuilder::begin_call() {
    Expr call;
    call.kind = ExprKind::call;
    if (!exprs_.empty()) {
        call.text = std::move(exprs_.back().text);
        call.loc.begin = exprs_.back().loc.begin;
        exprs_.pop_back();
        heights_.pop_back();
    }
    open_.push_back({std::move(call), exprs_.size()});
}

void FlowBuilder::begin_list(SourcePos begin) {
    Expr list;
    list.kind = ExprKind::list;
    list.loc.begin = begin;
    open_.push_back({std::move(list), exprs_.size()});
}

bool FlowBuilder::end_call(SourcePos end) { return end_list(end); }

bool FlowBuilder::end_list(SourcePos end) {
    if (open_.empty()) return true;
    Open open = std::move(open_.back());
    open_.pop_back();
    int height = 0;
    std::size_t mark = std::min(open.mark, exprs_.size());
    for (std::size_t i = mark; i < exprs_.size(); ++i) {
        open.expr.args.push_back(std::move(exprs_[i]));
        height = std::max(height, heights_[i]);
    }
    exprs_.resize(mark);
    heights_.resize(mark);
    open.expr.loc.end = end;
    exprs_.push_back(std::move(open.expr));
    heights_.push_back(height + 1);
    return height + 1 <= max_expr_height;
}

bool FlowBuilder::member(std::string name, SourcePos end) {
    if (exprs_.empty()) return true;
    Expr m;
    m.kind = ExprKind::member;
    m.text = std::move(name);
    m.loc = {exprs_.back().loc.begin, end};
    m.args.push_back(std::move(exprs_.back()));
    exprs_.back() = std::move(m);
    return ++heights_.back() <= max_expr_height;
}

bool FlowBuilder::unary(std::string op, SourcePos begin) {
    if (exprs_.empty()) return true;
    Expr u;
    u.kind = ExprKind::unary;
    u.text = std::move(op);
    u.loc = {begin, exprs_.back().loc.end};
    u.args.push_back(std::move(exprs_.back()));
    exprs_.back() = std::move(u);
    return ++heights_.back() <= max_expr_height;
}

bool FlowBuilder::binary() {
    if (operators_.empty()) return true;
    std::string op = std::move(operators_.back());
    operators_.pop_back();
    return binary(std::move(op));
}

bool FlowBuilder::binary(std::string op) {
    if (exprs_.size() < 2) return true;
    Expr b;
    b.kind = ExprKind::binary;
    b.text = std::move(op);
    Expr rhs = std::move(exprs_.back());
    int rh = heights_.back();
    exprs_.pop_back();
    heights_.pop_back();
    b.loc = {exprs_.back().loc.begin, rhs.loc.end};
    b.args.push_back(std::move(exprs_.back()));
    b.args.push_back(std::move(rhs));
    exprs_.back() = std::move(b);
    heights_.back() = std::max(heights_.back(), rh) + 1;
    return heights_.back() <= max_expr_height;
}

Expr FlowBuilder::take_expr() {
    if (exprs_.empty()) return {};
    Expr e = std::move(exprs_.back());
    exprs_.pop_back();
    heights_.pop_back();
    return e;
}

// ---------------------------------------------------------------------------------------------
// Declarations

void FlowBuilder::flow_header(std::string name, Loc loc) {
    flow_.name = std::move(name);
    if (!flow_.business.empty()) flow_.name += "@" + flow_.business;
    flow_.loc = loc;
}

void FlowBuilder::field_type(std::string_view type, Loc loc) {
    scratch_.type = parse_field_type(type);
    if (!scratch_.type) {
        diagnostics_.error("unknown-type",
                           "unknown field type '" + std::string(type) +
                               "'; the types are text, number, money, bool, phone, email, date, "
                               "datetime, duration and zone",
                           file_, loc.begin, length_of(loc));
    }
}

void FlowBuilder::end_field(Loc loc) {
    auto s = take_scratch();
    flow_.fields.push_back(
        {s.name, s.type.value_or(FieldType::text), s.flag, loc, std::move(s.default_value)});
}

void FlowBuilder::end_fact(Loc loc) {
    auto s = take_scratch();
    flow_.facts.push_back({s.name, s.type.value_or(FieldType::text), loc});
}

void FlowBuilder::channel_to(std::string to, bool literal) {
    scratch_.to = std::move(to);
    scratch_.to_literal = literal;
}

void FlowBuilder::end_channel(Loc loc) {
    auto s = take_scratch();
    ChannelDecl c;
    c.kind = s.kind.value_or(ChannelKind::sms);
    c.name = s.name.empty() ? std::string(to_string(c.kind)) : s.name;
    c.to = s.to.value_or("");
    c.to_is_literal = s.to_literal;
    if (!s.text.empty() || s.flag) c.from = s.text;
    c.loc = loc;
    c.off = s.off;
    flow_.channels.push_back(std::move(c));
}

void FlowBuilder::slot_days(std::string_view first, std::optional<std::string_view> last) {
    auto day = [](std::string_view d) {
        for (int i = 0; i < 7; ++i) {
            if (to_string(static_cast<Weekday>(i)) == d) return static_cast<Weekday>(i);
        }
        return Weekday::mon;
    };
    slot_.first_day = day(first);
    slot_.last_day = last ? day(*last) : slot_.first_day;
}

void FlowBuilder::end_slot(Loc loc) {
    slot_.loc = loc;
    slots_.push_back(std::exchange(slot_, WindowSlot{}));
}

void FlowBuilder::window_closed(std::string_view text, Loc loc) {
    if (auto d = parse_closed_day(text)) {
        window_closed_.push_back(*d);
    } else {
        diagnostics_.error("bad-value",
                           "no such day: " + std::string(text) +
                               " (write MM-DD for every year, YYYY-MM-DD for one day)",
                           file_, loc.begin, length_of(loc));
    }
}

void FlowBuilder::end_window(Loc loc) {
    auto s = take_scratch();
    WindowDecl w{s.name, std::exchange(slots_, {}), loc};
    w.not_during = std::exchange(window_not_during_, false);
    w.closed = std::exchange(window_closed_, {});
    flow_.windows.push_back(std::move(w));
}

void FlowBuilder::season_day(MonthDay md, bool first) {
    (first ? scratch_.first : scratch_.last) = md;
}

void FlowBuilder::end_season(Loc loc) {
    auto s = take_scratch();
    flow_.seasons.push_back({s.name, s.first, s.last, loc});
}

void FlowBuilder::end_keywords(Loc loc) {
    auto s = take_scratch();
    flow_.keywords.push_back({s.name, std::move(s.strings), loc, s.match, s.ignore_accents, s.range,
                              std::move(s.pattern), s.pattern_loc});
}

void FlowBuilder::end_list_decl(Loc loc) {
    auto s = take_scratch();
    flow_.lists.push_back({s.name, std::move(s.strings), loc});
}

void FlowBuilder::numbers_kind(NumberPolicy::Kind k) { numbers_.kind = k; }
void FlowBuilder::numbers_every_kind() { numbers_.every_kind = true; }

void FlowBuilder::end_numbers(Loc loc) {
    auto s = take_scratch();
    if (flow_.numbers) duplicate("numbers", "a flow", "duplicate-statement", loc);
    numbers_.regions = std::move(s.names);
    numbers_.loc = loc;
    flow_.numbers = std::exchange(numbers_, NumberPolicy{});
}

void FlowBuilder::end_opt_out(Loc loc) {
    auto s = take_scratch();
    if (!flow_.opt_out.empty()) {
        duplicate("opt_out", "a flow", "duplicate-statement", loc);
    } else {
        flow_.opt_out_loc = loc;
    }
    for (auto& w : s.strings)
        flow_.opt_out.push_back(std::move(w));
}

void FlowBuilder::end_cap(Loc loc) {
    auto s = take_scratch();
    if (s.flag) {
        flow_.segment_caps.push_back({s.name, s.count, loc});
        return;
    }
    flow_.caps.push_back({s.name, s.count, s.duration, loc});
}

void FlowBuilder::end_template(Loc loc) {
    auto s = take_scratch();
    flow_.templates.push_back({s.name, s.kind, s.subject, s.text, loc, s.text_loc, s.subject_loc});
}

void FlowBuilder::begin_classifier(std::string name) {
    classifier_ = ClassifierDecl{};
    classifier_.name = std::move(name);
    scratch_ = Scratch{};
}

void FlowBuilder::end_classifier_rule(Loc loc) {
    auto s = take_scratch();
    classifier_.rules.push_back({s.name, std::move(s.strings), loc});
}

void FlowBuilder::end_classifier(Loc loc) {
    classifier_.loc = loc;
    flow_.classifiers.push_back(std::exchange(classifier_, ClassifierDecl{}));
}

// ---------------------------------------------------------------------------------------------
// Triggers

void FlowBuilder::begin_trigger() {
    trigger_ = TriggerDecl{};
    trigger_seen_.clear();
    scratch_ = Scratch{};
}

namespace {
bool seen_before(std::vector<std::string>& seen, std::string_view what) {
    if (std::find(seen.begin(), seen.end(), what) != seen.end()) return true;
    seen.emplace_back(what);
    return false;
}
} // namespace

void FlowBuilder::trigger_delay(Loc loc) {
    auto s = take_scratch();
    if (seen_before(trigger_seen_, "delay"))
        duplicate("delay", "a trigger", "duplicate-statement", loc);
    trigger_.delay = s.duration;
}

void FlowBuilder::trigger_only_during(std::string window, Loc loc) {
    if (seen_before(trigger_seen_, "only during")) {
        duplicate("only during", "a trigger", "duplicate-statement", loc);
    }
    trigger_.only_during = std::move(window);
}

void FlowBuilder::trigger_cooldown(Loc loc) {
    auto s = take_scratch();
    if (seen_before(trigger_seen_, "cooldown")) {
        duplicate("cooldown", "a trigger", "duplicate-statement", loc);
    }
    trigger_.cooldown = s.duration;
    trigger_.cooldown_per = s.second;
}

void FlowBuilder::trigger_unless(Loc loc) {
    if (seen_before(trigger_seen_, "unless"))
        duplicate("unless", "a trigger", "duplicate-statement", loc);
    trigger_.unless = take_expr();
}

void FlowBuilder::trigger_start(std::string state, Loc loc) {
    if (seen_before(trigger_seen_, "start"))
        duplicate("start", "a trigger", "duplicate-statement", loc);
    trigger_.start = std::move(state);
}

void FlowBuilder::end_trigger(Loc loc) {
    trigger_.loc = loc;
    if (trigger_.start.empty()) {
        diagnostics_.error("missing-start",
                           "trigger '" + trigger_.event +
                               "' has no 'start' statement naming the state to enter",
                           file_, loc.begin, 7);
    }
    flow_.triggers.push_back(std::exchange(trigger_, TriggerDecl{}));
}

// ---------------------------------------------------------------------------------------------
// States

void FlowBuilder::begin_state(bool is_final) {
    state_ = StateDecl{};
    state_.is_final = is_final;
    in_repeat_ = false;
    scratch_ = Scratch{};
}

void FlowBuilder::end_state(Loc loc) {
    state_.loc = loc;
    flow_.states.push_back(std::exchange(state_, StateDecl{}));
}

void FlowBuilder::begin_action(Action::Kind kind) {
    action_ = Action{};
    action_.kind = kind;
    scratch_ = Scratch{};
}

void FlowBuilder::end_action(Loc loc) {
    auto s = take_scratch();
    action_.within = s.within;
    action_.loc = loc;
    (in_repeat_ ? repeat_.actions : state_.actions).push_back(std::exchange(action_, Action{}));
}

void FlowBuilder::begin_repeat() {
    repeat_ = Repeat{};
    scratch_ = Scratch{};
}

void FlowBuilder::repeat_body() {
    auto s = take_scratch();
    repeat_.interval = s.duration;
    repeat_.within = s.within;
    in_repeat_ = true;
}

void FlowBuilder::end_repeat(Loc loc) {
    in_repeat_ = false;
    repeat_.loc = loc;
    state_.repeats.push_back(std::exchange(repeat_, Repeat{}));
}

void FlowBuilder::end_choice(bool has_condition, Loc loc) {
    auto s = take_scratch();
    Choice c;
    if (has_condition) c.condition = std::move(s.condition);
    c.target = std::move(s.target);
    c.loc = loc;
    state_.choices.push_back(std::move(c));
}

void FlowBuilder::begin_handler() {
    handler_ = Handler{};
    scratch_ = Scratch{};
}

void FlowBuilder::handler_spread(Handler::Spread s, std::string field) {
    handler_.spread = s;
    handler_.spread_field = std::move(field);
}

void FlowBuilder::end_handler(Handler::Kind kind, Loc loc) {
    auto s = take_scratch();
    handler_.kind = kind;
    switch (kind) {
    case Handler::Kind::reply: handler_.keywords = s.name; break;
    case Handler::Kind::event: handler_.event = s.name; break;
    case Handler::Kind::after: handler_.delay = s.duration; break;
    case Handler::Kind::season: handler_.season = s.name; break;
    case Handler::Kind::at: break;
    }
    handler_.condition = std::move(s.condition);
    handler_.within = std::move(s.within);
    handler_.target = std::move(s.target);
    handler_.loc = loc;
    (in_from_any_ ? flow_.from_any : state_.handlers).push_back(std::exchange(handler_, Handler{}));
}

void FlowBuilder::begin_reminder() {
    reminder_ = Reminder{};
    reminder_seen_.clear();
    scratch_ = Scratch{};
}

void FlowBuilder::reminder_option(std::string_view option, Loc loc) {
    auto s = take_scratch();
    if (std::find(reminder_seen_.begin(), reminder_seen_.end(), option) != reminder_seen_.end()) {
        duplicate(option, "a reminder", "duplicate-option", loc);
    }
    reminder_seen_.push_back(option);
    if (option == "within") reminder_.within = s.within;
    if (option == "via") reminder_.via = s.name;
    if (option == "prefix" && s.text != default_reminder_prefix) reminder_.prefix = s.text;
    if (option == "times") reminder_.times = s.count;
}

void FlowBuilder::end_reminder(Loc loc) {
    reminder_.loc = loc;
    state_.reminders.push_back(std::exchange(reminder_, Reminder{}));
}

void FlowBuilder::end_outcome(Loc loc) {
    auto s = take_scratch();
    if (!state_.is_final) {
        diagnostics_.error("outcome-not-final",
                           "'outcome' in state '" + state_.name +
                               "', which is not final; only a final state names an outcome",
                           file_, loc.begin, 7);
    } else if (state_.outcome) {
        duplicate("outcome", "a final state", "duplicate-statement", loc);
    }
    Outcome o;
    o.label = s.name;
    if (s.flag) o.value = take_expr();
    o.loc = loc;
    state_.outcome = std::move(o);
}

void FlowBuilder::end_from_any(Loc loc) {
    // The location of the first block: that is where `nudge fmt` puts the merged one.
    if (flow_.from_any_loc.begin.line == 0) flow_.from_any_loc = loc;
    in_from_any_ = false;
}

} // namespace nudge::detail
