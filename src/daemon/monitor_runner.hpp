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

struct MonitorInputs {
    monitoring::Settings settings;
    std::filesystem::path data_dir;
    network::Schedule schedule;
    std::function<std::optional<node::NodePlan>()> last_plan;  // the clients' last start
    std::function<collector::ProcessTotals()> process_totals;
    collector::SampleSink sink;  // every judged epoch's samples
    // Alerting, evaluated at every poll on the latest epoch's samples and extra_samples (the services' states,
    // which matter most when no epoch can be judged). Null: no alerting.
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
    MonitorInputs inputs_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mutex_;  // guards collector_ (created on the thread, read by the API)
    std::shared_ptr<collector::Collector> collector_;
    std::string beacon_url_;
    std::string problem_;  // why nothing is collected, for status
};

}  // namespace ephemery::daemon
