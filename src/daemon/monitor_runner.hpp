#pragma once
// The daemon's monitoring: a thread that finds the consensus client of the last start, runs the collector
// against it and keeps what /metrics and status show. The collector itself is the collector module.

#include "collector/collector.hpp"
#include "daemon/alerting.hpp"
#include "monitoring/settings.hpp"
#include "network/schedule.hpp"
#include "node/plan.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ephemery::daemon {

// Where an evaluation of the alert rules stands; rules count the distinct positions they hold at.
struct AlertPosition {
    std::uint64_t iteration{0};
    std::uint64_t epoch{0};
    friend bool operator==(const AlertPosition&, const AlertPosition&) = default;
};

// The position for a poll that judged no new epoch. The newest judged epoch's again, so that no epoch counts twice;
// the clock's once the chain has fallen more than two epochs behind it (a stalled chain or a node that does not
// answer still counts time, for the service rules), or before anything was judged.
[[nodiscard]] AlertPosition idle_alert_position(std::optional<AlertPosition> newest_judged, AlertPosition clock);

struct MonitorInputs {
    monitoring::Settings settings;
    std::filesystem::path data_dir;
    network::Schedule schedule;
    std::function<std::optional<node::NodePlan>()> last_plan;  // the clients' last start
    std::function<collector::ProcessTotals()> process_totals;
    // Alerting, evaluated on every judged epoch's samples in order, and at polls that judged none on the latest
    // ones, each time with extra_samples (the services' states, which matter most when no epoch can be judged).
    // Null: no alerting.
    std::shared_ptr<Alerting> alerting;
    std::function<std::vector<monitoring::Sample>()> extra_samples;
    std::chrono::milliseconds poll_interval{std::chrono::seconds{2}};
};

class MonitorRunner {
  public:
    explicit MonitorRunner(MonitorInputs inputs);
    MonitorRunner(const MonitorRunner&) = delete;
    MonitorRunner& operator=(const MonitorRunner&) = delete;
    MonitorRunner(MonitorRunner&&) = delete;
    MonitorRunner& operator=(MonitorRunner&&) = delete;
    ~MonitorRunner();  // stops the thread

    void start();
    void stop();
    [[nodiscard]] std::vector<monitoring::MetricFamily> metric_families();
    [[nodiscard]] nlohmann::ordered_json status();

  private:
    void loop();
    void evaluate_alerts(const std::shared_ptr<collector::Collector>& current);
    struct JudgedEpoch {
        std::vector<monitoring::Sample> samples;
        AlertPosition position;
    };
    // Filled by the collector's sink during poll() on this thread, emptied by evaluate_alerts on the same thread.
    std::vector<JudgedEpoch> judged_since_evaluation_;
    std::optional<AlertPosition> newest_judged_;
    MonitorInputs inputs_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mutex_;  // guards collector_ (created on the thread, read by the API)
    std::shared_ptr<collector::Collector> collector_;
    std::string beacon_url_;
    std::string problem_;  // why nothing is collected, for status
};

}  // namespace ephemery::daemon
