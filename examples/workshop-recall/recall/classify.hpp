#pragma once
// Sorts a workshop visit by the words on its invoice: order lines, part names, repair codes and
// free-text remarks all count. A visit may be several kinds at once (service and a tyre change
// in one go).

#include <string>
#include <string_view>
#include <vector>

namespace recall {

enum class VisitKind { service, inspection, tyres };

std::string_view to_string(VisitKind kind);

// One kind and the words that mark it. A word matches a whole word of the text, case folded
// (Æ Ø Å included); a leading or trailing `*` lets it match the end or the start of a longer
// word, for Danish compounds: "*service" matches "intervalservice", "hjulskift*" "hjulskifte".
struct KindRule {
    VisitKind kind;
    std::vector<std::string> words;
};

class Classifier {
public:
    explicit Classifier(std::vector<KindRule> rules);
    // The workshop vocabulary the demo data uses.
    static Classifier workshop();

    // The kinds whose words occur in `text`, in rule order, each at most once.
    std::vector<VisitKind> classify(std::string_view text) const;

private:
    std::vector<KindRule> rules_;
};

// Lower case for ASCII and the Danish letters Æ Ø Å (UTF-8); other bytes are kept.
std::string fold_case(std::string_view text);
// The words of folded text: runs of letters and digits (any non-ASCII byte counts as a letter).
std::vector<std::string> words_of(std::string_view text);

} // namespace recall
