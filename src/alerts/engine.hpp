#pragma once
// The alert state machine: each (rule, label set) goes inactive -> pending -> firing -> resolved, one step per
// evaluation of the metric samples. Pure: the caller passes the samples, the epoch and the time.

#include "alerts/rules.hpp"
#include "core/result.hpp"
#include "monitoring/record.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ephemery::alerts {

enum class AlertState { pending, firing };
enum class NotificationState { firing, resolved };
// Why a notification was sent: receivers may treat a repeat differently from a new alert.
enum class NotificationReason { fired, escalated, repeated, resolved };

[[nodiscard]] std::string_view alert_state_name(AlertState state);
[[nodiscard]] std::string_view notification_state_name(NotificationState state);
[[nodiscard]] std::string_view notification_reason_name(NotificationReason reason);

struct Notification {
    std::string rule;
    NotificationState state{NotificationState::firing};
    NotificationReason reason{NotificationReason::fired};
    Severity severity{Severity::warning};
    Labels labels;
    double value{0};
    std::string summary;
    std::uint64_t started_iteration{0};
    std::uint64_t started_epoch{0};  // the first epoch the condition held
    std::uint64_t iteration{0};
    std::uint64_t epoch{0};
    std::int64_t time{0};               // Unix seconds of the evaluation
    std::string dedup_key;              // the same for every notification of one (rule, label set)
    std::vector<std::string> channels;  // empty: every configured channel
};

// Mutes notifications of matching alerts until `until`; the alerts still change state.
struct Silence {
    std::string rule;       // empty: every rule
    Labels matchers;        // label equality; empty: every series
    std::int64_t until{0};  // Unix seconds
    std::string reason;
};

[[nodiscard]] bool silence_matches(const Silence& silence, std::string_view rule, const Labels& labels);

// One tracked (rule, label set) whose condition holds.
struct Alert {
    std::string rule;
    Labels labels;
    AlertState state{AlertState::pending};
    double value{0};
    std::uint64_t active_epochs{0};  // distinct consecutive epochs the condition held, this one included
    std::uint64_t started_iteration{0};
    std::uint64_t started_epoch{0};
    std::int64_t started_time{0};
    std::uint64_t last_iteration{0};  // the last epoch counted in active_epochs
    std::uint64_t last_epoch{0};
    Severity severity{Severity::warning};  // the rule's, raised by escalation
    bool notified{false};                  // a firing notification went out (else resolving is not announced)
    Severity notified_severity{Severity::warning};
    std::uint64_t notified_active_epochs{0};  // active_epochs at the last firing notification
};

// What the daemon persists across restarts.
struct EngineState {
    std::vector<Alert> alerts;
    std::vector<Silence> silences;
};

// "ephemery-<rule>-<16 hex digits of the label set>": stable across runs, hosts and versions.
[[nodiscard]] std::string dedup_key(std::string_view rule, const Labels& labels);

class AlertEngine {
  public:
    // Alerts in `state` whose rule is no longer among `rules` are dropped.
    explicit AlertEngine(std::vector<Rule> rules, EngineState state = {});

    // One evaluation. Series missing from `samples` count as not matching. Several evaluations in one epoch
    // count as one epoch for for_epochs, escalation and repeats.
    [[nodiscard]] std::vector<Notification> evaluate(const std::vector<monitoring::Sample>& samples,
                                                     std::uint64_t iteration, std::uint64_t epoch, std::int64_t now);

    void add_silence(Silence silence);
    // Replaces every silence (the operator's list, `ephemery alerts silence`, is the authority when it exists).
    void set_silences(std::vector<Silence> silences);
    [[nodiscard]] const std::vector<Silence>& silences() const { return silences_; }
    // Pending and firing alerts, ordered by rule and labels.
    [[nodiscard]] std::vector<Alert> alerts() const;
    [[nodiscard]] const std::vector<Rule>& rules() const { return rules_; }

    [[nodiscard]] EngineState state() const;
    // The state as a JSON document (schema in docs/alerts.md).
    [[nodiscard]] std::string to_json() const;

  private:
    using Key = std::pair<std::string, Labels>;

    [[nodiscard]] bool silenced(const std::string& rule, const Labels& labels) const;

    std::vector<Rule> rules_;
    std::map<Key, Alert> alerts_;
    std::vector<Silence> silences_;
};

// Reads what to_json() wrote; errors name the field.
[[nodiscard]] Result<EngineState> engine_state_from_json(std::string_view json_text);

// The operator's silences as stored between `ephemery alerts silence` and the daemon: {"version": 1, "silences":
// [...]} with the elements of the engine state's "silences".
[[nodiscard]] std::string silences_to_json(const std::vector<Silence>& silences);
[[nodiscard]] Result<std::vector<Silence>> silences_from_json(std::string_view json_text);

}  // namespace ephemery::alerts
