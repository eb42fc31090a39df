#pragma once
// Monitoring's Prometheus metrics (names and meanings in docs/metrics.md) and the text exposition format. Pure.

#include "monitoring/assess.hpp"
#include "monitoring/record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::monitoring {

struct MetricFamily {
    std::string name;
    std::string type;  // gauge, counter
    std::string help;
    std::vector<Sample> samples;
};

// What the collector knows after judging an epoch.
struct EpochSnapshot {
    std::optional<NodeEpoch> node;
    std::vector<ValidatorEpoch> validators;
    std::optional<NetworkEpoch> network;
    std::vector<MissingValidator> missing;
};

// The families for one snapshot. Per-validator series are emitted only while the watched set has at most
// `max_validator_series` validators (a larger set would swamp Prometheus); the per-label aggregates always are.
// The alert rules see every series: pass a negative limit.
[[nodiscard]] std::vector<MetricFamily> monitoring_metrics(const EpochSnapshot& snapshot,
                                                           std::int64_t max_validator_series);

// Flattens families into samples (the alert engine's input).
[[nodiscard]] std::vector<Sample> samples_of(const std::vector<MetricFamily>& families);

// The Prometheus text exposition format (version 0.0.4), label values escaped.
[[nodiscard]] std::string render_prometheus(const std::vector<MetricFamily>& families);
[[nodiscard]] std::string escape_label_value(std::string_view value);

}  // namespace ephemery::monitoring
