#include "alerts/rules.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <set>

namespace ephemery::alerts {
namespace {

const std::vector<std::string> top_level_keys{"include_builtin", "rules"};
const std::vector<std::string> rule_keys{"name",       "summary",       "metric",          "labels",
                                         "comparison", "threshold",     "for_epochs",      "severity",
                                         "escalation", "repeat_epochs", "notify_resolved", "channels"};
const std::vector<std::string> escalation_keys{"after_epochs", "severity"};

template <typename Table>
std::string allowed_names(const Table& table) {
    std::vector<std::string> names;
    names.reserve(table.size());
    for (const auto& [name, value] : table) names.emplace_back(name);
    return join(names, ", ");
}

bool is_metric_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        const bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i > 0)) return false;
    }
    return true;
}

bool is_label_name(std::string_view name) {
    return is_metric_name(name) && name.find(':') == std::string_view::npos;
}

bool is_rule_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || ptr != end) return std::nullopt;
    return value;
}

std::optional<double> parse_number(std::string_view text) {
    double value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || ptr != end || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<bool> parse_boolean(std::string_view text) {
    const std::string lower = to_lower(text);
    if (lower == "true") return true;
    if (lower == "false") return false;
    return std::nullopt;
}

// Collects every problem of a file, each prefixed with where it is.
class Problems {
  public:
    explicit Problems(std::string_view file_name) : file_name_(file_name) {}

    void add(const YAML::Node& node, std::string_view where, std::string_view message) {
        const YAML::Mark mark = node.Mark();
        if (mark.is_null()) {
            lines_.push_back(fmt::format("{}: {}: {}", file_name_, where, message));
        } else {
            lines_.push_back(
                fmt::format("{}:{}:{}: {}: {}", file_name_, mark.line + 1, mark.column + 1, where, message));
        }
    }

    void unknown_key(const YAML::Node& node, std::string_view where, const std::string& key,
                     const std::vector<std::string>& known) {
        std::string message = fmt::format("unknown key \"{}\" (allowed: {})", key, join(known, ", "));
        if (const auto guess = closest_match(key, known)) message += fmt::format("; did you mean \"{}\"?", *guess);
        add(node, where, message);
    }

    [[nodiscard]] bool empty() const { return lines_.empty(); }
    [[nodiscard]] std::string text() const { return join(lines_, "\n"); }

  private:
    std::string file_name_;
    std::vector<std::string> lines_;
};

std::optional<std::string> scalar_of(const YAML::Node& node) {
    if (!node.IsScalar()) return std::nullopt;
    return node.Scalar();
}

// Reads one rule; problems go to `problems`, the rule is returned whatever happened.
class RuleReader {
  public:
    RuleReader(Problems& problems, std::string where) : problems_(problems), where_(std::move(where)) {}

    Rule read(const YAML::Node& entry) {
        Rule rule;
        if (!entry.IsMap()) {
            problems_.add(entry, where_, "expected a map with name, metric, comparison, threshold, ...");
            return rule;
        }
        // The name first, so every later message can name the rule.
        for (auto it = entry.begin(); it != entry.end(); ++it) {
            if (scalar_of(it->first) == "name") {
                if (auto name = scalar_of(it->second); name && is_rule_name(*name)) {
                    rule.name = *name;
                    where_ += fmt::format(" \"{}\"", rule.name);
                }
            }
        }
        std::set<std::string> seen;
        for (auto it = entry.begin(); it != entry.end(); ++it) {
            const auto key = scalar_of(it->first);
            if (!key) {
                problems_.add(it->first, where_, "keys must be plain words");
                continue;
            }
            if (!seen.insert(*key).second) {
                problems_.add(it->first, key_where(*key), "given twice");
                continue;
            }
            read_key(*key, it->first, it->second, rule);
        }
        for (const char* required : {"name", "metric", "comparison", "threshold"}) {
            if (!seen.contains(required)) {
                problems_.add(entry, where_, fmt::format("missing required key \"{}\"", required));
            }
        }
        if (!rule.escalation.empty()) check_escalation(entry, rule);
        return rule;
    }

  private:
    [[nodiscard]] std::string key_where(std::string_view key) const { return fmt::format("{}.{}", where_, key); }

    std::optional<std::string> scalar(const YAML::Node& value, std::string_view key, std::string_view expected) {
        auto text = scalar_of(value);
        if (!text) problems_.add(value, key_where(key), fmt::format("expected {}", expected));
        return text;
    }

    void read_count(const YAML::Node& value, std::string_view key, std::uint64_t minimum, std::uint64_t& out) {
        const auto text = scalar(value, key, "a whole number");
        if (!text) return;
        const auto count = parse_count(*text);
        if (!count || *count < minimum) {
            problems_.add(value, key_where(key), fmt::format("\"{}\" is not a whole number >= {}", *text, minimum));
            return;
        }
        out = *count;
    }

    void read_severity(const YAML::Node& value, std::string_view where, Severity& out) {
        const auto text = scalar_of(value);
        const auto severity = text ? severity_from_name(*text) : std::nullopt;
        if (!severity) {
            std::vector<std::string> names;
            names.reserve(severity_names.size());
            for (const auto& [name, level] : severity_names) names.emplace_back(name);
            std::string message =
                fmt::format("\"{}\" is not a severity (allowed: {})", text.value_or("?"), join(names, ", "));
            if (text) {
                if (const auto guess = closest_match(*text, names))
                    message += fmt::format("; did you mean \"{}\"?", *guess);
            }
            problems_.add(value, where, message);
            return;
        }
        out = *severity;
    }

    void read_key(const std::string& key, const YAML::Node& key_node, const YAML::Node& value, Rule& rule) {
        if (key == "name") {
            const auto text = scalar(value, key, "a name");
            if (text && !is_rule_name(*text)) {
                problems_.add(value, key_where(key),
                              fmt::format("\"{}\" is not a rule name (letters, digits, _ - . only)", *text));
            }
        } else if (key == "summary") {
            if (const auto text = scalar(value, key, "text")) rule.summary = *text;
        } else if (key == "metric") {
            const auto text = scalar(value, key, "a metric name");
            if (text && !is_metric_name(*text)) {
                problems_.add(value, key_where(key), fmt::format("\"{}\" is not a Prometheus metric name", *text));
            } else if (text) {
                rule.metric = *text;
            }
        } else if (key == "labels") {
            read_matchers(value, rule);
        } else if (key == "comparison") {
            const auto text = scalar(value, key, "a comparison");
            if (!text) return;
            if (const auto comparison = comparison_from_symbol(trim(*text))) {
                rule.comparison = *comparison;
            } else {
                problems_.add(
                    value, key_where(key),
                    fmt::format("\"{}\" is not a comparison (allowed: {})", *text, allowed_names(comparison_symbols)));
            }
        } else if (key == "threshold") {
            const auto text = scalar(value, key, "a number");
            if (!text) return;
            if (const auto number = parse_number(*text)) {
                rule.threshold = *number;
            } else {
                problems_.add(value, key_where(key), fmt::format("\"{}\" is not a finite number", *text));
            }
        } else if (key == "for_epochs") {
            read_count(value, key, 1, rule.for_epochs);
        } else if (key == "severity") {
            read_severity(value, key_where(key), rule.severity);
        } else if (key == "escalation") {
            read_escalation(value, rule);
        } else if (key == "repeat_epochs") {
            read_count(value, key, 0, rule.repeat_epochs);
        } else if (key == "notify_resolved") {
            const auto text = scalar(value, key, "true or false");
            if (!text) return;
            if (const auto flag = parse_boolean(*text)) {
                rule.notify_resolved = *flag;
            } else {
                problems_.add(value, key_where(key), fmt::format("\"{}\" is not true or false", *text));
            }
        } else if (key == "channels") {
            read_channels(value, rule);
        } else {
            problems_.unknown_key(key_node, where_, key, rule_keys);
        }
    }

    void read_matchers(const YAML::Node& value, Rule& rule) {
        if (!value.IsMap()) {
            if (!value.IsNull()) problems_.add(value, key_where("labels"), "expected a map of label: value");
            return;
        }
        for (auto it = value.begin(); it != value.end(); ++it) {
            const auto name = scalar_of(it->first);
            const auto label_value = scalar_of(it->second);
            if (!name || !is_label_name(*name)) {
                problems_.add(it->first, key_where("labels"),
                              fmt::format("\"{}\" is not a label name", name.value_or("?")));
                continue;
            }
            if (!label_value) {
                problems_.add(it->second, key_where("labels." + *name), "expected a value to compare with");
                continue;
            }
            const bool duplicate = std::any_of(rule.matchers.begin(), rule.matchers.end(),
                                               [&](const auto& matcher) { return matcher.first == *name; });
            if (duplicate) {
                problems_.add(it->first, key_where("labels." + *name), "given twice");
                continue;
            }
            rule.matchers.emplace_back(*name, *label_value);
        }
        std::sort(rule.matchers.begin(), rule.matchers.end());
    }

    void read_escalation(const YAML::Node& value, Rule& rule) {
        if (!value.IsSequence()) {
            if (!value.IsNull()) {
                problems_.add(value, key_where("escalation"), "expected a list of {after_epochs, severity}");
            }
            return;
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
            const YAML::Node step_node = value[i];
            const std::string where = fmt::format("{}[{}]", key_where("escalation"), i);
            if (!step_node.IsMap()) {
                problems_.add(step_node, where, "expected {after_epochs: N, severity: critical}");
                continue;
            }
            Escalation step;
            bool has_after = false;
            for (auto it = step_node.begin(); it != step_node.end(); ++it) {
                const std::string key = scalar_of(it->first).value_or("?");
                if (key == "after_epochs") {
                    has_after = true;
                    const auto text = scalar_of(it->second);
                    const auto count = text ? parse_count(*text) : std::nullopt;
                    if (!count || *count < 1) {
                        problems_.add(it->second, where + ".after_epochs",
                                      fmt::format("\"{}\" is not a whole number >= 1", text.value_or("?")));
                    } else {
                        step.after_epochs = *count;
                    }
                } else if (key == "severity") {
                    read_severity(it->second, where + ".severity", step.severity);
                } else {
                    problems_.unknown_key(it->first, where, key, escalation_keys);
                }
            }
            if (!has_after) problems_.add(step_node, where, "missing required key \"after_epochs\"");
            rule.escalation.push_back(step);
        }
    }

    void check_escalation(const YAML::Node& entry, const Rule& rule) {
        Severity previous = rule.severity;
        std::uint64_t previous_after = 0;
        for (std::size_t i = 0; i < rule.escalation.size(); ++i) {
            const auto& step = rule.escalation[i];
            const std::string where = fmt::format("{}[{}]", key_where("escalation"), i);
            if (step.after_epochs <= previous_after) {
                problems_.add(entry, where, "after_epochs must grow from one step to the next");
            }
            if (step.severity <= previous) {
                problems_.add(entry, where,
                              fmt::format("escalates to {}, which is not above {}", severity_name(step.severity),
                                          severity_name(previous)));
            }
            previous = step.severity;
            previous_after = step.after_epochs;
        }
    }

    void read_channels(const YAML::Node& value, Rule& rule) {
        if (!value.IsSequence()) {
            if (!value.IsNull()) problems_.add(value, key_where("channels"), "expected a list of channel names");
            return;
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
            const YAML::Node item = value[i];
            const auto name = scalar_of(item);
            if (!name || trim(*name).empty()) {
                problems_.add(item, fmt::format("{}[{}]", key_where("channels"), i), "expected a channel name");
                continue;
            }
            if (std::find(rule.channels.begin(), rule.channels.end(), *name) != rule.channels.end()) {
                problems_.add(item, fmt::format("{}[{}]", key_where("channels"), i),
                              fmt::format("channel \"{}\" is listed twice", *name));
                continue;
            }
            rule.channels.push_back(*name);
        }
    }

    Problems& problems_;
    std::string where_;
};

Result<std::vector<Rule>> parse_document(const YAML::Node& document, std::string_view file_name) {
    Problems problems(file_name);
    if (document.IsNull()) {
        return make_error(Errc::parse_error, fmt::format("{}: is empty; expected `rules:` with a list of rules (see "
                                                         "docs/alert-rules.example.yaml)",
                                                         file_name));
    }
    if (!document.IsMap()) {
        problems.add(document, "top level", "expected a map with `rules:` (and optionally `include_builtin:`)");
        return make_error(Errc::parse_error, problems.text());
    }
    bool include_builtin = false;
    std::optional<YAML::Node> rules_node;
    for (auto it = document.begin(); it != document.end(); ++it) {
        const std::string key = scalar_of(it->first).value_or("?");
        if (key == "include_builtin") {
            const auto text = scalar_of(it->second);
            const auto flag = text ? parse_boolean(*text) : std::nullopt;
            if (!flag) {
                problems.add(it->second, key, fmt::format("\"{}\" is not true or false", text.value_or("?")));
            } else {
                include_builtin = *flag;
            }
        } else if (key == "rules") {
            rules_node = it->second;
        } else {
            problems.unknown_key(it->first, "top level", key, top_level_keys);
        }
    }
    std::vector<Rule> rules;
    if (!rules_node) {
        problems.add(document, "top level", "missing required key \"rules\"");
    } else if (!rules_node->IsSequence() && !rules_node->IsNull()) {
        problems.add(*rules_node, "rules", "expected a list of rules");
    } else if (rules_node->IsSequence()) {
        std::set<std::string> names;
        for (std::size_t i = 0; i < rules_node->size(); ++i) {
            const YAML::Node entry = (*rules_node)[i];
            RuleReader reader(problems, fmt::format("rules[{}]", i));
            Rule rule = reader.read(entry);
            if (!rule.name.empty() && !names.insert(rule.name).second) {
                problems.add(entry, fmt::format("rules[{}]", i),
                             fmt::format("rule name \"{}\" is used twice; names must be unique", rule.name));
            }
            rules.push_back(std::move(rule));
        }
    }
    if (!problems.empty()) return make_error(Errc::parse_error, problems.text());
    if (!include_builtin) return rules;
    std::vector<Rule> combined;
    for (auto& builtin : builtin_rules()) {
        const bool replaced =
            std::any_of(rules.begin(), rules.end(), [&](const Rule& rule) { return rule.name == builtin.name; });
        if (!replaced) combined.push_back(std::move(builtin));
    }
    for (auto& rule : rules) combined.push_back(std::move(rule));
    return combined;
}

Rule make_rule(std::string name, std::string metric, Comparison comparison, double threshold, std::uint64_t for_epochs,
               Severity severity, std::string summary) {
    Rule rule;
    rule.name = std::move(name);
    rule.metric = std::move(metric);
    rule.comparison = comparison;
    rule.threshold = threshold;
    rule.for_epochs = for_epochs;
    rule.severity = severity;
    rule.summary = std::move(summary);
    return rule;
}

}  // namespace

std::string_view comparison_symbol(Comparison comparison) {
    for (const auto& [symbol, value] : comparison_symbols) {
        if (value == comparison) return symbol;
    }
    return "?";
}

std::optional<Comparison> comparison_from_symbol(std::string_view symbol) {
    for (const auto& [name, value] : comparison_symbols) {
        if (name == symbol) return value;
    }
    return std::nullopt;
}

std::string_view severity_name(Severity severity) {
    for (const auto& [name, value] : severity_names) {
        if (value == severity) return name;
    }
    return "?";
}

std::optional<Severity> severity_from_name(std::string_view name) {
    for (const auto& [known, value] : severity_names) {
        if (known == name) return value;
    }
    return std::nullopt;
}

bool compare(double value, Comparison comparison, double threshold) {
    if (std::isnan(value)) return false;
    switch (comparison) {
        case Comparison::greater: return value > threshold;
        case Comparison::greater_or_equal: return value >= threshold;
        case Comparison::less: return value < threshold;
        case Comparison::less_or_equal: return value <= threshold;
        case Comparison::equal: return value == threshold;
        case Comparison::not_equal: return value != threshold;
    }
    return false;
}

Result<std::vector<Rule>> parse_rules(std::string_view yaml_text, std::string_view file_name) {
    try {
        return parse_document(YAML::Load(std::string(yaml_text)), file_name);
    } catch (const YAML::Exception& error) {
        if (error.mark.is_null()) {
            return make_error(Errc::parse_error, fmt::format("{}: not valid YAML: {}", file_name, error.msg));
        }
        return make_error(Errc::parse_error, fmt::format("{}:{}:{}: not valid YAML: {}", file_name, error.mark.line + 1,
                                                         error.mark.column + 1, error.msg));
    } catch (const std::exception& error) {
        return make_error(Errc::parse_error, fmt::format("{}: cannot be read: {}", file_name, error.what()));
    }
}

Status check_rule_channels(const std::vector<Rule>& rules, const std::vector<std::string>& channel_names,
                           std::string_view file_name) {
    std::vector<std::string> problems;
    for (const auto& rule : rules) {
        for (const auto& channel : rule.channels) {
            if (std::find(channel_names.begin(), channel_names.end(), channel) != channel_names.end()) continue;
            std::string message =
                fmt::format(R"({}: rule "{}": channel "{}" is not configured under alerts.channels (configured: {}))",
                            file_name, rule.name, channel, join(channel_names, ", "));
            if (const auto guess = closest_match(channel, channel_names)) {
                message += fmt::format("; did you mean \"{}\"?", *guess);
            }
            problems.push_back(std::move(message));
        }
    }
    if (problems.empty()) return {};
    return make_error(Errc::invalid_argument, join(problems, "\n"));
}

std::vector<Rule> builtin_rules() {
    std::vector<Rule> rules;
    Rule missed = make_rule("validator_missed_attestations", "ephemery_validator_missed_attestations_in_row",
                            Comparison::greater_or_equal, 2, 1, Severity::warning,
                            "validator {index} ({label}, {pubkey}) missed {value} attestations in a row");
    missed.escalation.push_back(Escalation{3, Severity::critical});
    rules.push_back(std::move(missed));
    rules.push_back(make_rule("node_out_of_sync", "ephemery_node_sync_distance_slots", Comparison::greater, 32, 3,
                              Severity::warning, "the beacon node is {value} slots behind the head"));
    // A single-node devnet never has peers: worth knowing, not worth waking anyone.
    rules.push_back(make_rule("node_no_peers", "ephemery_node_peers", Comparison::less, 1, 3, Severity::info,
                              "the beacon node has {value} peers"));
    rules.push_back(make_rule("finality_lagging", "ephemery_node_finality_lag_epochs", Comparison::greater, 4, 2,
                              Severity::critical, "the chain has not finalised for {value} epochs"));
    rules.push_back(make_rule("service_down", "ephemery_service_up", Comparison::equal, 0, 1, Severity::critical,
                              "a supervised service is down ({labels})"));
    return rules;
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
    return fmt::format("{:.6g}", value);
}

std::string format_labels(const Labels& labels) {
    std::string text;
    for (const auto& [name, value] : labels) {
        if (!text.empty()) text += ", ";
        text += name;
        text += '=';
        text += value;
    }
    return text;
}

std::string render_summary(const Rule& rule, const Labels& labels, double value) {
    const std::string& summary = rule.summary.empty() ? rule.name : rule.summary;
    std::string text;
    std::size_t position = 0;
    while (position < summary.size()) {
        const auto open = summary.find('{', position);
        if (open == std::string::npos) break;
        const auto close = summary.find('}', open + 1);
        if (close == std::string::npos) break;
        text.append(summary, position, open - position);
        const std::string_view name(summary.data() + open + 1, close - open - 1);
        std::optional<std::string> replacement;
        if (name == "value") replacement = format_value(value);
        if (name == "threshold") replacement = format_value(rule.threshold);
        if (name == "rule") replacement = rule.name;
        if (name == "labels") replacement = format_labels(labels);
        for (const auto& [label, label_value] : labels) {
            if (!replacement && label == name) replacement = label_value;
        }
        if (replacement) {
            text += *replacement;
        } else {
            text.append(summary, open, close - open + 1);
        }
        position = close + 1;
    }
    text.append(summary, position);
    return text;
}

}  // namespace ephemery::alerts
