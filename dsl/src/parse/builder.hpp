#pragma once
// Builds a FlowDef from the pieces the .flow grammar recognises. The PEGTL actions in
// parser.cpp call these methods in source order; this class knows nothing about PEGTL, so the
// parser stays a thin table of "rule matched → builder call".
//
// Pieces arrive before the statement that owns them is complete (a window name, a duration, an
// expression), so they wait in `scratch_` until the statement's closing action takes them.
// Every scratch setter overwrites, which keeps a branch the grammar backtracks out of harmless.

#include <nudge/diagnostic.hpp>
#include <nudge/flow.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nudge::detail {

// Limits that keep hostile input from exhausting the stack (the IR is a recursive tree).
inline constexpr int max_nesting = 64;
inline constexpr int max_expr_height = 256;

class FlowBuilder {
public:
    explicit FlowBuilder(std::string file);

    FlowDef& flow() { return flow_; }
    Diagnostics& diagnostics() { return diagnostics_; }
    const std::string& file() const { return file_; }

    // --- expressions: a stack machine fed in postfix order ------------------------------
    // Each returns false when the tree would grow taller than max_expr_height.
    bool push(Expr e);
    void begin_call(); // the field on top becomes a call's name
    bool end_call(SourcePos end);
    void begin_list(SourcePos begin);
    bool end_list(SourcePos end);
    bool member(std::string name, SourcePos end);
    bool unary(std::string op, SourcePos begin);
    void push_operator(std::string op) { operators_.push_back(std::move(op)); }
    bool binary(); // pops the operator pushed last
    bool binary(std::string op);
    Expr take_expr();
    bool has_expr() const { return !exprs_.empty(); }

    // --- scratch pieces ------------------------------------------------------------------
    void set_name(std::string n) { scratch_.name = std::move(n); }
    void set_second_name(std::string n) { scratch_.second = std::move(n); }
    void add_name(std::string n) { scratch_.names.push_back(std::move(n)); }
    void add_string(std::string s) { scratch_.strings.push_back(std::move(s)); }
    void set_text(std::string s, Loc at = {}) {
        scratch_.text = std::move(s);
        scratch_.text_loc = at;
    }
    void set_duration(Duration d) { scratch_.duration = d; }
    void set_count(int n) { scratch_.count = n; }
    void set_within(std::string w) { scratch_.within = std::move(w); }
    void set_condition() { scratch_.condition = take_expr(); }
    void set_target(Target t) { scratch_.target = std::move(t); }
    void set_flag() { scratch_.flag = true; }
    std::string take_name() { return std::exchange(scratch_.name, {}); }

    // --- header and declarations ---------------------------------------------------------
    void flow_header(std::string name, Loc loc);
    void flow_version(int v) { flow_.version = v; }
    void flow_business(std::string business) { flow_.business = std::move(business); }
    void add_setting(std::string name, Loc loc) {
        flow_.settings.push_back({std::move(name), loc});
    }
    void field_default(std::string value) { scratch_.default_value = std::move(value); }
    void channel_off() { scratch_.off = true; }
    void flow_timezone(std::string tz, Loc loc) {
        flow_.timezone = std::move(tz);
        flow_.timezone_loc = loc;
    }
    void flow_locale(std::string locale, Loc loc) {
        flow_.locale = std::move(locale);
        flow_.locale_loc = loc;
    }
    void field_type(std::string_view type, Loc loc);
    void end_field(Loc loc);
    void end_fact(Loc loc);
    void channel_kind(std::string_view kind) { scratch_.kind = parse_channel_kind(kind); }
    void channel_to(std::string to, bool literal);
    void end_channel(Loc loc);
    void slot_days(std::string_view first, std::optional<std::string_view> last);
    void slot_open(int minute) { slot_.open_minute = minute; }
    void slot_close(int minute) { slot_.close_minute = minute; }
    void end_slot(Loc loc);
    void window_not_during() { window_not_during_ = true; }
    void window_closed(std::string_view text, Loc loc);
    void end_window(Loc loc);
    void season_day(MonthDay md, bool first);
    void end_season(Loc loc);
    void keyword_match(KeywordMatch m) { scratch_.match = m; }
    void keyword_ignore_accents() { scratch_.ignore_accents = true; }
    void keyword_range(double bound, bool min) {
        if (!scratch_.range) scratch_.range = KeywordsDecl::Range{0, 0};
        (min ? scratch_.range->min : scratch_.range->max) = bound;
    }
    void end_keywords(Loc loc);
    void end_list_decl(Loc loc);
    void numbers_kind(NumberPolicy::Kind k);
    void numbers_every_kind();
    void end_numbers(Loc loc);
    void end_opt_out(Loc loc);
    void end_cap(Loc loc);
    void template_kind(std::string_view kind) { scratch_.kind = parse_channel_kind(kind); }
    void template_subject(std::string s, Loc at) {
        scratch_.subject = std::move(s);
        scratch_.subject_loc = at;
    }
    void end_template(Loc loc);
    void begin_classifier(std::string name);
    void classifier_source(std::string field) { classifier_.sources.push_back(std::move(field)); }
    void end_classifier_rule(Loc loc);
    void end_classifier(Loc loc);

    // --- triggers --------------------------------------------------------------------------
    void begin_trigger();
    void trigger_event(std::string e) { trigger_.event = std::move(e); }
    void trigger_key(std::string k) { trigger_.key = std::move(k); }
    void trigger_delay(Loc loc);
    void trigger_only_during(std::string window, Loc loc);
    void trigger_cooldown(Loc loc);
    void trigger_unless(Loc loc);
    void trigger_start(std::string state, Loc loc);
    void end_trigger(Loc loc);

    // --- states ------------------------------------------------------------------------------
    void begin_state(bool is_final);
    void state_name(std::string n) { state_.name = std::move(n); }
    void state_body() { state_.has_body = true; }
    void end_state(Loc loc);
    void begin_action(Action::Kind kind);
    void end_action(Loc loc);
    void send_template(std::string name) { action_.template_name = std::move(name); }
    void send_text(std::string text, Loc at) {
        action_.inline_text = std::move(text);
        action_.text_loc = at;
    }
    void send_fallback(std::string ch) { action_.fallback.push_back(std::move(ch)); }
    void action_name(std::string n) { action_.name = std::move(n); }
    void action_channel(std::string c) { action_.channel = std::move(c); }
    void action_value() { action_.value = take_expr(); }
    void begin_repeat();
    void repeat_max() { repeat_.max = scratch_.count; }
    void repeat_while() { repeat_.while_cond = take_expr(); }
    void repeat_body(); // the `{`: what came before belongs to the repeat
    void end_repeat(Loc loc);
    void end_choice(bool has_condition, Loc loc);
    void begin_handler();
    void handler_at() { handler_.at = take_expr(); }
    void keyword_pattern(std::string pattern, Loc loc) {
        scratch_.match = KeywordMatch::pattern;
        scratch_.pattern = std::move(pattern);
        scratch_.pattern_loc = loc;
    }
    void handler_capture(std::string field, Loc loc) {
        handler_.capture = std::move(field);
        handler_.capture_loc = loc;
    }
    void handler_spread(Handler::Spread s, std::string field = {});
    void end_handler(Handler::Kind kind, Loc loc);
    void begin_reminder();
    void reminder_after() { reminder_.after = scratch_.duration; }
    void reminder_from_first() { reminder_.from_first = true; }
    void reminder_option(std::string_view option, Loc loc);
    void end_reminder(Loc loc);
    void end_outcome(Loc loc); // with a value when the flag is set
    void begin_from_any() { in_from_any_ = true; }
    void end_from_any(Loc loc);

    // The diagnostics about statements the grammar accepted but that make no sense twice.
    void duplicate(std::string_view what, std::string_view where, std::string_view code, Loc loc);

private:
    struct Scratch {
        std::string name;
        std::string second;
        std::vector<std::string> names;
        std::vector<std::string> strings;
        std::string text;
        Loc text_loc;
        std::optional<ChannelKind> kind;
        std::optional<std::string> subject;
        Loc subject_loc;
        std::optional<FieldType> type;
        Duration duration;
        int count = 0;
        std::optional<std::string> within;
        std::optional<Expr> condition;
        Target target;
        bool flag = false;
        std::optional<std::string> to;
        bool to_literal = false;
        MonthDay first, last;
        KeywordMatch match = KeywordMatch::any;
        bool ignore_accents = false;
        std::optional<KeywordsDecl::Range> range;
        std::string pattern;
        Loc pattern_loc;
        std::optional<std::string> default_value;
        bool off = false;
    };
    Scratch take_scratch();

    std::string file_;
    FlowDef flow_;
    Diagnostics diagnostics_;
    Scratch scratch_;

    std::vector<Expr> exprs_;
    std::vector<int> heights_;
    std::vector<std::string> operators_;
    struct Open {
        Expr expr;
        std::size_t mark;
    };
    std::vector<Open> open_; // calls and lists whose arguments are still arriving

    WindowSlot slot_;
    std::vector<WindowSlot> slots_;
    bool window_not_during_ = false;
    std::vector<ClosedDay> window_closed_;
    ClassifierDecl classifier_;
    NumberPolicy numbers_;
    TriggerDecl trigger_;
    std::vector<std::string> trigger_seen_;
    StateDecl state_;
    Action action_;
    Repeat repeat_;
    bool in_repeat_ = false;
    Handler handler_;
    bool in_from_any_ = false;
    Reminder reminder_;
    std::vector<std::string_view> reminder_seen_;
};

} // namespace nudge::detail
