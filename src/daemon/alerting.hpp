#pragma once
// The daemon's alerting: the rules (built-in or the operator's file), the alert engine whose state survives
// restarts (kept in the monitoring history), delivery to the configured channels and the alert history.

#include "alerts/engine.hpp"
#include "alerts/settings.hpp"
#include "core/result.hpp"
#include "history/store.hpp"
#include "monitoring/metrics.hpp"
#include "notify/dispatcher.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::daemon {

// The history value holding the operator's silences (alerts::silences_to_json), written by `ephemery alerts`.
inline constexpr std::string_view operator_silences_key = "alerts.silences";

// The rules the settings name: the file's (parsed, channels checked), else the built-in ones.
[[nodiscard]] Result<std::vector<alerts::Rule>> load_alert_rules(const alerts::Settings& settings);

class Alerting {
  public:
    // Loads the rules and the engine's saved state; a rules file with errors keeps the daemon from starting.
    [[nodiscard]] static Result<std::unique_ptr<Alerting>> create(const alerts::Settings& settings,
                                                                  const std::filesystem::path& database);
    Alerting(const Alerting&) = delete;
    Alerting& operator=(const Alerting&) = delete;
    Alerting(Alerting&&) = delete;
    Alerting& operator=(Alerting&&) = delete;
    ~Alerting() = default;

    // Evaluates the rules on `samples` at (iteration, epoch), delivers what changed and records it.
    void evaluate(const std::vector<monitoring::Sample>& samples, std::uint64_t iteration, std::uint64_t epoch,
                  std::int64_t now);
    [[nodiscard]] std::vector<monitoring::MetricFamily> metric_families() const;
    [[nodiscard]] nlohmann::ordered_json status() const;

  private:
    Alerting(std::vector<alerts::Rule> rules, alerts::EngineState state, std::vector<alerts::Channel> channels,
             history::HistoryStore store);
    void apply_operator_silences();
    mutable std::mutex mutex_;
    alerts::AlertEngine engine_;
    notify::Dispatcher dispatcher_;
    history::HistoryStore store_;
    std::uint64_t notifications_{0};
    std::uint64_t record_failures_{0};
    std::string saved_state_;       // the engine state last written to the history
    std::string applied_silences_;  // the operator's silences as last applied
    bool silences_unreadable_{false};
};

}  // namespace ephemery::daemon
