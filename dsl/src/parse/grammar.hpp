#pragma once
// The PEG grammar of the .flow language (dsl/REFERENCE.md). Included only by parser.cpp, which
// attaches the actions and the error messages: every rule under a must<> has an entry in the
// error_message table there, so each place the parser can give up says what it expected.
//
// Conventions: `ws` (white space and comments) sits between tokens, never at the end of a
// statement, so a statement's match ends on its last character (that is its Loc).

#include <tao/pegtl.hpp>

namespace nudge::detail::grammar {

using namespace tao::pegtl;

#define NUDGE_KW(word) TAO_PEGTL_KEYWORD(word)

// ---------------------------------------------------------------------------------------------
// Lexical

struct comment : seq<one<'#'>, star<not_one<'\n'>>> {};
struct ws : star<sor<one<' ', '\t', '\r', '\n'>, comment>> {};

struct name : identifier {};
struct comma : seq<ws, one<','>, ws> {};
struct equals : one<'='> {};
struct colon : one<':'> {};
struct arrow : string<'-', '>'> {};

// Strings: "…" with four escapes, or """…""" taken literally.
struct escape_char : one<'"', '\\', 'n', 't'> {};
struct escape : seq<one<'\\'>, must<escape_char>> {};
struct plain_char : not_one<'"', '\\', '\n'> {};
struct quote_close : one<'"'> {};
struct quoted : seq<one<'"'>, star<sor<escape, plain_char>>, must<quote_close>> {};
struct triple_quote : string<'"', '"', '"'> {};
struct triple_rest : until<triple_quote> {};
struct triple_quoted : seq<triple_quote, must<triple_rest>> {};
struct string_lit : sor<triple_quoted, quoted> {};
struct str : string_lit {}; // collected into a list (keywords, list, opt_out, classifier)

// A whole number and a unit, no space; `mo` before `m` so that 1mo is one month.
struct duration_unit : sor<string<'m', 'o'>, one<'s', 'm', 'h', 'd', 'w', 'y'>> {};
struct duration_lit : seq<plus<digit>, duration_unit, not_at<identifier_other>> {};
struct count_lit : seq<plus<digit>, not_at<identifier_other>> {};

// Event names: names joined by dots.
struct event_part : identifier {};
struct event_name : seq<identifier, star<one<'.'>, must<event_part>>> {};

struct channel_kind : sor<NUDGE_KW("sms"), NUDGE_KW("email"), NUDGE_KW("letter"), NUDGE_KW("voice"),
                          NUDGE_KW("webhook")> {};

struct window_ref : identifier {};
struct within_clause : seq<NUDGE_KW("within"), ws, must<window_ref>> {};

// ---------------------------------------------------------------------------------------------
// Expressions, loosest first: or < and < not < comparison < ?? < + - < unary minus < postfix

struct expr;
struct reserved : sor<NUDGE_KW("and"), NUDGE_KW("or"), NUDGE_KW("not"), NUDGE_KW("in"),
                      NUDGE_KW("true"), NUDGE_KW("false"), NUDGE_KW("none")> {};

struct e_duration : duration_lit {};
struct e_number : seq<plus<digit>, opt<one<'.'>, plus<digit>>, not_at<identifier_other>> {};
struct e_string : string_lit {};
struct e_true : NUDGE_KW("true") {};
struct e_false : NUDGE_KW("false") {};
struct e_none : NUDGE_KW("none") {};
struct e_field : seq<not_at<reserved>, identifier> {};
struct close_paren : one<')'> {};
struct close_bracket : one<']'> {};
struct call_arg : seq<expr> {};
struct call_open : one<'('> {};
struct e_call
    : seq<call_open, ws, opt<call_arg, star<comma, must<call_arg>>>, ws, must<close_paren>> {};
struct list_item : seq<expr> {};
struct list_open : one<'['> {};
struct e_list
    : seq<list_open, ws, opt<list_item, star<comma, must<list_item>>>, ws, must<close_bracket>> {};
struct paren_inner : seq<expr> {};
struct e_paren : seq<one<'('>, ws, must<paren_inner>, ws, must<close_paren>> {};
struct e_name : seq<e_field, opt<e_call>> {};
struct primary
    : sor<e_duration, e_number, e_string, e_true, e_false, e_none, e_list, e_paren, e_name> {};
struct member_name : identifier {};
struct member_suffix : seq<one<'.'>, must<member_name>> {};
struct postfix : seq<primary, star<member_suffix>> {};

struct minus : seq<one<'-'>, not_at<one<'>'>>> {}; // not the start of `->`
struct unary;
struct neg_operand : seq<unary> {};
struct negation : seq<minus, ws, must<neg_operand>> {};
struct unary : sor<negation, postfix> {};

struct add_op : sor<one<'+'>, minus> {};
struct add_operand : seq<unary> {};
struct add_tail : seq<ws, add_op, ws, must<add_operand>> {};
struct sum : seq<unary, star<add_tail>> {};

struct coalesce_operand : seq<sum> {};
struct coalesce_tail : seq<ws, string<'?', '?'>, ws, must<coalesce_operand>> {};
struct coalesce : seq<sum, star<coalesce_tail>> {};

struct cmp_op : sor<string<'=', '='>, string<'!', '='>, string<'<', '='>, string<'>', '='>,
                    one<'<'>, one<'>'>, NUDGE_KW("in")> {};
struct cmp_operand : seq<coalesce> {};
struct cmp_tail : seq<ws, cmp_op, ws, must<cmp_operand>> {};
struct no_chain : not_at<ws, cmp_op> {}; // a < b < c is an error, not (a < b) < c
struct comparison : seq<coalesce, opt<cmp_tail, must<no_chain>>> {};

struct not_expr;
struct not_operand : seq<not_expr> {};
struct logical_not : seq<NUDGE_KW("not"), ws, must<not_operand>> {};
struct not_expr : sor<logical_not, comparison> {};

struct and_operand : seq<not_expr> {};
struct and_tail : seq<ws, NUDGE_KW("and"), ws, must<and_operand>> {};
struct and_expr : seq<not_expr, star<and_tail>> {};

struct or_operand : seq<and_expr> {};
struct or_tail : seq<ws, NUDGE_KW("or"), ws, must<or_operand>> {};
struct expr : seq<and_expr, star<or_tail>> {};

// ---------------------------------------------------------------------------------------------
// Header and declarations

struct flow_kw : NUDGE_KW("flow") {};
// `flow` alone on its line followed by `field x: …` should not name the flow "field".
struct declaration_kw
    : sor<NUDGE_KW("field"), NUDGE_KW("fact"), NUDGE_KW("channel"), NUDGE_KW("window"),
          NUDGE_KW("season"), NUDGE_KW("keywords"), NUDGE_KW("list"), NUDGE_KW("numbers"),
          NUDGE_KW("opt_out"), NUDGE_KW("cap"), NUDGE_KW("template"), NUDGE_KW("classify"),
          NUDGE_KW("trigger"), NUDGE_KW("state"), NUDGE_KW("final"), NUDGE_KW("version"),
          NUDGE_KW("timezone"), NUDGE_KW("settings")> {};
struct flow_name : seq<not_at<declaration_kw>, identifier> {};
struct version_number : count_lit {};
struct timezone_string : string_lit {};
struct locale_string : string_lit {};
struct business_name : identifier {};
struct header
    : seq<must<flow_kw>, ws, must<flow_name>, opt<ws, NUDGE_KW("for"), ws, must<business_name>>,
          opt<ws, NUDGE_KW("version"), ws, must<version_number>>,
          opt<ws, NUDGE_KW("timezone"), ws, must<timezone_string>>,
          opt<ws, NUDGE_KW("locale"), ws, must<locale_string>>> {};

struct decl_name : identifier {};
struct type_name : identifier {};
struct optional_mark : one<'?'> {};
struct field_default : string_lit {};
struct field_decl
    : seq<NUDGE_KW("field"), ws, must<decl_name>, ws, must<colon>, ws, must<type_name>,
          opt<optional_mark>, opt<ws, one<'='>, ws, must<field_default>>> {};
struct fact_decl
    : seq<NUDGE_KW("fact"), ws, must<decl_name>, ws, must<colon>, ws, must<type_name>> {};

struct kind_name : channel_kind {};
// A channel name is only a name when a kind follows it: `channel sms to …` has none.
struct channel_name : seq<identifier, at<ws, channel_kind>> {};
struct to_kw : NUDGE_KW("to") {};
struct to_literal : string_lit {};
struct to_field : identifier {};
struct channel_to : sor<to_literal, to_field> {};
struct sender : string_lit {};
struct channel_off : NUDGE_KW("off") {};
// `from any` after a channel opens the flow-wide handler block: it is not the channel's sender.
struct channel_decl
    : seq<NUDGE_KW("channel"), ws, opt<channel_name, ws>, must<kind_name>, ws, must<to_kw>, ws,
          must<channel_to>, opt<ws, NUDGE_KW("from"), ws, not_at<NUDGE_KW("any")>, must<sender>>,
          opt<ws, channel_off>> {};

struct day : sor<NUDGE_KW("mon"), NUDGE_KW("tue"), NUDGE_KW("wed"), NUDGE_KW("thu"),
                 NUDGE_KW("fri"), NUDGE_KW("sat"), NUDGE_KW("sun")> {};
struct last_day : day {};
struct day_range : seq<day, opt<one<'-'>, must<last_day>>> {};
struct clock : seq<digit, digit, one<':'>, digit, digit, not_at<identifier_other>> {};
struct open_clock : clock {};
struct close_clock : clock {};
struct clock_dash : one<'-'> {};
struct slot : seq<day_range, ws, must<open_clock>, must<clock_dash>, must<close_clock>> {};
struct first_slot : slot {};
struct next_slot : slot {};
struct not_during_kw : NUDGE_KW("during") {};
struct not_during : seq<NUDGE_KW("not"), ws, must<not_during_kw>> {};
struct closed_day : seq<opt<digit, digit, digit, digit, one<'-'>>, digit, digit, one<'-'>, digit,
                        digit, not_at<identifier_other>> {};
struct first_closed : closed_day {};
struct next_closed : closed_day {};
struct closed_on_kw : NUDGE_KW("on") {};
struct closed_clause : seq<NUDGE_KW("closed"), ws, must<closed_on_kw>, ws, must<first_closed>,
                           star<comma, must<next_closed>>> {};
struct window_decl
    : seq<NUDGE_KW("window"), ws, must<decl_name>, ws, must<equals>, ws, opt<not_during, ws>,
          must<first_slot>, star<comma, must<next_slot>>, opt<ws, closed_clause>> {};

struct month_day : seq<digit, digit, one<'-'>, digit, digit, not_at<identifier_other>> {};
struct season_first : month_day {};
struct season_dots : string<'.', '.'> {};
struct season_last : month_day {};
struct season_decl : seq<NUDGE_KW("season"), ws, must<decl_name>, ws, must<equals>, ws,
                         must<season_first>, must<season_dots>, must<season_last>> {};

struct first_str : str {};
struct next_str : str {};
struct string_list : seq<must<first_str>, star<comma, must<next_str>>> {};
// How a reply must hold the words (default: any of them occurs), and whether accents count.
struct of_kw : NUDGE_KW("of") {};
struct with_kw : NUDGE_KW("with") {};
struct accents_kw : NUDGE_KW("accents") {};
struct match_all : seq<NUDGE_KW("all"), ws, must<of_kw>> {};
struct match_start : seq<NUDGE_KW("starting"), ws, must<with_kw>> {};
struct match_exact : NUDGE_KW("exactly") {};
struct keyword_match : sor<match_all, match_start, match_exact> {};
struct ignoring_accents : seq<NUDGE_KW("ignoring"), ws, must<accents_kw>> {};
// A number test instead of words: `number` (any number) or `number 9 to 10` (inclusive).
struct range_bound
    : seq<opt<one<'-'>>, plus<digit>, opt<one<'.'>, plus<digit>>, not_at<identifier_other>> {};
struct range_min : range_bound {};
struct range_max : range_bound {};
struct range_to : NUDGE_KW("to") {};
struct number_range : seq<range_min, ws, must<range_to>, ws, must<range_max>> {};
struct number_test : seq<NUDGE_KW("number"), opt<ws, number_range>> {};
struct pattern_str : string_lit {};
struct pattern_test : seq<NUDGE_KW("pattern"), ws, must<pattern_str>> {};
struct word_test : seq<opt<keyword_match, ws>, string_list, opt<ws, ignoring_accents>> {};
// A test of what the reply means, in the flow's language: `yes`, `no`, or a `date` in it.
struct yes_test : NUDGE_KW("yes") {};
struct no_test : NUDGE_KW("no") {};
struct date_test : NUDGE_KW("date") {};
struct time_test : NUDGE_KW("time") {};
struct meaning_test : sor<yes_test, no_test, date_test, time_test> {};
struct keywords_decl : seq<NUDGE_KW("keywords"), ws, must<decl_name>, ws, must<equals>, ws,
                           sor<number_test, pattern_test, meaning_test, word_test>> {};
struct list_decl : seq<NUDGE_KW("list"), ws, must<decl_name>, ws, must<equals>, ws, string_list> {};

struct region : seq<upper, upper, not_at<identifier_other>> {};
struct region_item : region {};
struct numbers_all : NUDGE_KW("all") {};
struct numbers_nordic : NUDGE_KW("nordic") {};
struct region_list : seq<one<'['>, ws, must<region_item>, star<comma, must<region_item>>, ws,
                         must<close_bracket>> {};
struct number_policy : sor<numbers_all, numbers_nordic, region_item, region_list> {};
struct numbers_every_kind : seq<NUDGE_KW("every"), ws, NUDGE_KW("kind")> {};
struct numbers_decl
    : seq<NUDGE_KW("numbers"), ws, must<number_policy>, opt<comma, must<numbers_every_kind>>> {};
struct opt_out_decl : seq<NUDGE_KW("opt_out"), ws, string_list> {};
struct setting_name : identifier {};
struct settings_decl
    : seq<NUDGE_KW("settings"), ws, must<setting_name>, star<comma, must<setting_name>>> {};

struct cap_channel : identifier {};
struct cap_count : count_lit {};
struct per_kw : NUDGE_KW("per") {};
struct cap_period : duration_lit {};
struct cap_segments : NUDGE_KW("segments") {};
struct cap_per : seq<per_kw, ws, must<cap_period>> {};
struct cap_unit : sor<cap_segments, cap_per> {};
struct cap_decl
    : seq<NUDGE_KW("cap"), ws, must<cap_channel>, ws, must<cap_count>, ws, must<cap_unit>> {};

struct template_kind : channel_kind {};
struct subject_text : string_lit {};
struct template_text : string_lit {};
struct template_decl
    : seq<NUDGE_KW("template"), ws, must<decl_name>, opt<ws, template_kind>,
          opt<ws, NUDGE_KW("subject"), ws, must<subject_text>>, ws, must<template_text>> {};

struct classifier_name : identifier {};
struct from_kw : NUDGE_KW("from") {};
struct source_field : identifier {};
struct rule_label : identifier {};
struct classifier_rule : seq<rule_label, ws, must<colon>, ws, string_list> {};
struct classifier_open : one<'{'> {};
struct classifier_close : one<'}'> {};
struct classify_decl
    : seq<NUDGE_KW("classify"), ws, must<classifier_name>, ws, must<from_kw>, ws,
          must<source_field>, star<comma, must<source_field>>, ws, must<classifier_open>, ws,
          opt<classifier_rule>, star<ws, one<';'>, ws, opt<classifier_rule>>, ws,
          must<classifier_close>> {};

// ---------------------------------------------------------------------------------------------
// Triggers

struct trigger_kw : NUDGE_KW("trigger") {};
struct trigger_event : event_name {};
struct as_kw : NUDGE_KW("as") {};
struct trigger_key : identifier {};
struct delay_stmt : seq<NUDGE_KW("delay"), ws, must<duration_lit>> {};
struct during_kw : NUDGE_KW("during") {};
struct only_window : identifier {};
struct only_stmt : seq<NUDGE_KW("only"), ws, must<during_kw>, ws, must<only_window>> {};
struct cooldown_field : identifier {};
struct cooldown_stmt : seq<NUDGE_KW("cooldown"), ws, must<duration_lit>,
                           opt<ws, NUDGE_KW("per"), ws, must<cooldown_field>>> {};
struct unless_expr : seq<expr> {};
struct unless_stmt : seq<NUDGE_KW("unless"), ws, must<unless_expr>> {};
struct start_state : identifier {};
struct start_stmt : seq<NUDGE_KW("start"), ws, must<start_state>> {};
struct trigger_stmt : sor<delay_stmt, only_stmt, cooldown_stmt, unless_stmt, start_stmt> {};
struct trigger_open : one<'{'> {};
struct trigger_close : one<'}'> {};
struct trigger_decl
    : seq<trigger_kw, ws, must<trigger_event>, ws, must<as_kw>, ws, must<trigger_key>, ws,
          must<trigger_open>, star<ws, trigger_stmt>, ws, must<trigger_close>> {};

// ---------------------------------------------------------------------------------------------
// Actions

struct target_restart : NUDGE_KW("restart") {};
struct target_inbox : NUDGE_KW("inbox") {};
struct target_state : identifier {};
struct target : sor<target_restart, target_inbox, target_state> {};

struct send_kw : NUDGE_KW("send") {};
struct send_channel : identifier {};
struct send_text : string_lit {};
struct send_template : identifier {};
struct send_what : sor<send_text, send_template> {};
struct fallback_channel : identifier {};
struct send_stmt : seq<send_kw, ws, must<send_channel>, ws, must<send_what>,
                       opt<ws, NUDGE_KW("fallback"), ws, must<fallback_channel>,
                           star<comma, must<fallback_channel>>>,
                       opt<ws, within_clause>> {};
struct do_kw : NUDGE_KW("do") {};
struct host_action : string_lit {};
struct do_stmt : seq<do_kw, ws, must<host_action>> {};
struct emit_kw : NUDGE_KW("emit") {};
struct emit_event : event_name {};
struct emit_stmt : seq<emit_kw, ws, must<emit_event>> {};
struct set_kw : NUDGE_KW("set") {};
struct set_field : identifier {};
struct set_value : seq<expr> {};
struct set_stmt : seq<set_kw, ws, must<set_field>, ws, must<equals>, ws, must<set_value>> {};
struct action_stmt : sor<send_stmt, do_stmt, emit_stmt, set_stmt> {};

// ---------------------------------------------------------------------------------------------
// State statements

struct every_kw : NUDGE_KW("every") {};
struct every_interval : duration_lit {};
struct max_count : count_lit {};
struct while_expr : seq<expr> {};
struct every_open : one<'{'> {};
struct every_close : one<'}'> {};
struct every_stmt
    : seq<every_kw, ws, must<every_interval>, opt<ws, NUDGE_KW("max"), ws, must<max_count>>,
          opt<ws, within_clause>, opt<ws, NUDGE_KW("while"), ws, must<while_expr>>, ws,
          must<every_open>, star<ws, action_stmt>, ws, must<every_close>> {};

struct condition : seq<expr> {};
struct if_clause : seq<NUDGE_KW("if"), ws, must<condition>> {};
struct choice_arrow : arrow {};
struct if_choice
    : seq<NUDGE_KW("if"), ws, must<condition>, ws, must<choice_arrow>, ws, must<target>> {};
struct else_arrow : arrow {};
struct else_choice : seq<NUDGE_KW("else"), ws, must<else_arrow>, ws, must<target>> {};

struct on_kw : NUDGE_KW("on") {};
struct after_kw : NUDGE_KW("after") {};
struct at_kw : NUDGE_KW("at") {};
struct reply_route : identifier {};
struct reply_arrow : arrow {};
// `as FIELD` keeps what the reply matched in a field of the flow.
struct reply_capture : identifier {};
struct capture_clause : seq<NUDGE_KW("as"), ws, must<reply_capture>> {};
struct reply_handler
    : seq<NUDGE_KW("reply"), not_at<one<'.'>>, ws, must<reply_route>, opt<ws, capture_clause>,
          opt<ws, if_clause>, ws, must<reply_arrow>, ws, must<target>> {};
struct on_event : event_name {};
struct event_arrow : arrow {};
struct event_handler : seq<on_event, opt<ws, if_clause>, ws, must<event_arrow>, ws, must<target>> {
};
struct on_what : sor<reply_handler, event_handler> {};
struct on_handler : seq<on_kw, ws, must<on_what>> {};

struct after_delay : duration_lit {};
struct after_arrow : arrow {};
struct after_handler : seq<after_kw, ws, must<after_delay>, opt<ws, within_clause>, ws,
                           must<after_arrow>, ws, must<target>> {};

// `at season - 1d` is an expression on a field called season; a name after `season` is not.
struct season_ref : identifier {};
struct spread_evenly : NUDGE_KW("evenly") {};
struct spread_field : identifier {};
struct spread_how : sor<spread_evenly, seq<NUDGE_KW("by"), ws, must<spread_field>>> {};
struct spread_clause : seq<NUDGE_KW("spread"), ws, must<spread_how>> {};
struct season_arrow : arrow {};
struct season_handler : seq<NUDGE_KW("season"), ws, season_ref, opt<ws, spread_clause>,
                            opt<ws, within_clause>, ws, must<season_arrow>, ws, must<target>> {};
struct at_time : seq<expr> {};
struct at_arrow : arrow {};
struct at_expr_handler
    : seq<at_time, opt<ws, within_clause>, ws, must<at_arrow>, ws, must<target>> {};
struct at_what : sor<season_handler, at_expr_handler> {};
struct at_handler : seq<at_kw, ws, must<at_what>> {};

struct handler : sor<on_handler, after_handler, at_handler> {};

struct remind_kw : NUDGE_KW("remind") {};
struct remind_after_kw : NUDGE_KW("after") {};
struct remind_delay : duration_lit {};
struct via_channel : identifier {};
struct prefix_text : string_lit {};
struct times_count : count_lit {};
struct remind_within : within_clause {};
struct remind_via : seq<NUDGE_KW("via"), ws, must<via_channel>> {};
struct remind_prefix : seq<NUDGE_KW("prefix"), ws, must<prefix_text>> {};
struct remind_times : seq<NUDGE_KW("times"), ws, must<times_count>> {};
struct remind_option : sor<remind_within, remind_via, remind_prefix, remind_times> {};
struct remind_from_first : seq<NUDGE_KW("from"), ws, NUDGE_KW("first")> {};
struct remind_stmt : seq<remind_kw, ws, must<remind_after_kw>, ws, must<remind_delay>,
                         opt<ws, remind_from_first>, star<ws, remind_option>> {};

struct outcome_label : identifier {};
struct outcome_value : seq<expr> {};
struct outcome_stmt : seq<NUDGE_KW("outcome"), ws, must<outcome_label>,
                          opt<ws, NUDGE_KW("value"), ws, must<outcome_value>>> {};

struct state_stmt
    : sor<action_stmt, every_stmt, if_choice, else_choice, handler, remind_stmt, outcome_stmt> {};
struct state_open : one<'{'> {};
struct state_close : one<'}'> {};
struct state_body : seq<state_open, star<ws, state_stmt>, ws, must<state_close>> {};
struct state_kw : NUDGE_KW("state") {};
struct final_kw : NUDGE_KW("final") {};
struct state_name : identifier {};
struct final_name : identifier {};
struct state_decl : seq<state_kw, ws, must<state_name>, ws, must<state_body>> {};
struct final_decl : seq<final_kw, ws, must<final_name>, opt<ws, state_body>> {};

struct from_any_kw : NUDGE_KW("from") {};
struct any_kw : NUDGE_KW("any") {};
struct from_any_open : one<'{'> {};
struct from_any_close : one<'}'> {};
struct from_any_decl : seq<from_any_kw, ws, must<any_kw>, ws, must<from_any_open>,
                           star<ws, handler>, ws, must<from_any_close>> {};

// ---------------------------------------------------------------------------------------------

struct declaration
    : sor<field_decl, fact_decl, channel_decl, window_decl, season_decl, keywords_decl, list_decl,
          numbers_decl, opt_out_decl, settings_decl, cap_decl, template_decl, classify_decl,
          trigger_decl, state_decl, final_decl, from_any_decl> {};
struct end_of_flow : eof {};
struct flow_file : seq<ws, header, star<ws, declaration>, ws, must<end_of_flow>> {};

// parse_expression: one whole expression.
struct whole_expr : seq<expr> {};
struct end_of_expr : eof {};
struct expression_only : seq<ws, must<whole_expr>, ws, must<end_of_expr>> {};

#undef NUDGE_KW

} // namespace nudge::detail::grammar
