#pragma once
// Alert rules: which metric samples are a problem, for how long, and who hears about it. Pure: text in,
// rules out.

#include "core/result.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ephemery::alerts {

// Label name -> value, sorted by name (the identity of a series).
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Comparison { greater, greater_or_equal, less, less_or_equal, equal, not_equal };

inline constexpr std::array<std::pair<std::string_view, Comparison>, 6> comparison_symbols{{
    {">", Comparison::greater},
    {">=", Comparison::greater_or_equal},
    {"<", Comparison::less},
    {"<=", Comparison::less_or_equal},
    {"==", Comparison::equal},
    {"!=", Comparison::not_equal},
}};

// Ordered: a later severity is more urgent.
enum class Severity { info, warning, critical };

inline constexpr std::array<std::pair<std::string_view, Severity>, 3> severity_names{{
    {"info", Severity::info},
    {"warning", Severity::warning},
    {"critical", Severity::critical},
}};

[[nodiscard]] std::string_view comparison_symbol(Comparison comparison);
[[nodiscard]] std::optional<Comparison> comparison_from_symbol(std::string_view symbol);
[[nodiscard]] std::string_view severity_name(Severity severity);
[[nodiscard]] std::optional<Severity> severity_from_name(std::string_view name);

// `value <comparison> threshold`; NaN never matches.
[[nodiscard]] bool compare(double value, Comparison comparison, double threshold);

// After an alert has fired for `after_epochs` epochs, it is re-sent with `severity`.
struct Escalation {
    std::uint64_t after_epochs{1};
    Severity severity{Severity::critical};
};

struct Rule {
    std::string name;
    std::string summary;  // {value}, {threshold}, {rule}, {labels} and {<label name>} are filled in
    std::string metric;
    Labels matchers;  // label equality; a sample matches when it has every one of these
    Comparison comparison{Comparison::greater};
    double threshold{0};
    std::uint64_t for_epochs{1};  // consecutive epochs the condition must hold before firing
    Severity severity{Severity::warning};
    std::vector<Escalation> escalation;  // ascending after_epochs
    std::uint64_t repeat_epochs{0};      // re-notify every this many epochs while firing; 0: never
    bool notify_resolved{true};
    std::vector<std::string> channels;  // channel names; empty: every configured channel
};

// Parses a rules file:
//   include_builtin: false   # true: the built-in rules first; a rule of the same name replaces one
//   rules:
//     - name: ...
// Every problem is reported at once, one per line, each naming the file, line, rule and key.
[[nodiscard]] Result<std::vector<Rule>> parse_rules(std::string_view yaml_text, std::string_view file_name);

// Checks that every channel a rule names is configured (the rules file and the config are separate files).
[[nodiscard]] Status check_rule_channels(const std::vector<Rule>& rules, const std::vector<std::string>& channel_names,
                                         std::string_view file_name);

// The defaults an operator expects, on the metrics the monitoring module exports.
[[nodiscard]] std::vector<Rule> builtin_rules();

// Formats a value the way people read metrics: integers without a fraction, others with up to 6 digits.
[[nodiscard]] std::string format_value(double value);

// "k=v, k=v".
[[nodiscard]] std::string format_labels(const Labels& labels);

// The rule's summary with its placeholders filled in; unknown placeholders stay as written.
[[nodiscard]] std::string render_summary(const Rule& rule, const Labels& labels, double value);

}  // namespace ephemery::alerts
