#include "alerts/engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ephemery::alerts {
namespace {

using monitoring::Sample;
using ::testing::HasSubstr;

Rule sync_rule() {
    Rule rule;
    rule.name = "node_out_of_sync";
    rule.summary = "{value} slots behind on {node}";
    rule.metric = "sync_distance";
    rule.comparison = Comparison::greater;
    rule.threshold = 32;
    rule.for_epochs = 3;
    rule.severity = Severity::warning;
    rule.channels = {"pager"};
    return rule;
}

Sample sample(std::string name, Labels labels, double value) {
    Sample result;
    result.name = std::move(name);
    result.labels = std::move(labels);
    result.value = value;
    return result;
}

std::vector<Sample> sync_at(double value) {
    return {sample("sync_distance", {{"node", "bn"}}, value)};
}

constexpr std::int64_t t0 = 1'700'000'000;

TEST(AlertEngine, PendingForEpochsThenFiringThenResolved) {
    AlertEngine engine({sync_rule()});
    EXPECT_TRUE(engine.evaluate(sync_at(40), 7, 10, t0).empty());
    ASSERT_EQ(engine.alerts().size(), 1U);
    EXPECT_EQ(engine.alerts()[0].state, AlertState::pending);
    EXPECT_TRUE(engine.evaluate(sync_at(50), 7, 11, t0 + 384).empty());

    const auto fired = engine.evaluate(sync_at(60), 7, 12, t0 + 768);
    ASSERT_EQ(fired.size(), 1U);
    const Notification& firing = fired[0];
    EXPECT_EQ(firing.rule, "node_out_of_sync");
    EXPECT_EQ(firing.state, NotificationState::firing);
    EXPECT_EQ(firing.reason, NotificationReason::fired);
    EXPECT_EQ(firing.severity, Severity::warning);
    EXPECT_EQ(firing.labels, (Labels{{"node", "bn"}}));
    EXPECT_DOUBLE_EQ(firing.value, 60);
    EXPECT_EQ(firing.summary, "60 slots behind on bn");
    EXPECT_EQ(firing.started_iteration, 7U);
    EXPECT_EQ(firing.started_epoch, 10U);
    EXPECT_EQ(firing.iteration, 7U);
    EXPECT_EQ(firing.epoch, 12U);
    EXPECT_EQ(firing.time, t0 + 768);
    EXPECT_EQ(firing.dedup_key, dedup_key("node_out_of_sync", {{"node", "bn"}}));
    EXPECT_EQ(firing.channels, (std::vector<std::string>{"pager"}));
    EXPECT_EQ(engine.alerts()[0].state, AlertState::firing);

    EXPECT_TRUE(engine.evaluate(sync_at(70), 7, 13, t0 + 1152).empty());  // no repeat configured

    const auto resolved = engine.evaluate(sync_at(3), 7, 14, t0 + 1536);
    ASSERT_EQ(resolved.size(), 1U);
    EXPECT_EQ(resolved[0].state, NotificationState::resolved);
    EXPECT_EQ(resolved[0].reason, NotificationReason::resolved);
    EXPECT_DOUBLE_EQ(resolved[0].value, 3);  // the value that no longer matches
    EXPECT_EQ(resolved[0].dedup_key, firing.dedup_key);
    EXPECT_EQ(resolved[0].started_epoch, 10U);
    EXPECT_TRUE(engine.alerts().empty());
}

TEST(AlertEngine, APendingAlertThatStopsMatchingGoesQuietly) {
    AlertEngine engine({sync_rule()});
    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 1, t0).empty());
    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 2, t0).empty());
    EXPECT_TRUE(engine.evaluate(sync_at(1), 1, 3, t0).empty());
    EXPECT_TRUE(engine.alerts().empty());
    // The count starts again.
    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 4, t0).empty());
    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 5, t0).empty());
    EXPECT_EQ(engine.evaluate(sync_at(40), 1, 6, t0).size(), 1U);
}

TEST(AlertEngine, AbsentSeriesCountAsNotMatchingAndResolve) {
    Rule rule = sync_rule();
    rule.for_epochs = 1;
    AlertEngine engine({rule});
    ASSERT_EQ(engine.evaluate(sync_at(40), 1, 1, t0).size(), 1U);
    const auto resolved = engine.evaluate({}, 1, 2, t0 + 384);
    ASSERT_EQ(resolved.size(), 1U);
    EXPECT_EQ(resolved[0].state, NotificationState::resolved);
    EXPECT_DOUBLE_EQ(resolved[0].value, 40);  // the last value seen
}

TEST(AlertEngine, SeveralEvaluationsInOneEpochCountAsOne) {
    AlertEngine engine({sync_rule()});
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 1, t0 + i).empty());
    EXPECT_EQ(engine.alerts()[0].active_epochs, 1U);
    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 2, t0).empty());
    EXPECT_EQ(engine.evaluate(sync_at(40), 1, 3, t0).size(), 1U);
}

TEST(AlertEngine, EachLabelSetIsItsOwnAlertAndMatchersSelectSeries) {
    Rule rule;
    rule.name = "missed";
    rule.metric = "missed_in_row";
    rule.matchers = {{"label", "mine"}};
    rule.comparison = Comparison::greater_or_equal;
    rule.threshold = 2;
    AlertEngine engine({rule});
    const std::vector<Sample> samples{
        sample("missed_in_row", {{"label", "mine"}, {"index", "1"}}, 2),
        sample("missed_in_row", {{"index", "2"}, {"label", "mine"}}, 5),
        sample("missed_in_row", {{"label", "mine"}, {"index", "3"}}, 1),    // below the threshold
        sample("missed_in_row", {{"label", "theirs"}, {"index", "4"}}, 9),  // not matched
        sample("other_metric", {{"label", "mine"}, {"index", "5"}}, 9),
    };
    const auto notifications = engine.evaluate(samples, 1, 1, t0);
    ASSERT_EQ(notifications.size(), 2U);
    EXPECT_EQ(notifications[0].labels, (Labels{{"index", "1"}, {"label", "mine"}}));
    EXPECT_EQ(notifications[1].labels, (Labels{{"index", "2"}, {"label", "mine"}}));
    EXPECT_NE(notifications[0].dedup_key, notifications[1].dedup_key);

    // Validator 1 recovers, validator 2 keeps missing: only 1 resolves.
    const auto next = engine.evaluate({sample("missed_in_row", {{"label", "mine"}, {"index", "2"}}, 6)}, 1, 2, t0);
    ASSERT_EQ(next.size(), 1U);
    EXPECT_EQ(next[0].state, NotificationState::resolved);
    EXPECT_EQ(next[0].labels, (Labels{{"index", "1"}, {"label", "mine"}}));
}

TEST(AlertEngine, EscalatesAndRepeatsWhileFiring) {
    Rule rule = builtin_rules().front();  // missed attestations: >= 2, warning, critical after 3 more epochs
    ASSERT_EQ(rule.name, "validator_missed_attestations");
    rule.repeat_epochs = 2;
    AlertEngine engine({rule});
    const auto at = [](double value) {
        return std::vector<Sample>{sample("ephemery_validator_missed_attestations_in_row",
                                          {{"label", "mine"}, {"pubkey", "0xab"}, {"index", "9"}}, value)};
    };
    std::vector<std::vector<Notification>> per_epoch;
    for (std::uint64_t epoch = 1; epoch <= 7; ++epoch) {
        per_epoch.push_back(engine.evaluate(at(static_cast<double>(epoch + 1)), 3, epoch, t0));
    }
    ASSERT_EQ(per_epoch[0].size(), 1U);
    EXPECT_EQ(per_epoch[0][0].reason, NotificationReason::fired);
    EXPECT_EQ(per_epoch[0][0].severity, Severity::warning);
    EXPECT_EQ(per_epoch[0][0].summary, "validator 9 (mine, 0xab) missed 2 attestations in a row");
    EXPECT_TRUE(per_epoch[1].empty());
    ASSERT_EQ(per_epoch[2].size(), 1U);  // two epochs after the last notification
    EXPECT_EQ(per_epoch[2][0].reason, NotificationReason::repeated);
    EXPECT_EQ(per_epoch[2][0].severity, Severity::warning);
    ASSERT_EQ(per_epoch[3].size(), 1U);  // three epochs after firing
    EXPECT_EQ(per_epoch[3][0].reason, NotificationReason::escalated);
    EXPECT_EQ(per_epoch[3][0].severity, Severity::critical);
    EXPECT_TRUE(per_epoch[4].empty());
    ASSERT_EQ(per_epoch[5].size(), 1U);
    EXPECT_EQ(per_epoch[5][0].reason, NotificationReason::repeated);
    EXPECT_EQ(per_epoch[5][0].severity, Severity::critical);
    EXPECT_TRUE(per_epoch[6].empty());

    const auto resolved = engine.evaluate(at(0), 3, 8, t0);
    ASSERT_EQ(resolved.size(), 1U);
    EXPECT_EQ(resolved[0].severity, Severity::critical);
}

TEST(AlertEngine, NotifyResolvedFalseStaysQuietOnResolve) {
    Rule rule = sync_rule();
    rule.for_epochs = 1;
    rule.notify_resolved = false;
    AlertEngine engine({rule});
    EXPECT_EQ(engine.evaluate(sync_at(40), 1, 1, t0).size(), 1U);
    EXPECT_TRUE(engine.evaluate(sync_at(0), 1, 2, t0).empty());
    EXPECT_TRUE(engine.alerts().empty());
}

TEST(AlertEngine, SilencedAlertsChangeStateButStayQuietUntilTheSilenceExpires) {
    Rule rule = sync_rule();
    rule.for_epochs = 1;
    AlertEngine engine({rule});
    Silence silence;
    silence.rule = "node_out_of_sync";
    silence.matchers = {{"node", "bn"}};
    silence.until = t0 + 100;
    silence.reason = "maintenance";
    engine.add_silence(silence);
    Silence other;
    other.matchers = {{"node", "elsewhere"}};
    other.until = t0 + 10'000;
    engine.add_silence(other);

    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 1, t0).empty());
    ASSERT_EQ(engine.alerts().size(), 1U);
    EXPECT_EQ(engine.alerts()[0].state, AlertState::firing);
    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 2, t0 + 99).empty());

    // The silence has expired: the still-firing alert is announced now, and the silence is gone.
    const auto after = engine.evaluate(sync_at(40), 1, 3, t0 + 100);
    ASSERT_EQ(after.size(), 1U);
    EXPECT_EQ(after[0].reason, NotificationReason::fired);
    EXPECT_EQ(after[0].started_epoch, 1U);
    ASSERT_EQ(engine.silences().size(), 1U);
    EXPECT_EQ(engine.silences()[0].matchers, (Labels{{"node", "elsewhere"}}));
}

TEST(AlertEngine, AnAlertThatResolvesWhileSilencedAndWasNeverAnnouncedStaysQuiet) {
    Rule rule = sync_rule();
    rule.for_epochs = 1;
    AlertEngine engine({rule});
    Silence silence;
    silence.until = t0 + 1000;
    engine.add_silence(silence);  // every rule, every series
    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 1, t0).empty());
    EXPECT_TRUE(engine.evaluate(sync_at(0), 1, 2, t0 + 2000).empty());
}

TEST(AlertEngine, TheOperatorsSilencesRoundTripAndReplaceTheEnginesOwn) {
    Silence silence;
    silence.rule = "node_out_of_sync";
    silence.matchers = {{"node", "bn"}};
    silence.until = t0 + 60;
    silence.reason = "upgrading \"bn\"";
    const auto text = silences_to_json({silence});
    const auto parsed = silences_from_json(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 1U);
    EXPECT_EQ((*parsed)[0].reason, silence.reason);
    EXPECT_EQ((*parsed)[0].matchers, silence.matchers);

    Rule rule = sync_rule();
    rule.for_epochs = 1;
    AlertEngine engine({rule});
    Silence everything;
    everything.until = t0 + 10'000;
    engine.add_silence(everything);
    engine.set_silences(*parsed);  // the operator lifted the broad one and muted only bn
    ASSERT_EQ(engine.silences().size(), 1U);
    EXPECT_TRUE(engine.evaluate(sync_at(40), 1, 1, t0).empty());
    EXPECT_EQ(engine.evaluate(sync_at(40), 1, 2, t0 + 60).size(), 1U);  // expired: announced

    const auto bad = silences_from_json(R"({"version":1,"silences":[{"rule":"x","labels":{},"until":"soon"}]})");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("silences[0].until"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(silences_from_json(R"({"version":2,"silences":[]})"));
    EXPECT_FALSE(silences_from_json("[]"));
}

TEST(AlertEngine, StateSurvivesARestartThroughJson) {
    Rule rule = sync_rule();
    rule.for_epochs = 2;
    AlertEngine before({rule});
    EXPECT_TRUE(before.evaluate(sync_at(40), 5, 1, t0).empty());
    Silence silence;
    silence.rule = "other";
    silence.matchers = {{"a", "b"}};
    silence.until = t0 + 5000;
    silence.reason = "known \"issue\"";
    before.add_silence(silence);
    const std::string saved = before.to_json();

    const auto state = engine_state_from_json(saved);
    ASSERT_TRUE(state.ok()) << state.error().message;
    AlertEngine after({rule}, state.value());
    EXPECT_EQ(after.to_json(), saved);
    ASSERT_EQ(after.silences().size(), 1U);
    EXPECT_EQ(after.silences()[0].reason, "known \"issue\"");
    // The pending epoch before the restart counts: the second epoch fires.
    const auto fired = after.evaluate(sync_at(41), 5, 2, t0 + 384);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].started_epoch, 1U);

    // A firing alert restored from state is not announced again.
    AlertEngine again({rule}, engine_state_from_json(after.to_json()).value());
    EXPECT_TRUE(again.evaluate(sync_at(42), 5, 3, t0 + 768).empty());
    EXPECT_EQ(again.evaluate({}, 5, 4, t0 + 1152).size(), 1U);
}

TEST(AlertEngine, RestoredAlertsOfRemovedRulesAreDropped) {
    AlertEngine before({sync_rule()});
    (void)before.evaluate(sync_at(40), 1, 1, t0);
    Rule other = sync_rule();
    other.name = "renamed";
    AlertEngine after({other}, engine_state_from_json(before.to_json()).value());
    EXPECT_TRUE(after.alerts().empty());
}

TEST(EngineStateFromJson, NamesWhatIsWrong) {
    EXPECT_THAT(engine_state_from_json("{").error().message, HasSubstr("not valid JSON"));
    EXPECT_THAT(engine_state_from_json("[]").error().message, HasSubstr("expected a JSON object"));
    EXPECT_EQ(engine_state_from_json(R"({"version": 99, "alerts": [], "silences": []})").error().code,
              Errc::unsupported);
    EXPECT_THAT(engine_state_from_json(R"({"version": 1, "alerts": [{"rule": 3}], "silences": []})").error().message,
                HasSubstr("alerts[0].rule is missing or has the wrong type"));
    EXPECT_THAT(engine_state_from_json(R"({"version": 1, "alerts": [], "silences": [{"rule": "", "labels": {"a": 1},
                "until": 0, "reason": ""}]})")
                    .error()
                    .message,
                HasSubstr("silences[0].labels.a is not a string"));
    const auto empty = engine_state_from_json(R"({"version": 1, "alerts": [], "silences": []})");
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->alerts.empty());
}

TEST(DedupKey, StableAndIndependentOfLabelOrder) {
    const std::string key = dedup_key("r", {{"a", "1"}, {"b", "2"}});
    EXPECT_EQ(key, dedup_key("r", {{"b", "2"}, {"a", "1"}}));
    EXPECT_NE(key, dedup_key("r", {{"a", "12"}}));
    EXPECT_NE(key, dedup_key("s", {{"a", "1"}, {"b", "2"}}));
    EXPECT_THAT(key, ::testing::MatchesRegex("ephemery-r-[0-9a-f]{16}"));
    EXPECT_EQ(dedup_key("r", {}), "ephemery-r-cbf29ce484222325");  // FNV-1a 64 offset basis: nothing mixed in
}

}  // namespace
}  // namespace ephemery::alerts
