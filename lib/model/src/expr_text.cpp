// Printing expressions and string literals in the language's own syntax. The formatter and
// the YAML writer both use this, so an expression reads the same in either form.
#include <nudge/flow.hpp>

#include <charconv>

namespace nudge {

namespace {

// Binding strength, loosest first; matches the grammar in dsl/src/parse/grammar.hpp.
enum Level {
    or_level = 1,
    and_level,
    not_level,
    cmp_level,
    coalesce_level,
    add_level,
    neg_level,
    primary_level
};

int binary_level(std::string_view op) {
    if (op == "or") return or_level;
    if (op == "and") return and_level;
    if (op == "??") return coalesce_level;
    if (op == "+" || op == "-") return add_level;
    return cmp_level;
}

int level_of(const Expr& e) {
    switch (e.kind) {
    case ExprKind::binary: return binary_level(e.text);
    case ExprKind::unary: return e.text == "not" ? not_level : neg_level;
    default: return primary_level;
    }
}

std::string number_text(double v) {
    // Fixed notation, always: the language has no exponents, so 1e+55 would not read back.
    // The shortest fixed form that round-trips needs at most 309 digits before the point.
    char buf[512];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    if (ec != std::errc{}) return "0";
    return std::string(buf, end);
}

void print(std::string& out, const Expr& e);

void print_at_least(std::string& out, const Expr& e, int min_level) {
    if (level_of(e) < min_level) {
        out += '(';
        print(out, e);
        out += ')';
    } else {
        print(out, e);
    }
}

void print(std::string& out, const Expr& e) {
    switch (e.kind) {
    case ExprKind::string: out += quote(e.text); break;
    case ExprKind::number: out += number_text(e.number); break;
    case ExprKind::boolean: out += e.boolean ? "true" : "false"; break;
    case ExprKind::none: out += "none"; break;
    case ExprKind::duration: out += to_text(e.duration); break;
    case ExprKind::field: out += e.text; break;
    case ExprKind::member:
        if (!e.args.empty()) print_at_least(out, e.args[0], primary_level);
        out += '.';
        out += e.text;
        break;
    case ExprKind::call:
    case ExprKind::list: {
        if (e.kind == ExprKind::call) out += e.text;
        out += e.kind == ExprKind::call ? '(' : '[';
        for (std::size_t i = 0; i < e.args.size(); ++i) {
            if (i) out += ", ";
            print(out, e.args[i]);
        }
        out += e.kind == ExprKind::call ? ')' : ']';
        break;
    }
    case ExprKind::unary:
        if (e.text == "not") {
            out += "not ";
            if (!e.args.empty()) print_at_least(out, e.args[0], not_level);
        } else {
            out += '-';
            if (!e.args.empty()) print_at_least(out, e.args[0], neg_level);
        }
        break;
    case ExprKind::binary: {
        int level = binary_level(e.text);
        // Left-associative, except comparisons, which do not chain: both sides bind tighter.
        int left_min = level == cmp_level ? level + 1 : level;
        if (e.args.size() == 2) {
            print_at_least(out, e.args[0], left_min);
            out += ' ';
            out += e.text;
            out += ' ';
            print_at_least(out, e.args[1], level + 1);
        }
        break;
    }
    }
}

} // namespace

std::string to_text(const Expr& e) {
    std::string out;
    print(out, e);
    return out;
}

std::string to_text(const KeywordsDecl::Range& r) {
    return number_text(r.min) + " to " + number_text(r.max);
}

std::string quote(std::string_view text) {
    bool multiline = text.find('\n') != std::string_view::npos;
    if (multiline && text.find("\"\"\"") == std::string_view::npos &&
        (text.empty() || text.back() != '"')) {
        // The newline right after the opening quotes is dropped by the reader.
        return "\"\"\"\n" + std::string(text) + "\"\"\"";
    }
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default: out += c;
        }
    }
    out += '"';
    return out;
}

} // namespace nudge
