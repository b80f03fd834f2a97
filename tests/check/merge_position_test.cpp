// A mistake in a merge field points at the field itself ({firstname}, with its braces), in both
// front ends, where the text lies on one line without escapes; otherwise at the statement.
#include <doctest/doctest.h>
#include <nudge/dsl.hpp>

#include <string>

using namespace nudge;

namespace {

const std::string flow_text = R"(flow merge
timezone "Europe/Copenhagen"
field phone: phone
field first_name: text
channel sms to phone from "4532100000"
template hello sms "Hej {firstname}, velkommen!"
trigger go as phone {
  start s
}
final s {
  send sms "Kære {first_name}, din kode er {kode}."
  send sms "Say \"hi\" to {nobody}"
}
)";

const std::string flow_yaml = R"(flow: merge
timezone: Europe/Copenhagen
fields:
  phone: phone
  first_name: text
channels:
  - kind: sms
    to: phone
    from: "4532100000"
templates:
  - name: hello
    kind: sms
    text: "Hej {firstname}, velkommen!"
triggers:
  - event: go
    key: phone
    start: s
states:
  - final: s
    actions:
      - send: sms
        text: Kære {first_name}, din kode er {kode}.
      - send: sms
        text: "Say \"hi\" to {nobody}"
)";

std::vector<Diagnostic> merge_errors(const ParseResult& r) {
    std::vector<Diagnostic> out;
    for (const auto& d : r.diagnostics)
        if (d.code == "unknown-merge-field") out.push_back(d);
    return out;
}

} // namespace

TEST_CASE("an unknown merge field is underlined itself in a .flow") {
    auto r = read_flow(flow_text, "merge.flow");
    auto ds = merge_errors(r);
    REQUIRE(ds.size() == 3);
    // template hello sms "Hej {firstname}, …": the quote is column 20, '{' column 25.
    CHECK(ds[0].pos == SourcePos{6, 25});
    CHECK(ds[0].length == 11);
    // Columns count bytes: "Kære" has a two-byte æ.
    CHECK(ds[1].pos == SourcePos{11, 45});
    CHECK(ds[1].length == 6);
    // Escapes move the text against the source: the whole statement is underlined.
    CHECK(ds[2].pos == SourcePos{12, 3});
}

TEST_CASE("an unknown merge field is underlined itself in a .flow.yaml") {
    auto r = read_flow(flow_yaml, "merge.flow.yaml");
    auto ds = merge_errors(r);
    REQUIRE(ds.size() == 3);
    CHECK(ds[0].pos == SourcePos{13, 16}); // quoted: the quote is column 11
    CHECK(ds[0].length == 11);
    CHECK(ds[1].pos == SourcePos{22, 47}); // plain, after the two-byte æ
    CHECK(ds[1].length == 6);
    CHECK(ds[2].pos == SourcePos{23, 9}); // escapes: the send action, not the field
}
