#include "daemon/monitor_runner.hpp"

#include "infra/clock.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ephemery::daemon {
namespace {

std::string loopback_url(const node::NodePlan& plan, clients::Role role) {
    for (const auto& service : plan.services) {
        if (service.role != role) continue;
        if (const auto port = service.port("http")) return fmt::format("http://127.0.0.1:{}", *port);
    }
    return {};
}

}  // namespace

AlertPosition idle_alert_position(std::optional<AlertPosition> newest_judged, AlertPosition clock) {
    constexpr std::uint64_t judging_lag_epochs = 2;  // head mode judges epoch E half an epoch into E + 1
    if (!newest_judged || newest_judged->iteration != clock.iteration ||
        clock.epoch > newest_judged->epoch + judging_lag_epochs) {
        return clock;
    }
    return *newest_judged;
}

MonitorRunner::MonitorRunner(MonitorInputs inputs) : inputs_(std::move(inputs)) {}

MonitorRunner::~MonitorRunner() {
    stop();
}

void MonitorRunner::start() {
    if (!inputs_.settings.enabled || thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { loop(); });
}

void MonitorRunner::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void MonitorRunner::loop() {
    while (!stop_) {
        std::shared_ptr<collector::Collector> current;
        {
            const std::scoped_lock lock(mutex_);
            current = collector_;
        }
        if (!current) {
            const auto plan = inputs_.last_plan ? inputs_.last_plan() : std::nullopt;
            const std::string beacon = plan ? loopback_url(*plan, clients::Role::consensus) : std::string();
            if (beacon.empty()) {
                const std::scoped_lock lock(mutex_);
                problem_ = "no consensus client has started yet";
            } else {
                collector::CollectorSettings settings;
                settings.monitoring = inputs_.settings;
                settings.beacon_url = beacon;
                settings.execution_url = loopback_url(*plan, clients::Role::execution);
                settings.data_dir = inputs_.data_dir;
                settings.database = inputs_.data_dir / std::string(history::database_file);
                settings.iteration_of = [schedule = inputs_.schedule](std::int64_t genesis_time) {
                    return network::iteration_at(schedule, genesis_time);
                };
                settings.process_totals = inputs_.process_totals;
                // Every judged epoch is kept for the alert rules: one poll may judge several (a backfill, or a
                // chain that stalled and moved on), and each one's misses must count.
                auto sink = [this](const std::vector<monitoring::Sample>& samples, std::uint64_t iteration,
                                   std::uint64_t epoch) {
                    if (inputs_.alerting) judged_since_evaluation_.push_back({samples, {iteration, epoch}});
                };
                auto created = collector::Collector::create(std::move(settings), std::move(sink));
                const std::scoped_lock lock(mutex_);
                if (created) {
                    collector_ = std::move(*created);
                    beacon_url_ = beacon;
                    problem_.clear();
                    spdlog::info("monitoring: collecting from {}", beacon);
                } else {
                    problem_ = created.error().message;
                    spdlog::warn("monitoring: {}", problem_);
                }
            }
        } else if (auto judged = current->poll(); !judged) {
            current->record_failure(judged.error());  // the node may be starting; retried at the next poll
            const std::scoped_lock lock(mutex_);
            problem_ = judged.error().message;
        } else if (*judged > 0) {
            const std::scoped_lock lock(mutex_);
            problem_.clear();
        }
        evaluate_alerts(current);
        const auto until = std::chrono::steady_clock::now() + inputs_.poll_interval;
        while (!stop_ && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

void MonitorRunner::evaluate_alerts(const std::shared_ptr<collector::Collector>& current) {
    // Nothing is judged before the clients' first start (until then every service is "down" by design).
    if (!inputs_.alerting || !current) return;
    const std::vector<monitoring::Sample> extra =
        inputs_.extra_samples ? inputs_.extra_samples() : std::vector<monitoring::Sample>{};
    const auto with_extra = [&extra](std::vector<monitoring::Sample> samples) {
        samples.insert(samples.end(), extra.begin(), extra.end());
        return samples;
    };
    const std::int64_t now = infra::unix_now();
    std::vector<JudgedEpoch> judged;
    judged.swap(judged_since_evaluation_);
    for (auto& epoch : judged) {
        inputs_.alerting->evaluate(with_extra(std::move(epoch.samples)), epoch.position.iteration, epoch.position.epoch,
                                   now);
        newest_judged_ = epoch.position;
    }
    if (!judged.empty()) return;
    // Rules count epochs; until the node has answered once, a mainnet-length epoch of wall-clock time stands in.
    const auto clock = current->clock_position();
    const AlertPosition clock_position =
        clock ? AlertPosition{clock->first, clock->second} : AlertPosition{0, static_cast<std::uint64_t>(now / 384)};
    const AlertPosition position = idle_alert_position(newest_judged_, clock_position);
    inputs_.alerting->evaluate(with_extra(current->latest_samples()), position.iteration, position.epoch, now);
}

std::vector<monitoring::MetricFamily> MonitorRunner::metric_families() {
    std::shared_ptr<collector::Collector> current;
    {
        const std::scoped_lock lock(mutex_);
        current = collector_;
    }
    auto families = current ? current->metric_families() : std::vector<monitoring::MetricFamily>{};
    if (inputs_.alerting) {
        auto alerting = inputs_.alerting->metric_families();
        families.insert(families.end(), std::make_move_iterator(alerting.begin()),
                        std::make_move_iterator(alerting.end()));
    }
    return families;
}

nlohmann::ordered_json MonitorRunner::status() {
    std::shared_ptr<collector::Collector> current;
    nlohmann::ordered_json status;
    {
        const std::scoped_lock lock(mutex_);
        current = collector_;
        status["enabled"] = inputs_.settings.enabled;
        status["beacon_url"] = beacon_url_;
        status["problem"] = problem_;
    }
    if (current) status.update(current->status());
    if (inputs_.alerting) status["alerts"] = inputs_.alerting->status();
    return status;
}

}  // namespace ephemery::daemon
