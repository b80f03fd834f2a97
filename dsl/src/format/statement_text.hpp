#pragma once
// The one-line canonical text of each IR element, without indentation or comments. The
// printer (format_flow.cpp) arranges these lines into blocks; keeping the spellings here means
// one place decides how a statement reads.

#include <nudge/flow.hpp>

#include <string>

namespace nudge::detail {

std::string header_text(const FlowDef& flow);   // flow NAME [for BUSINESS] [version N]
std::string statement_text(const FieldDecl& f); // field NAME: TYPE[?] [= "DEFAULT"]
std::string statement_text(const FactDecl& f);  // fact NAME: TYPE
std::string statement_text(const ChannelDecl& c);
std::string statement_text(const WindowDecl& w);
std::string statement_text(const SeasonDecl& s);
std::string statement_text(const KeywordsDecl& k);
std::string statement_text(const ListDecl& l);
std::string statement_text(const NumberPolicy& n);
std::string opt_out_text(const std::vector<std::string>& words);
std::string statement_text(const CapDecl& c);
std::string statement_text(const SegmentCapDecl& c);
std::string settings_text(const std::vector<SettingDecl>& settings); // settings A, B
std::string statement_text(const TemplateDecl& t);                   // may span lines ("""…""")
std::string classifier_head(const ClassifierDecl& c);                // classify NAME from A, B {
std::string rule_text(const ClassifierRule& r);                      // LABEL: "kw", "kw"   (no ';')
std::string trigger_head(const TriggerDecl& t);                      // trigger EVENT as KEY {
std::string state_head(const StateDecl& s); // state NAME | final NAME  (no '{')
std::string statement_text(const Action& a);
std::string repeat_head(const Repeat& r); // every … {
std::string statement_text(const Choice& c);
std::string statement_text(const Handler& h);
std::string statement_text(const Reminder& r);
std::string statement_text(const Outcome& o);

} // namespace nudge::detail
