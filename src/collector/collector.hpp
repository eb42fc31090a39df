#pragma once
// The monitoring collector: follows the node's beacon API, judges each epoch once it can be judged (head or
// finalized mode), writes the records to the history, keeps the latest snapshot for /metrics and hands the
// samples to the alerting. Reset-aware: a new genesis starts a new chain context (iteration, spec, watch list
// re-mapped by pubkey).

#include "beacon/client.hpp"
#include "core/result.hpp"
#include "history/store.hpp"
#include "monitoring/metrics.hpp"
#include "monitoring/settings.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ephemery::collector {

struct ProcessTotals {
    double cpu_seconds{0};
    std::uint64_t resident_bytes{0};
};

// Called with every judged epoch's samples (all series, uncapped): the alerting's input.
using SampleSink =
    std::function<void(const std::vector<monitoring::Sample>& samples, std::uint64_t iteration, std::uint64_t epoch)>;

struct CollectorSettings {
    monitoring::Settings monitoring;
    std::string beacon_url;          // the node's consensus client, e.g. http://127.0.0.1:5052
    std::string execution_url;       // its execution client's JSON-RPC; empty: none watched
    std::filesystem::path data_dir;  // measured for growth; scratch space for state downloads
    std::filesystem::path database;  // empty: no history (monitor once)
    // The iteration a chain of this genesis time belongs to (the network schedule knows).
    std::function<std::optional<std::uint64_t>(std::int64_t genesis_time)> iteration_of;
    std::function<ProcessTotals()> process_totals;  // the clients' processes; empty: zeros
    std::function<std::int64_t()> clock;            // Unix seconds; empty: the system clock
    std::uint64_t backfill_epochs{4};               // judged at most this far back when (re)starting mid-iteration
    std::int64_t raw_days{30};                      // per-epoch validator rows kept; older ones are rolled into days
};

struct CollectorCounters {
    std::uint64_t epochs_judged{0};
    std::uint64_t errors{0};  // polls or epochs that failed (logged; retried at the next poll)
    std::uint64_t rewards_api_epochs{0};
    std::uint64_t derived_epochs{0};
    std::string last_error;
};

class Collector {
  public:
    [[nodiscard]] static Result<std::unique_ptr<Collector>> create(CollectorSettings settings, SampleSink sink = {});
    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;
    Collector(Collector&&) = delete;
    Collector& operator=(Collector&&) = delete;
    ~Collector();

    // Judges every epoch that has become judgeable since the last call; returns how many.
    [[nodiscard]] Result<std::size_t> poll();
    // Judges one epoch now (it must be judgeable in the configured mode) without writing history.
    [[nodiscard]] Result<monitoring::EpochSnapshot> judge_once(std::optional<std::uint64_t> epoch);
    // Counts a failed poll (ephemery_monitor_errors_total) and logs it when the reason changed.
    void record_failure(const Error& error);

    // The latest snapshot's families, per-validator series capped by max_validator_series.
    [[nodiscard]] std::vector<monitoring::MetricFamily> metric_families() const;
    // Every series of the latest snapshot, uncapped: what the alert rules are evaluated on.
    [[nodiscard]] std::vector<monitoring::Sample> latest_samples() const;
    // The followed chain's iteration and its wall-clock epoch now; nullopt before the node answered once.
    [[nodiscard]] std::optional<std::pair<std::uint64_t, std::uint64_t>> clock_position() const;
    [[nodiscard]] CollectorCounters counters() const;
    [[nodiscard]] nlohmann::ordered_json status() const;

    struct State;

  private:
    explicit Collector(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

// JSON for one snapshot (monitor once --json) and for single records (history --json).
[[nodiscard]] nlohmann::ordered_json to_json(const monitoring::EpochSnapshot& snapshot);
[[nodiscard]] nlohmann::ordered_json to_json(const monitoring::NodeEpoch& node);
[[nodiscard]] nlohmann::ordered_json to_json(const monitoring::ValidatorEpoch& record);

}  // namespace ephemery::collector
