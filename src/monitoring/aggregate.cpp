#include "monitoring/aggregate.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <span>
#include <utility>

namespace ephemery::monitoring {

namespace {

void add_saturating(std::uint64_t& sum, std::uint64_t value) {
    if (__builtin_add_overflow(sum, value, &sum)) sum = std::numeric_limits<std::uint64_t>::max();
}

void add_saturating(std::int64_t& sum, std::int64_t value) {
    if (__builtin_add_overflow(sum, value, &sum)) {
        sum = value > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
    }
}

double share(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

constexpr std::uint32_t no_position = std::numeric_limits<std::uint32_t>::max();

// Validator index -> row of a table. Nothing to build when row i holds index i (the normal case: beacon nodes answer
// for every validator in order); a flat array when the indices are dense, else sorted pairs searched by bisection.
// The first row of a duplicated index wins.
class Positions {
  public:
    explicit Positions(std::span<const std::uint64_t> indices) {
        if (indices.size() >= no_position) return;  // more rows than a position can name: nothing is found
        bool in_order = true;
        std::uint64_t largest = 0;
        for (std::size_t row = 0; row < indices.size(); ++row) {
            in_order &= indices[row] == row;
            largest = std::max(largest, indices[row]);
        }
        if (in_order) {
            rows_in_order_ = indices.size();
            return;
        }
        if (largest < 2 * static_cast<std::uint64_t>(indices.size()) + 1024) {
            dense_.assign(largest + 1, no_position);
            for (std::size_t row = 0; row < indices.size(); ++row) {
                auto& slot = dense_[indices[row]];
                if (slot == no_position) slot = static_cast<std::uint32_t>(row);
            }
            return;
        }
        sparse_.reserve(indices.size());
        for (std::size_t row = 0; row < indices.size(); ++row) {
            sparse_.emplace_back(indices[row], static_cast<std::uint32_t>(row));
        }
        std::stable_sort(sparse_.begin(), sparse_.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    }

    [[nodiscard]] std::uint32_t find(std::uint64_t index) const {
        if (rows_in_order_ > 0) return index < rows_in_order_ ? static_cast<std::uint32_t>(index) : no_position;
        if (!dense_.empty()) return index < dense_.size() ? dense_[index] : no_position;
        const auto found = std::lower_bound(sparse_.begin(), sparse_.end(), index,
                                            [](const auto& entry, std::uint64_t value) { return entry.first < value; });
        return found != sparse_.end() && found->first == index ? found->second : no_position;
    }

  private:
    std::size_t rows_in_order_{0};  // row i holds index i for every row
    std::vector<std::uint32_t> dense_;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> sparse_;
};

constexpr std::uint64_t gwei_per_increment = 1'000'000'000;
constexpr std::uint64_t increments_indexed = 4096;  // 4096 ETH: above MAX_EFFECTIVE_BALANCE_ELECTRA (2048 ETH)

// Effective balance -> the ideal reward total. Effective balances are whole ETH below 4096 ETH in practice, so a
// flat array by increment; anything else is looked up among the (few) ideal_rewards elements.
class IdealLookup {
  public:
    explicit IdealLookup(const std::vector<IdealReward>& ideal) : ideal_(ideal) {
        for (std::size_t i = 0; i < ideal.size(); ++i) {
            const auto balance = ideal[i].effective_balance;
            if (balance % gwei_per_increment == 0 && balance / gwei_per_increment < increments_indexed) {
                auto& slot = by_increment_.at(balance / gwei_per_increment);
                if (slot == no_position) slot = static_cast<std::uint32_t>(i);
            }
        }
    }

    [[nodiscard]] std::optional<std::int64_t> total_for(std::uint64_t effective_balance) const {
        if (effective_balance % gwei_per_increment == 0 &&
            effective_balance / gwei_per_increment < increments_indexed) {
            const auto slot = by_increment_.at(effective_balance / gwei_per_increment);
            if (slot == no_position) return std::nullopt;
            return ideal_[slot].total();
        }
        for (const auto& entry : ideal_) {
            if (entry.effective_balance == effective_balance) return entry.total();
        }
        return std::nullopt;
    }

  private:
    const std::vector<IdealReward>& ideal_;
    std::array<std::uint32_t, increments_indexed> by_increment_ = [] {
        std::array<std::uint32_t, increments_indexed> slots{};
        slots.fill(no_position);
        return slots;
    }();
};

// Adds row `row` of the rewards to `sums`; `effective_balance` is the validator's (nullopt: not in the table).
void add_reward(RewardSums& sums, const RewardTable& rewards, std::size_t row,
                std::optional<std::uint64_t> effective_balance, const IdealLookup& ideal) {
    ++sums.validators;
    const std::int64_t head = rewards.head[row];
    const std::int64_t target = rewards.target[row];
    const std::int64_t source = rewards.source[row];
    add_saturating(sums.head, head);
    add_saturating(sums.target, target);
    add_saturating(sums.source, source);
    add_saturating(sums.inclusion_delay, rewards.inclusion_delay[row]);
    add_saturating(sums.inactivity, rewards.inactivity[row]);
    if (head > 0) ++sums.positive_head;
    if (target > 0) ++sums.positive_target;
    if (source > 0) ++sums.positive_source;
    if (!effective_balance) return;
    const auto ideal_total = ideal.total_for(*effective_balance);
    if (!ideal_total) return;
    ++sums.matched_validators;
    std::int64_t total = 0;
    add_saturating(total, head);
    add_saturating(total, target);
    add_saturating(total, source);
    add_saturating(total, rewards.inclusion_delay[row]);
    add_saturating(total, rewards.inactivity[row]);
    add_saturating(sums.matched_total, total);
    add_saturating(sums.matched_ideal, *ideal_total);
}

}  // namespace

std::int64_t RewardSums::total() const {
    std::int64_t sum = 0;
    for (const auto part : {head, target, source, inclusion_delay, inactivity}) add_saturating(sum, part);
    return sum;
}

double RewardSums::head_share() const {
    return share(positive_head, validators);
}
double RewardSums::target_share() const {
    return share(positive_target, validators);
}
double RewardSums::source_share() const {
    return share(positive_source, validators);
}
double RewardSums::effectiveness() const {
    return matched_ideal == 0 ? 0.0 : static_cast<double>(matched_total) / static_cast<double>(matched_ideal);
}

EpochAggregate aggregate_epoch(const ValidatorTable& validators, const BalanceTable& balances,
                               const RewardTable* rewards, const std::vector<Watched>& watched) {
    EpochAggregate out;
    out.validators = validators.size();
    for (std::size_t row = 0; row < validators.size(); ++row) {
        ++out.status_counts[static_cast<std::size_t>(validators.status[row])];
        add_saturating(out.total_effective_balance, validators.effective_balance[row]);
    }
    for (std::size_t status = 0; status < validator_status_count; ++status) {
        if (is_active(static_cast<ValidatorStatus>(status))) out.active += out.status_counts[status];
    }
    const auto& balance_column = balances.size() > 0 ? balances.balance : validators.balance;
    out.balances = balance_column.size();
    for (const auto balance : balance_column) add_saturating(out.total_balance, balance);
    out.mean_balance =
        out.balances == 0 ? 0.0 : static_cast<double>(out.total_balance) / static_cast<double>(out.balances);

    const Positions validator_rows(validators.index);
    static const std::vector<IdealReward> no_ideal;
    const IdealLookup ideal(rewards != nullptr ? rewards->ideal : no_ideal);
    if (rewards != nullptr) {
        out.has_rewards = true;
        for (std::size_t row = 0; row < rewards->size(); ++row) {
            const auto position = validator_rows.find(rewards->validator_index[row]);
            add_reward(out.rewards, *rewards, row,
                       position == no_position ? std::nullopt
                                               : std::optional<std::uint64_t>(validators.effective_balance[position]),
                       ideal);
        }
    }
    if (watched.empty()) return out;

    const Positions balance_rows(balances.index);
    const Positions reward_rows(rewards != nullptr ? std::span<const std::uint64_t>(rewards->validator_index)
                                                   : std::span<const std::uint64_t>());
    out.groups.reserve(watched.size());
    for (const auto& group : watched) {
        GroupAggregate& result = out.groups.emplace_back();
        result.label = group.label;
        result.validators.reserve(group.indices.size());
        for (const auto index : group.indices) {
            WatchedValidatorRow& row = result.validators.emplace_back();
            row.index = index;
            const auto position = validator_rows.find(index);
            row.found = position != no_position;
            if (row.found) {
                row.status = validators.status[position];
                row.balance = validators.balance[position];
                row.effective_balance = validators.effective_balance[position];
                row.slashed = validators.slashed[position] != 0;
                ++result.found;
                if (is_active(row.status)) ++result.active;
            } else {
                ++result.missing;
            }
            if (const auto balance_position = balance_rows.find(index); balance_position != no_position) {
                row.balance = balances.balance[balance_position];
            }
            if (row.found) {
                add_saturating(result.total_balance, row.balance);
                add_saturating(result.total_effective_balance, row.effective_balance);
            }
            if (rewards == nullptr) continue;
            const auto reward_position = reward_rows.find(index);
            if (reward_position == no_position) continue;
            row.has_reward = true;
            row.head = rewards->head[reward_position];
            row.target = rewards->target[reward_position];
            row.source = rewards->source[reward_position];
            row.inclusion_delay = rewards->inclusion_delay[reward_position];
            row.inactivity = rewards->inactivity[reward_position];
            if (row.found) {
                if (const auto ideal_total = ideal.total_for(row.effective_balance)) {
                    row.has_ideal = true;
                    row.ideal_total = *ideal_total;
                }
            }
            add_reward(result.rewards, *rewards, reward_position,
                       row.found ? std::optional<std::uint64_t>(row.effective_balance) : std::nullopt, ideal);
        }
    }
    return out;
}

}  // namespace ephemery::monitoring
