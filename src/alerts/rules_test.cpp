#include "alerts/rules.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ephemery::alerts {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const Rule* find_rule(const std::vector<Rule>& rules, std::string_view name) {
    const auto it = std::find_if(rules.begin(), rules.end(), [&](const Rule& rule) { return rule.name == name; });
    return it == rules.end() ? nullptr : &*it;
}

TEST(ParseRules, ReadsEveryKey) {
    const auto rules = parse_rules(R"(rules:
  - name: mine_missing
    summary: "validator {index} missed {value}"
    metric: ephemery_validator_missed_attestations_in_row
    labels: {label: mine, client: lodestar}
    comparison: ">="
    threshold: 1.5
    for_epochs: 2
    severity: info
    escalation:
      - {after_epochs: 2, severity: warning}
      - {after_epochs: 5, severity: critical}
    repeat_epochs: 10
    notify_resolved: false
    channels: [pager, console]
)",
                                   "rules.yaml");
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    ASSERT_EQ(rules->size(), 1U);
    const Rule& rule = rules->front();
    EXPECT_EQ(rule.name, "mine_missing");
    EXPECT_EQ(rule.summary, "validator {index} missed {value}");
    EXPECT_EQ(rule.metric, "ephemery_validator_missed_attestations_in_row");
    const Labels expected_matchers{{"client", "lodestar"}, {"label", "mine"}};
    EXPECT_EQ(rule.matchers, expected_matchers);
    EXPECT_EQ(rule.comparison, Comparison::greater_or_equal);
    EXPECT_DOUBLE_EQ(rule.threshold, 1.5);
    EXPECT_EQ(rule.for_epochs, 2U);
    EXPECT_EQ(rule.severity, Severity::info);
    ASSERT_EQ(rule.escalation.size(), 2U);
    EXPECT_EQ(rule.escalation[0].after_epochs, 2U);
    EXPECT_EQ(rule.escalation[0].severity, Severity::warning);
    EXPECT_EQ(rule.escalation[1].severity, Severity::critical);
    EXPECT_EQ(rule.repeat_epochs, 10U);
    EXPECT_FALSE(rule.notify_resolved);
    EXPECT_EQ(rule.channels, (std::vector<std::string>{"pager", "console"}));
}

TEST(ParseRules, DefaultsForOptionalKeys) {
    const auto rules = parse_rules(
        "rules:\n  - {name: down, metric: ephemery_service_up, comparison: '==', "
        "threshold: 0}\n",
        "rules.yaml");
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    const Rule& rule = rules->front();
    EXPECT_EQ(rule.for_epochs, 1U);
    EXPECT_EQ(rule.severity, Severity::warning);
    EXPECT_EQ(rule.repeat_epochs, 0U);
    EXPECT_TRUE(rule.notify_resolved);
    EXPECT_TRUE(rule.channels.empty());
    EXPECT_TRUE(rule.matchers.empty());
}

TEST(ParseRules, ReportsEveryProblemAtOnceWithWhereAndWhatIsAllowed) {
    const auto rules = parse_rules(R"(rules:
  - name: first
    metirc: ephemery_node_peers
    comparison: "=>"
    threshold: lots
    severity: critcal
    for_epochs: 0
  - name: second
    metric: "not a metric"
    comparison: "<"
    threshold: 1
    notify_resolved: maybe
)",
                                   "/etc/ephemery/rules.yaml");
    ASSERT_FALSE(rules.ok());
    EXPECT_EQ(rules.error().code, Errc::parse_error);
    const std::string& message = rules.error().message;
    EXPECT_THAT(message, HasSubstr("/etc/ephemery/rules.yaml:3:5: rules[0] \"first\": unknown key \"metirc\""));
    EXPECT_THAT(message, HasSubstr("did you mean \"metric\"?"));
    EXPECT_THAT(message, HasSubstr("rules[0] \"first\".comparison: \"=>\" is not a comparison (allowed: >, >=, <, "
                                   "<=, ==, !=)"));
    EXPECT_THAT(message, HasSubstr("rules[0] \"first\".threshold: \"lots\" is not a finite number"));
    EXPECT_THAT(message, HasSubstr("rules[0] \"first\".severity: \"critcal\" is not a severity (allowed: info, "
                                   "warning, critical); did you mean \"critical\"?"));
    EXPECT_THAT(message, HasSubstr("rules[0] \"first\".for_epochs: \"0\" is not a whole number >= 1"));
    EXPECT_THAT(message, HasSubstr("rules[0] \"first\": missing required key \"metric\""));
    EXPECT_THAT(message, HasSubstr("rules[1] \"second\".metric: \"not a metric\" is not a Prometheus metric name"));
    EXPECT_THAT(message, HasSubstr("rules[1] \"second\".notify_resolved: \"maybe\" is not true or false"));
    EXPECT_EQ(std::count(message.begin(), message.end(), '\n') + 1, 8) << message;  // one line per problem
}

TEST(ParseRules, RejectsDuplicateNamesAndChannels) {
    const auto rules = parse_rules(R"(rules:
  - {name: a, metric: m, comparison: ">", threshold: 1, channels: [x, x]}
  - {name: a, metric: m, comparison: ">", threshold: 1}
)",
                                   "rules.yaml");
    ASSERT_FALSE(rules.ok());
    EXPECT_THAT(rules.error().message, HasSubstr("rule name \"a\" is used twice"));
    EXPECT_THAT(rules.error().message, HasSubstr("channel \"x\" is listed twice"));
}

TEST(ParseRules, EscalationMustRiseInTimeAndSeverity) {
    const auto rules = parse_rules(R"(rules:
  - name: a
    metric: m
    comparison: ">"
    threshold: 1
    severity: warning
    escalation:
      - {after_epochs: 3, severity: warning}
      - {after_epochs: 2, severity: critical}
      - {severity: critical, after: 4}
)",
                                   "rules.yaml");
    ASSERT_FALSE(rules.ok());
    const std::string& message = rules.error().message;
    EXPECT_THAT(message, HasSubstr("escalation[0]: escalates to warning, which is not above warning"));
    EXPECT_THAT(message, HasSubstr("escalation[1]: after_epochs must grow from one step to the next"));
    EXPECT_THAT(message, HasSubstr("escalation[2]: unknown key \"after\" (allowed: after_epochs, severity)"));
    EXPECT_THAT(message, HasSubstr("escalation[2]: missing required key \"after_epochs\""));
}

TEST(ParseRules, TopLevelShapeErrors) {
    EXPECT_THAT(parse_rules("", "r.yaml").error().message, HasSubstr("r.yaml: is empty"));
    EXPECT_THAT(parse_rules("- a\n- b\n", "r.yaml").error().message, HasSubstr("expected a map with `rules:`"));
    const auto unknown = parse_rules("rulez: []\n", "r.yaml");
    ASSERT_FALSE(unknown.ok());
    EXPECT_THAT(unknown.error().message, HasSubstr("unknown key \"rulez\""));
    EXPECT_THAT(unknown.error().message, HasSubstr("did you mean \"rules\"?"));
    EXPECT_THAT(unknown.error().message, HasSubstr("missing required key \"rules\""));
    EXPECT_THAT(parse_rules("rules: 3\n", "r.yaml").error().message, HasSubstr("rules: expected a list of rules"));
    EXPECT_THAT(parse_rules("rules: [3]\n", "r.yaml").error().message, HasSubstr("rules[0]: expected a map"));
}

TEST(ParseRules, InvalidYamlIsAnErrorWithThePosition) {
    const auto rules = parse_rules("rules:\n  - name: [unclosed\n", "bad.yaml");
    ASSERT_FALSE(rules.ok());
    EXPECT_THAT(rules.error().message, HasSubstr("bad.yaml:"));
    EXPECT_THAT(rules.error().message, HasSubstr("not valid YAML"));
}

TEST(ParseRules, IncludeBuiltinAddsTheDefaultsAndReplacesByName) {
    const auto rules = parse_rules(R"(include_builtin: true
rules:
  - {name: node_no_peers, metric: ephemery_node_peers, comparison: "<", threshold: 1, severity: critical}
  - {name: extra, metric: ephemery_node_peers, comparison: ">", threshold: 100}
)",
                                   "rules.yaml");
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    EXPECT_EQ(rules->size(), builtin_rules().size() + 1);
    const Rule* peers = find_rule(*rules, "node_no_peers");
    ASSERT_NE(peers, nullptr);
    EXPECT_EQ(peers->severity, Severity::critical);
    EXPECT_NE(find_rule(*rules, "extra"), nullptr);
    EXPECT_NE(find_rule(*rules, "service_down"), nullptr);

    const auto without = parse_rules("rules: []\n", "rules.yaml");
    ASSERT_TRUE(without.ok());
    EXPECT_TRUE(without->empty());
}

TEST(ParseRules, TheDocumentedExampleParses) {
    std::ifstream file(std::string(EPHEMERY_DOCS_DIR) + "/alert-rules.example.yaml");
    ASSERT_TRUE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    const auto rules = parse_rules(text.str(), "alert-rules.example.yaml");
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    const Rule* mine = find_rule(*rules, "my_validators_missing_attestations");
    ASSERT_NE(mine, nullptr);
    EXPECT_EQ(mine->channels, (std::vector<std::string>{"ops-pager", "console"}));
    const Rule* sync = find_rule(*rules, "node_out_of_sync");
    ASSERT_NE(sync, nullptr);
    EXPECT_DOUBLE_EQ(sync->threshold, 64);  // the file's rule replaced the built-in one
}

TEST(BuiltinRules, CoverTheMonitoringMetrics) {
    const auto rules = builtin_rules();
    const Rule* missed = find_rule(rules, "validator_missed_attestations");
    ASSERT_NE(missed, nullptr);
    EXPECT_EQ(missed->metric, "ephemery_validator_missed_attestations_in_row");
    EXPECT_EQ(missed->comparison, Comparison::greater_or_equal);
    EXPECT_DOUBLE_EQ(missed->threshold, 2);
    EXPECT_EQ(missed->severity, Severity::warning);
    ASSERT_EQ(missed->escalation.size(), 1U);
    EXPECT_EQ(missed->escalation[0].after_epochs, 3U);
    EXPECT_EQ(missed->escalation[0].severity, Severity::critical);

    const Rule* sync = find_rule(rules, "node_out_of_sync");
    ASSERT_NE(sync, nullptr);
    EXPECT_EQ(sync->metric, "ephemery_node_sync_distance_slots");
    EXPECT_EQ(sync->for_epochs, 3U);
    const Rule* peers = find_rule(rules, "node_no_peers");
    ASSERT_NE(peers, nullptr);
    EXPECT_EQ(peers->metric, "ephemery_node_peers");
    EXPECT_EQ(peers->severity, Severity::info);
    const Rule* finality = find_rule(rules, "finality_lagging");
    ASSERT_NE(finality, nullptr);
    EXPECT_EQ(finality->metric, "ephemery_node_finality_lag_epochs");
    EXPECT_EQ(finality->for_epochs, 2U);
    EXPECT_EQ(finality->severity, Severity::critical);
    const Rule* down = find_rule(rules, "service_down");
    ASSERT_NE(down, nullptr);
    EXPECT_EQ(down->metric, "ephemery_service_up");
    EXPECT_EQ(down->comparison, Comparison::equal);
}

TEST(RenderSummary, FillsPlaceholdersAndKeepsUnknownOnes) {
    Rule rule;
    rule.name = "r";
    rule.threshold = 2;
    rule.summary = "{rule}: validator {index} at {value} (>= {threshold}) [{labels}] {unknown} {";
    const Labels labels{{"index", "7"}, {"label", "mine"}};
    EXPECT_EQ(render_summary(rule, labels, 3), "r: validator 7 at 3 (>= 2) [index=7, label=mine] {unknown} {");
    EXPECT_EQ(format_value(0.25), "0.25");
    EXPECT_EQ(format_value(-4), "-4");
    rule.summary.clear();
    EXPECT_EQ(render_summary(rule, labels, 1), "r");
}

TEST(Compare, EveryComparisonAndNaN) {
    EXPECT_TRUE(compare(2, Comparison::greater, 1));
    EXPECT_FALSE(compare(1, Comparison::greater, 1));
    EXPECT_TRUE(compare(1, Comparison::greater_or_equal, 1));
    EXPECT_TRUE(compare(0, Comparison::less, 1));
    EXPECT_TRUE(compare(1, Comparison::less_or_equal, 1));
    EXPECT_TRUE(compare(0, Comparison::equal, 0));
    EXPECT_TRUE(compare(1, Comparison::not_equal, 0));
    EXPECT_FALSE(compare(std::numeric_limits<double>::quiet_NaN(), Comparison::not_equal, 0));
}

TEST(CheckRuleChannels, NamesUnconfiguredChannels) {
    Rule rule;
    rule.name = "r";
    rule.channels = {"console", "pagerdty"};
    const auto status = check_rule_channels({rule}, {"console", "pagerduty"}, "rules.yaml");
    ASSERT_FALSE(status.ok());
    EXPECT_THAT(status.error().message, HasSubstr("rule \"r\": channel \"pagerdty\" is not configured"));
    EXPECT_THAT(status.error().message, HasSubstr("did you mean \"pagerduty\"?"));
    EXPECT_THAT(status.error().message, Not(HasSubstr("\"console\" is not")));
    EXPECT_TRUE(check_rule_channels({rule}, {"console", "pagerdty"}, "rules.yaml").ok());
}

}  // namespace
}  // namespace ephemery::alerts
