#pragma once
// Counters, gauges and histograms for GET /metrics, in Prometheus' text format 0.0.4. Labels
// carry only names from a small fixed set (routes, statuses, reasons, channels): never a phone
// number or an id.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nudge::server {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
public:
    // Declares a family once, before its first sample; `type` is counter, gauge or histogram.
    void family(const std::string& name, const std::string& type, const std::string& help,
                std::vector<double> buckets = {});
    void add(const std::string& name, const Labels& labels = {}, double by = 1);
    void set(const std::string& name, const Labels& labels, double value);
    void observe(const std::string& name, double value, const Labels& labels = {});
    // The current value of a counter or gauge series (0 when it has none).
    double value(const std::string& name, const Labels& labels = {}) const;
    std::string text() const;

private:
    struct Series {
        double value = 0;
        std::vector<double> counts; // histogram: per bucket, not cumulative
        double sum = 0;
        double count = 0;
    };
    struct Family {
        std::string type, help;
        std::vector<double> buckets;
        std::map<std::string, Series> series; // by rendered label set
    };
    std::map<std::string, Family> families_;
    static std::string render(const Labels& labels);
    Series& at(const std::string& name, const Labels& labels);
};

} // namespace nudge::server
