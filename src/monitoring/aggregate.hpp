#pragma once
// One epoch's figures from the ingested tables (monitoring/ingest.hpp): the whole network's baseline and each
// watched group's sums with its validators looked up by index. Pure, O(n), flat arrays.

#include "monitoring/ingest.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ephemery::monitoring {

// A group of validators watched under one label, by this iteration's indices.
struct Watched {
    std::string label;
    std::vector<std::uint64_t> indices;
};

// Sums over attestation rewards (Gwei; penalties are negative). Sums saturate rather than wrap.
struct RewardSums {
    std::uint64_t validators{0};  // total_rewards elements counted
    std::int64_t head{0};
    std::int64_t target{0};
    std::int64_t source{0};
    std::int64_t inclusion_delay{0};
    std::int64_t inactivity{0};
    // Validators with a reward above zero for each vote: a participation proxy.
    std::uint64_t positive_head{0};
    std::uint64_t positive_target{0};
    std::uint64_t positive_source{0};
    // Effectiveness: the total rewards of the validators whose effective balance has an ideal_rewards element,
    // against the sum of those ideal rewards.
    std::uint64_t matched_validators{0};
    std::int64_t matched_total{0};
    std::int64_t matched_ideal{0};

    [[nodiscard]] std::int64_t total() const;
    [[nodiscard]] double head_share() const;     // positive_head / validators, 0 without validators
    [[nodiscard]] double target_share() const;   // positive_target / validators
    [[nodiscard]] double source_share() const;   // positive_source / validators
    [[nodiscard]] double effectiveness() const;  // matched_total / matched_ideal, 0 when nothing matched
};

// One watched validator's row: what the tables say about its index.
struct WatchedValidatorRow {
    std::uint64_t index{0};
    bool found{false};  // in the validators table
    ValidatorStatus status{ValidatorStatus::pending_initialized};
    std::uint64_t balance{0};  // the balances table's, else the validators table's
    std::uint64_t effective_balance{0};
    bool slashed{false};
    bool has_reward{false};  // in total_rewards
    std::int64_t head{0};
    std::int64_t target{0};
    std::int64_t source{0};
    std::int64_t inclusion_delay{0};
    std::int64_t inactivity{0};
    bool has_ideal{false};  // ideal_rewards has its effective balance
    std::int64_t ideal_total{0};

    [[nodiscard]] std::int64_t reward_total() const { return head + target + source + inclusion_delay + inactivity; }
};

struct GroupAggregate {
    std::string label;
    std::uint64_t found{0};    // indices in the validators table
    std::uint64_t missing{0};  // indices not in it
    std::uint64_t active{0};
    std::uint64_t total_balance{0};
    std::uint64_t total_effective_balance{0};
    RewardSums rewards;
    std::vector<WatchedValidatorRow> validators;  // in the order of Watched::indices
};

struct EpochAggregate {
    std::uint64_t validators{0};
    std::array<std::uint64_t, validator_status_count> status_counts{};  // by ValidatorStatus
    std::uint64_t active{0};
    // From the balances table, or from the validators table's balance column when the balances table is empty.
    std::uint64_t balances{0};
    std::uint64_t total_balance{0};
    double mean_balance{0};
    std::uint64_t total_effective_balance{0};
    bool has_rewards{false};
    RewardSums rewards;
    std::vector<GroupAggregate> groups;  // in the order of `watched`
};

// `rewards` may be null (no rewards for this epoch). Duplicate indices in a table: the first row counts for
// lookups; every row counts in the network-wide sums.
[[nodiscard]] EpochAggregate aggregate_epoch(const ValidatorTable& validators, const BalanceTable& balances,
                                             const RewardTable* rewards, const std::vector<Watched>& watched);

}  // namespace ephemery::monitoring
