#include "metrics.hpp"

#include <nudge/error.hpp>

#include <cmath>
#include <cstdio>

namespace nudge::server {

namespace {

std::string escape_label(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

} // namespace

void Metrics::family(const std::string& name, const std::string& type, const std::string& help,
                     std::vector<double> buckets) {
    auto& f = families_[name];
    f.type = type;
    f.help = help;
    f.buckets = std::move(buckets);
}

std::string Metrics::render(const Labels& labels) {
    std::string out;
    for (const auto& [k, v] : labels)
        out += (out.empty() ? "" : ",") + k + "=\"" + escape_label(v) + "\"";
    return out;
}

Metrics::Series& Metrics::at(const std::string& name, const Labels& labels) {
    auto it = families_.find(name);
    if (it == families_.end()) throw error("metrics: no family " + name);
    auto& s = it->second.series[render(labels)];
    if (it->second.type == "histogram" && s.counts.empty())
        s.counts.assign(it->second.buckets.size(), 0);
    return s;
}

void Metrics::add(const std::string& name, const Labels& labels, double by) {
    at(name, labels).value += by;
}

void Metrics::set(const std::string& name, const Labels& labels, double value) {
    at(name, labels).value = value;
}

void Metrics::observe(const std::string& name, double value, const Labels& labels) {
    auto& s = at(name, labels);
    const auto& buckets = families_[name].buckets;
    for (std::size_t i = 0; i < buckets.size(); ++i)
        if (value <= buckets[i]) {
            s.counts[i] += 1;
            break;
        }
    s.sum += value;
    s.count += 1;
}

double Metrics::value(const std::string& name, const Labels& labels) const {
    auto it = families_.find(name);
    if (it == families_.end()) return 0;
    auto s = it->second.series.find(render(labels));
    return s == it->second.series.end() ? 0 : s->second.value;
}

std::string Metrics::text() const {
    std::string out;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + " " + f.help + "\n";
        out += "# TYPE " + name + " " + f.type + "\n";
        for (const auto& [labels, s] : f.series) {
            if (f.type != "histogram") {
                out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number(s.value) +
                       "\n";
                continue;
            }
            double cumulative = 0;
            auto prefix = labels.empty() ? std::string() : labels + ",";
            for (std::size_t i = 0; i < f.buckets.size(); ++i) {
                cumulative += s.counts[i];
                out += name + "_bucket{" + prefix + "le=\"" + number(f.buckets[i]) + "\"} " +
                       number(cumulative) + "\n";
            }
            out += name + "_bucket{" + prefix + "le=\"+Inf\"} " + number(s.count) + "\n";
            auto braces = labels.empty() ? std::string() : "{" + labels + "}";
            out += name + "_sum" + braces + " " + number(s.sum) + "\n";
            out += name + "_count" + braces + " " + number(s.count) + "\n";
        }
    }
    return out;
}

} // namespace nudge::server
