#pragma once
// The per-epoch records monitoring produces and everything downstream (history, metrics, alerts, analytics,
// reports) consumes. Plain data: no I/O, no parsing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ephemery::monitoring {

// Where a validator's attestation figures came from. Operators must know whether a number is the node's own
// reward computation or ephemery's derivation.
enum class FigureSource {
    rewards_api,          // POST /eth/v1/beacon/rewards/attestations/{epoch}
    participation_flags,  // the state's previous_epoch_participation, rewards derived with the Altair formulas
    liveness,             // only POST /eth/v1/validator/liveness: attested or not, no correctness, no rewards
    none,                 // nothing available for this epoch
};

[[nodiscard]] std::string_view figure_source_name(FigureSource source);
[[nodiscard]] std::optional<FigureSource> figure_source_from_name(std::string_view name);

// One watched validator in one epoch of one iteration.
struct ValidatorEpoch {
    std::uint64_t iteration{0};
    std::uint64_t epoch{0};
    std::int64_t time{0};                // Unix seconds at the start of the epoch
    std::string label;                   // the configured group
    std::string pubkey;                  // 0x-hex; the identity that survives resets
    std::uint64_t index{0};              // this iteration's validator index
    std::string status;                  // beacon-APIs validator status (active_ongoing, ...)
    std::uint64_t balance{0};            // Gwei, at the end of the epoch
    std::int64_t balance_delta{0};       // Gwei, against the previous epoch's balance (0 for the first record)
    std::uint64_t effective_balance{0};  // Gwei
    FigureSource source{FigureSource::none};
    // Timely source/target/head votes; nullopt where the source cannot tell.
    std::optional<bool> source_hit;
    std::optional<bool> target_hit;
    std::optional<bool> head_hit;
    std::optional<bool> live;                     // liveness (attested or proposed in the epoch)
    std::int64_t attestation_reward{0};           // Gwei, source + target + head (+ inactivity), may be negative
    std::int64_t ideal_attestation_reward{0};     // Gwei, what a perfect validator of this balance earned
    std::uint32_t missed_attestations_in_row{0};  // consecutive epochs, to this one, with no timely vote at all
    std::uint32_t proposals_made{0};
    std::uint32_t proposals_missed{0};
    std::optional<std::uint32_t> inclusion_delay;    // slots, where derivable
    std::optional<std::uint32_t> sync_participated;  // sync-committee slots signed, where the API offers it
    std::optional<std::uint32_t> sync_missed;
};

// The node in one epoch.
struct NodeEpoch {
    std::uint64_t iteration{0};
    std::uint64_t epoch{0};
    std::int64_t time{0};         // Unix seconds when it was sampled
    std::uint64_t state_slot{0};  // the slot of the state the epoch was judged from
    std::uint64_t head_slot{0};
    std::uint64_t sync_distance{0};
    bool is_syncing{false};
    std::uint64_t peers{0};
    std::uint64_t finalized_epoch{0};
    std::uint64_t justified_epoch{0};
    std::uint64_t head_lag_slots{0};       // wall-clock slot minus head slot
    std::uint64_t finality_lag_epochs{0};  // wall-clock epoch minus finalized epoch
    std::optional<bool> el_syncing;        // nullopt: no execution client watched
    std::optional<std::uint64_t> el_peers;
    std::optional<std::uint64_t> el_block;
    double cpu_seconds{0};  // all client processes
    std::uint64_t resident_bytes{0};
    std::uint64_t data_dir_bytes{0};
};

// The whole network in one epoch (the baseline anomalies and rankings are judged against).
struct NetworkEpoch {
    std::uint64_t iteration{0};
    std::uint64_t epoch{0};
    std::int64_t time{0};
    std::uint64_t active_validators{0};
    double source_participation{0};  // share of active effective balance with a timely source vote, 0..1
    double target_participation{0};
    double head_participation{0};
    double mean_balance_gwei{0};
};

// A metric sample for Prometheus and the alert rules: name, labels, value.
struct Sample {
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;
    double value{0};
};

}  // namespace ephemery::monitoring
