#include "monitoring/participation.hpp"

#include "ssz/codec.hpp"
#include "ssz/schema.hpp"

#include <fmt/format.h>

#include <cstring>

namespace ephemery::monitoring {
namespace {

constexpr std::size_t validator_record_size = 121;  // phase0 .. fulu: 48 + 32 + 8 + 1 + 4 * 8
constexpr std::uint64_t far_future = ~std::uint64_t{0};
constexpr std::array<std::uint64_t, 3> flag_weights{14, 26, 14};  // source, target, head
constexpr std::uint64_t weight_denominator = 64;

std::uint64_t read_u64(std::span<const std::uint8_t> bytes, std::size_t at) {
    return ssz::load_uint64(bytes.subspan(at, 8));
}

std::vector<std::uint64_t> read_u64_list(std::span<const std::uint8_t> bytes) {
    std::vector<std::uint64_t> values(bytes.size() / 8);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = read_u64(bytes, i * 8);
    return values;
}

// floor(sqrt(n)) for any uint64 (consensus-specs integer_squareroot).
std::uint64_t integer_squareroot(std::uint64_t n) {
    if (n == far_future) return 4294967295ULL;
    std::uint64_t x = n;
    std::uint64_t y = (x + 1) / 2;
    while (y < x) {
        x = y;
        y = (x + n / x) / 2;
    }
    return x;
}

bool is_active(const StateColumns& state, std::size_t index, std::uint64_t epoch) {
    return state.activation_epochs[index] <= epoch && epoch < state.exit_epochs[index];
}

}  // namespace

Result<StateColumns> read_state_columns(std::span<const std::uint8_t> bytes, ssz::ForkName fork,
                                        const ssz::ConsensusPreset& preset) {
    if (fork == ssz::ForkName::phase0) {
        return make_error(Errc::unsupported,
                          "a phase0 state has no participation flags; monitoring needs Altair or later");
    }
    const auto schemas = ssz::beacon_schemas(fork, preset);
    const std::string root_name = fmt::format("state ({}, {} preset)", ssz::fork_name(fork), preset.name);
    if (auto valid = ssz::validate(*schemas.beacon_state, bytes, root_name); !valid) return valid.error();
    const auto field = [&](std::string_view name) { return ssz::field(*schemas.beacon_state, bytes, name); };

    StateColumns columns;
    const auto slot = field("slot");
    const auto finalized = field("finalized_checkpoint");
    const auto justified = field("current_justified_checkpoint");
    const auto validators = field("validators");
    const auto balances = field("balances");
    const auto previous = field("previous_epoch_participation");
    const auto current = field("current_epoch_participation");
    const auto inactivity = field("inactivity_scores");
    const auto current_sync = field("current_sync_committee");
    const auto next_sync = field("next_sync_committee");
    for (const auto* part : {&slot, &finalized, &justified, &validators, &balances, &previous, &current, &inactivity,
                             &current_sync, &next_sync}) {
        if (!*part) return part->error();
    }
    columns.slot = read_u64(slot->bytes, 0);
    columns.finalized_epoch = read_u64(finalized->bytes, 0);
    columns.current_justified_epoch = read_u64(justified->bytes, 0);

    const auto records = validators->bytes;
    const std::size_t count = records.size() / validator_record_size;
    columns.pubkeys.resize(count);
    columns.effective_balances.resize(count);
    columns.slashed.resize(count);
    columns.activation_eligibility_epochs.resize(count);
    columns.activation_epochs.resize(count);
    columns.exit_epochs.resize(count);
    columns.withdrawable_epochs.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto record = records.subspan(i * validator_record_size, validator_record_size);
        std::memcpy(columns.pubkeys[i].data(), record.data(), 48);
        columns.effective_balances[i] = read_u64(record, 80);
        columns.slashed[i] = record[88];
        columns.activation_eligibility_epochs[i] = read_u64(record, 89);
        columns.activation_epochs[i] = read_u64(record, 97);
        columns.exit_epochs[i] = read_u64(record, 105);
        columns.withdrawable_epochs[i] = read_u64(record, 113);
    }
    columns.balances = read_u64_list(balances->bytes);
    columns.previous_epoch_participation.assign(previous->bytes.begin(), previous->bytes.end());
    columns.current_epoch_participation.assign(current->bytes.begin(), current->bytes.end());
    columns.inactivity_scores = read_u64_list(inactivity->bytes);
    // SyncCommittee is fixed-size: the pubkeys vector first, then the aggregate pubkey.
    for (auto [committee, view] : {std::pair{&columns.current_sync_committee, &*current_sync},
                                   std::pair{&columns.next_sync_committee, &*next_sync}}) {
        committee->resize(preset.sync_committee_size);
        for (std::size_t i = 0; i < committee->size(); ++i) {
            std::memcpy((*committee)[i].data(), view->bytes.subspan(i * 48, 48).data(), 48);
        }
    }
    // The spec keeps these lists as long as the registry; a state that does not is not one a node produced.
    for (const auto& [name, size] : {std::pair<std::string_view, std::size_t>{"balances", columns.balances.size()},
                                     {"previous_epoch_participation", columns.previous_epoch_participation.size()},
                                     {"current_epoch_participation", columns.current_epoch_participation.size()},
                                     {"inactivity_scores", columns.inactivity_scores.size()}}) {
        if (size != count) {
            return make_error(
                Errc::verification_failed,
                fmt::format("{}.{} has {} entries but the state has {} validators", root_name, name, size, count));
        }
    }
    return columns;
}

std::string validator_status(const StateColumns& state, std::size_t index, std::uint64_t epoch) {
    const bool slashed = state.slashed[index] != 0;
    if (state.activation_epochs[index] > epoch) {
        return state.activation_eligibility_epochs[index] == far_future ? "pending_initialized" : "pending_queued";
    }
    if (epoch < state.exit_epochs[index]) {
        if (state.exit_epochs[index] == far_future) return "active_ongoing";
        return slashed ? "active_slashed" : "active_exiting";
    }
    if (epoch < state.withdrawable_epochs[index]) return slashed ? "exited_slashed" : "exited_unslashed";
    return state.balances[index] != 0 ? "withdrawal_possible" : "withdrawal_done";
}

RewardConstants reward_constants(ssz::ForkName fork) {
    RewardConstants constants;
    if (fork != ssz::ForkName::phase0 && fork != ssz::ForkName::altair)
        constants.inactivity_penalty_quotient = 1ULL << 24U;
    return constants;
}

std::int64_t DerivedEpoch::ideal_reward(std::uint64_t effective_balance) const noexcept {
    if (inactivity_leak || active_increments == 0) return 0;
    const std::uint64_t base_reward = effective_balance / effective_balance_increment * base_reward_per_increment;
    std::uint64_t total = 0;
    for (std::size_t flag = 0; flag < 3; ++flag) {
        total += base_reward * flag_weights[flag] * participating_increments[flag] /
                 (active_increments * weight_denominator);
    }
    return static_cast<std::int64_t>(total);
}

Result<DerivedEpoch> derive_epoch(const StateColumns& state, std::uint64_t epoch, std::uint64_t slots_per_epoch,
                                  const RewardConstants& constants) {
    if (slots_per_epoch == 0) return make_error(Errc::invalid_argument, "slots_per_epoch must not be 0");
    const std::uint64_t state_epoch = state.slot / slots_per_epoch;
    const std::vector<std::uint8_t>* flags = nullptr;
    if (state_epoch == epoch + 1) {
        flags = &state.previous_epoch_participation;
    } else if (state_epoch == epoch) {
        flags = &state.current_epoch_participation;
    } else {
        return make_error(Errc::invalid_argument,
                          fmt::format("the state at slot {} (epoch {}) does not hold epoch {}'s participation: it "
                                      "needs a state of epoch {} or {}",
                                      state.slot, state_epoch, epoch, epoch, epoch + 1));
    }
    const std::size_t count = state.pubkeys.size();
    const std::uint64_t increment = constants.effective_balance_increment;

    DerivedEpoch derived;
    derived.epoch = epoch;
    derived.effective_balance_increment = increment;
    // The transition into epoch + 2 runs with current epoch = epoch + 1 and previous epoch = epoch.
    const std::uint64_t current_epoch = epoch + 1;
    std::uint64_t total_active = 0;
    std::array<std::uint64_t, 3> participating{};
    for (std::size_t i = 0; i < count; ++i) {
        if (is_active(state, i, current_epoch)) total_active += state.effective_balances[i];
        if (!is_active(state, i, epoch)) continue;
        ++derived.active_validators;
        if (state.slashed[i] != 0) continue;
        for (std::size_t flag = 0; flag < 3; ++flag) {
            if ((static_cast<unsigned>((*flags)[i]) >> flag) & 1U) participating[flag] += state.effective_balances[i];
        }
    }
    total_active = std::max(total_active, increment);
    derived.total_active_balance = total_active;
    derived.active_increments = total_active / increment;
    derived.base_reward_per_increment = increment * constants.base_reward_factor / integer_squareroot(total_active);
    for (std::size_t flag = 0; flag < 3; ++flag) {
        derived.participating_increments[flag] = participating[flag] / increment;
    }
    derived.source_participation = static_cast<double>(participating[0]) / static_cast<double>(total_active);
    derived.target_participation = static_cast<double>(participating[1]) / static_cast<double>(total_active);
    derived.head_participation = static_cast<double>(participating[2]) / static_cast<double>(total_active);
    // The finality delay as the state knows it; the transition may finalize one more epoch first, so a leak
    // reported here can end one epoch earlier on chain.
    derived.inactivity_leak =
        epoch > state.finalized_epoch && epoch - state.finalized_epoch > constants.min_epochs_to_inactivity_penalty;

    derived.validators.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto& figures = derived.validators[i];
        const bool slashed = state.slashed[i] != 0;
        figures.eligible = is_active(state, i, epoch) || (slashed && epoch + 1 < state.withdrawable_epochs[i]);
        const std::uint8_t bits = (*flags)[i];
        figures.source = (bits & timely_source_flag) != 0;
        figures.target = (bits & timely_target_flag) != 0;
        figures.head = (bits & timely_head_flag) != 0;
        if (!figures.eligible) continue;
        const std::uint64_t base_reward = state.effective_balances[i] / increment * derived.base_reward_per_increment;
        const std::array<bool, 3> has{figures.source && !slashed, figures.target && !slashed, figures.head && !slashed};
        std::array<std::int64_t, 3> rewards{};
        for (std::size_t flag = 0; flag < 3; ++flag) {
            if (has[flag]) {
                if (!derived.inactivity_leak) {
                    rewards[flag] = static_cast<std::int64_t>(base_reward * flag_weights[flag] *
                                                              derived.participating_increments[flag] /
                                                              (derived.active_increments * weight_denominator));
                }
            } else if (flag != 2) {  // a missed head vote costs nothing
                rewards[flag] = -static_cast<std::int64_t>(base_reward * flag_weights[flag] / weight_denominator);
            }
        }
        figures.source_reward = rewards[0];
        figures.target_reward = rewards[1];
        figures.head_reward = rewards[2];
        // process_inactivity_updates runs first; then validators without a timely target vote pay in
        // proportion to their score.
        std::uint64_t score = state.inactivity_scores[i];
        if (has[1]) {
            score -= std::min<std::uint64_t>(1, score);
        } else {
            score += constants.inactivity_score_bias;
        }
        if (!derived.inactivity_leak) score -= std::min(constants.inactivity_score_recovery_rate, score);
        if (!has[1] && score != 0) {
            // uint64 as in the spec: 2048 ETH of effective balance times a score of 9e6 still fits.
            const std::uint64_t penalty = state.effective_balances[i] * score /
                                          (constants.inactivity_score_bias * constants.inactivity_penalty_quotient);
            figures.inactivity_penalty = -static_cast<std::int64_t>(penalty);
        }
    }
    return derived;
}

}  // namespace ephemery::monitoring
