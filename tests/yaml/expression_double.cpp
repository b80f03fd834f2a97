// TEST DOUBLE — remove once branch `text` provides the real nudge::detail::parse_expression
// (dsl/text/parser.cpp). A small recursive-descent parser for the expression grammar of
// dsl/REFERENCE.md, good enough for the expressions these tests use; it lives in tests/ only so
// that the YAML front end can be built and tested before the PEGTL grammar lands.
#include "text/fragments.hpp"

#include <cctype>
#include <charconv>

namespace nudge::detail {

namespace {

class Parser {
public:
    Parser(std::string_view text, const std::string& file, SourcePos origin, Diagnostics& d)
        : s_(text), file_(file), origin_(origin), diags_(d) {}

    std::optional<Expr> run() {
        auto e = parse_or();
        skip();
        if (!e || i_ != s_.size()) {
            if (!failed_) fail("unexpected text in expression");
            return std::nullopt;
        }
        return e;
    }

private:
    std::string_view s_;
    const std::string& file_;
    SourcePos origin_;
    Diagnostics& diags_;
    std::size_t i_ = 0;
    bool failed_ = false;

    SourcePos at(std::size_t k) const {
        return {origin_.line, origin_.column + static_cast<std::uint32_t>(k)};
    }
    void fail(const std::string& msg) {
        if (failed_) return;
        failed_ = true;
        std::string seen = i_ < s_.size() ? "'" + std::string(s_.substr(i_, 1)) + "'"
                                          : "the end of the expression";
        diags_.error("syntax", msg + ", saw " + seen, file_, at(i_));
    }
    void skip() {
        while (i_ < s_.size() && s_[i_] == ' ') ++i_;
    }
    bool word_at(std::string_view w) {
        skip();
        if (s_.substr(i_, w.size()) != w) return false;
        auto end = i_ + w.size();
        if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) ||
                                s_[end] == '_')) {
            return false;
        }
        return true;
    }
    bool eat_word(std::string_view w) {
        if (!word_at(w)) return false;
        i_ += w.size();
        return true;
    }
    bool eat(std::string_view sym) {
        skip();
        if (s_.substr(i_, sym.size()) != sym) return false;
        i_ += sym.size();
        return true;
    }
    Expr node(ExprKind k, std::string text, std::size_t begin) {
        Expr e;
        e.kind = k;
        e.text = std::move(text);
        e.loc = {at(begin), at(i_)};
        return e;
    }
    Expr binary(std::string op, Expr l, Expr r, std::size_t begin) {
        auto e = node(ExprKind::binary, std::move(op), begin);
        e.args = {std::move(l), std::move(r)};
        return e;
    }

    std::optional<Expr> parse_or() {
        skip();
        auto b = i_;
        auto l = parse_and();
        while (l && eat_word("or")) {
            auto r = parse_and();
            if (!r) return std::nullopt;
            l = binary("or", std::move(*l), std::move(*r), b);
        }
        return l;
    }
    std::optional<Expr> parse_and() {
        skip();
        auto b = i_;
        auto l = parse_not();
        while (l && eat_word("and")) {
            auto r = parse_not();
            if (!r) return std::nullopt;
            l = binary("and", std::move(*l), std::move(*r), b);
        }
        return l;
    }
    std::optional<Expr> parse_not() {
        skip();
        auto b = i_;
        if (eat_word("not")) {
            auto x = parse_not();
            if (!x) return std::nullopt;
            auto e = node(ExprKind::unary, "not", b);
            e.args.push_back(std::move(*x));
            return e;
        }
        return parse_cmp();
    }
    std::optional<Expr> parse_cmp() {
        skip();
        auto b = i_;
        auto l = parse_coalesce();
        if (!l) return l;
        for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
            if (eat(op)) {
                auto r = parse_coalesce();
                if (!r) return std::nullopt;
                return binary(std::string(op), std::move(*l), std::move(*r), b);
            }
        }
        if (eat_word("in")) {
            auto r = parse_coalesce();
            if (!r) return std::nullopt;
            return binary("in", std::move(*l), std::move(*r), b);
        }
        return l;
    }
    std::optional<Expr> parse_coalesce() {
        skip();
        auto b = i_;
        auto l = parse_add();
        while (l && eat("??")) {
            auto r = parse_add();
            if (!r) return std::nullopt;
            l = binary("??", std::move(*l), std::move(*r), b);
        }
        return l;
    }
    std::optional<Expr> parse_add() {
        skip();
        auto b = i_;
        auto l = parse_neg();
        while (l) {
            std::string op;
            if (eat("+")) op = "+";
            else if (eat("-")) op = "-";
            else break;
            auto r = parse_neg();
            if (!r) return std::nullopt;
            l = binary(op, std::move(*l), std::move(*r), b);
        }
        return l;
    }
    std::optional<Expr> parse_neg() {
        skip();
        auto b = i_;
        if (eat("-")) {
            auto x = parse_neg();
            if (!x) return std::nullopt;
            auto e = node(ExprKind::unary, "-", b);
            e.args.push_back(std::move(*x));
            return e;
        }
        auto p = parse_primary();
        while (p && i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            auto name = ident();
            if (name.empty()) {
                fail("expected a member name");
                return std::nullopt;
            }
            auto e = node(ExprKind::member, name, b);
            e.args.push_back(std::move(*p));
            p = std::move(e);
        }
        return p;
    }
    std::string ident() {
        auto b = i_;
        if (i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) {
            while (i_ < s_.size() &&
                   (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) {
                ++i_;
            }
        }
        return std::string(s_.substr(b, i_ - b));
    }
    bool args(char close, std::vector<Expr>& out) {
        if (eat(std::string_view(&close, 1))) return true;
        while (true) {
            auto a = parse_or();
            if (!a) return false;
            out.push_back(std::move(*a));
            if (eat(std::string_view(&close, 1))) return true;
            if (!eat(",")) {
                fail(std::string("expected ',' or '") + close + "'");
                return false;
            }
        }
    }
    std::optional<Expr> parse_primary() {
        skip();
        auto b = i_;
        if (i_ >= s_.size()) {
            fail("expected an expression");
            return std::nullopt;
        }
        char c = s_[i_];
        if (c == '"') {
            std::string v;
            ++i_;
            while (i_ < s_.size() && s_[i_] != '"') {
                if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
                    ++i_;
                    v += s_[i_] == 'n' ? '\n' : s_[i_] == 't' ? '\t' : s_[i_];
                } else {
                    v += s_[i_];
                }
                ++i_;
            }
            if (i_ >= s_.size()) {
                fail("unterminated string");
                return std::nullopt;
            }
            ++i_;
            return node(ExprKind::string, v, b);
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) ||
                                      s_[i_] == '.')) {
                ++i_;
            }
            auto tok = s_.substr(b, i_ - b);
            if (auto d = parse_duration(tok)) {
                auto e = node(ExprKind::duration, "", b);
                e.duration = *d;
                return e;
            }
            double v = 0;
            auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
            if (ec != std::errc{} || end != tok.data() + tok.size()) {
                i_ = b;
                fail("expected a number or duration");
                return std::nullopt;
            }
            auto e = node(ExprKind::number, "", b);
            e.number = v;
            return e;
        }
        if (c == '(') {
            ++i_;
            auto e = parse_or();
            if (!e) return std::nullopt;
            if (!eat(")")) {
                fail("expected ')'");
                return std::nullopt;
            }
            return e;
        }
        if (c == '[') {
            ++i_;
            auto e = node(ExprKind::list, "", b);
            if (!args(']', e.args)) return std::nullopt;
            e.loc.end = at(i_);
            return e;
        }
        auto name = ident();
        if (name.empty() || name == "and" || name == "or" || name == "not" || name == "in") {
            i_ = b;
            fail("expected an expression");
            return std::nullopt;
        }
        if (name == "true" || name == "false") {
            auto e = node(ExprKind::boolean, "", b);
            e.boolean = name == "true";
            return e;
        }
        if (i_ < s_.size() && s_[i_] == '(') {
            ++i_;
            auto e = node(ExprKind::call, name, b);
            if (!args(')', e.args)) return std::nullopt;
            e.loc.end = at(i_);
            return e;
        }
        return node(ExprKind::field, name, b);
    }
};

} // namespace

std::optional<Expr> parse_expression(std::string_view text, const std::string& file,
                                     SourcePos origin, Diagnostics& diagnostics) {
    return Parser(text, file, origin, diagnostics).run();
}

} // namespace nudge::detail
