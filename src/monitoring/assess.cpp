#include "monitoring/assess.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

namespace ephemery::monitoring {
namespace {

std::string pubkey_hex(const std::array<std::uint8_t, 48>& pubkey) {
    return "0x" + to_hex(pubkey);
}

std::optional<std::uint64_t> parse_index(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || ptr != end || text.empty()) return std::nullopt;
    return value;
}

// The entry for `index` of a map that may be absent; null when the map or the entry is.
template <typename Value>
const Value* value_for(const std::map<std::uint64_t, Value>* by_index, std::uint64_t index) {
    if (by_index == nullptr) return nullptr;
    const auto found = by_index->find(index);
    return found != by_index->end() ? &found->second : nullptr;
}

}  // namespace

std::optional<std::vector<std::pair<std::uint64_t, std::uint64_t>>> parse_index_ranges(std::string_view text) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (const auto& item : split_list(text, ',')) {
        const std::string_view part = item;
        const auto dash = part.find('-');
        const auto first = parse_index(part.substr(0, dash));
        const auto last = dash == std::string_view::npos ? first : parse_index(part.substr(dash + 1));
        if (!first || !last || *last < *first) return std::nullopt;
        ranges.emplace_back(*first, *last);
    }
    return ranges;
}

WatchList resolve_watch_list(const std::vector<ValidatorGroup>& groups,
                             const std::vector<std::array<std::uint8_t, 48>>& registry) {
    WatchList watch;
    std::unordered_map<std::string, std::uint64_t> index_of;
    index_of.reserve(registry.size());
    for (std::size_t i = 0; i < registry.size(); ++i) index_of.emplace(pubkey_hex(registry[i]), i);
    std::map<std::uint64_t, WatchedValidator> chosen;
    const auto add = [&](const std::string& label, std::uint64_t index) {
        chosen.try_emplace(index, WatchedValidator{label, pubkey_hex(registry[index]), index});
    };
    for (const auto& group : groups) {
        for (const auto& configured : group.pubkeys) {
            const std::string pubkey = to_lower(configured);
            if (const auto found = index_of.find(pubkey); found != index_of.end()) {
                add(group.label, found->second);
            } else {
                watch.missing.push_back(MissingValidator{group.label, pubkey});
            }
        }
        const auto ranges = parse_index_ranges(group.indices);
        if (!ranges) {
            watch.out_of_range.push_back(group.label + ": " + group.indices);
            continue;
        }
        for (const auto& [first, last] : *ranges) {
            if (first >= registry.size()) {
                watch.out_of_range.push_back(fmt::format("{}: {}-{}", group.label, first, last));
                continue;
            }
            if (last >= registry.size())
                watch.out_of_range.push_back(fmt::format("{}: {}-{}", group.label, registry.size(), last));
            for (std::uint64_t index = first; index <= std::min<std::uint64_t>(last, registry.size() - 1); ++index) {
                add(group.label, index);
            }
        }
    }
    for (auto& [index, validator] : chosen) watch.validators.push_back(std::move(validator));
    return watch;
}

AttestationFigures figures_from_rewards_api(const ApiReward& reward) {
    AttestationFigures figures;
    figures.source = FigureSource::rewards_api;
    // Penalties mark a missing vote; a reward of 0 with a vote happens only in an inactivity leak.
    figures.source_hit = reward.source >= 0;
    figures.target_hit = reward.target >= 0;
    figures.head_hit = reward.head > 0;
    figures.reward = reward.head + reward.target + reward.source + reward.inactivity;
    figures.ideal_reward = reward.ideal;
    figures.inclusion_delay = reward.inclusion_delay;
    return figures;
}

AttestationFigures figures_from_participation(const DerivedEpoch& derived, std::uint64_t index,
                                              std::uint64_t effective_balance) {
    AttestationFigures figures;
    if (index >= derived.validators.size()) return figures;
    const auto& attestation = derived.validators[index];
    figures.source = FigureSource::participation_flags;
    figures.source_hit = attestation.source;
    figures.target_hit = attestation.target;
    figures.head_hit = attestation.head;
    figures.reward = attestation.total();
    figures.ideal_reward = attestation.eligible ? derived.ideal_reward(effective_balance) : 0;
    return figures;
}

std::vector<ValidatorEpoch> assess_validators(const WatchList& watch, const EpochInputs& inputs) {
    std::vector<ValidatorEpoch> records;
    records.reserve(watch.validators.size());
    for (const auto& watched : watch.validators) {
        ValidatorEpoch record;
        record.iteration = inputs.iteration;
        record.epoch = inputs.epoch;
        record.time = inputs.epoch_start_time;
        record.label = watched.label;
        record.pubkey = watched.pubkey;
        record.index = watched.index;
        if (inputs.state != nullptr && watched.index < inputs.state->balances.size()) {
            record.status = validator_status(*inputs.state, watched.index, inputs.epoch);
            record.balance = inputs.state->balances[watched.index];
            record.effective_balance = inputs.state->effective_balances[watched.index];
        }
        const ValidatorEpoch* previous = nullptr;
        if (inputs.previous != nullptr) {
            if (const auto found = inputs.previous->find(watched.pubkey); found != inputs.previous->end()) {
                previous = &found->second;
            }
        }
        const bool continues = previous != nullptr && previous->iteration == inputs.iteration;
        if (continues) {
            record.balance_delta =
                static_cast<std::int64_t>(record.balance) - static_cast<std::int64_t>(previous->balance);
        }
        if (const auto found = inputs.figures.find(watched.index); found != inputs.figures.end()) {
            const auto& figures = found->second;
            record.source = figures.source;
            record.source_hit = figures.source_hit;
            record.target_hit = figures.target_hit;
            record.head_hit = figures.head_hit;
            record.live = figures.live;
            record.attestation_reward = figures.reward;
            record.ideal_attestation_reward = figures.ideal_reward;
            record.inclusion_delay = figures.inclusion_delay;
        }
        const bool active = record.status.starts_with("active");
        const bool voted = record.source_hit.value_or(false) || record.target_hit.value_or(false) ||
                           record.head_hit.value_or(false) || record.live.value_or(false);
        const bool known = record.source != FigureSource::none;
        if (active && known && !voted) {
            record.missed_attestations_in_row = (continues ? previous->missed_attestations_in_row : 0) + 1;
        }
        for (const auto& duty : inputs.proposals) {
            if (duty.validator_index != watched.index) continue;
            if (duty.produced) {
                ++record.proposals_made;
            } else {
                ++record.proposals_missed;
            }
        }
        if (const auto* delay = value_for(inputs.inclusion_delays, watched.index); delay && !record.inclusion_delay) {
            record.inclusion_delay = *delay;
        }
        if (const auto* live = value_for(inputs.liveness, watched.index)) record.live = *live;
        if (!record.live && known) {
            record.live = record.source_hit.value_or(false) || record.target_hit.value_or(false) ||
                          record.head_hit.value_or(false) || record.proposals_made > 0;
        }
        if (const auto* sync = value_for(inputs.sync, watched.index)) {
            record.sync_participated = sync->signed_blocks;
            record.sync_missed = sync->missed_blocks;
        }
        records.push_back(std::move(record));
    }
    return records;
}

NetworkEpoch network_epoch(std::uint64_t iteration, std::int64_t time, const StateColumns& state,
                           const DerivedEpoch& derived) {
    NetworkEpoch network;
    network.iteration = iteration;
    network.epoch = derived.epoch;
    network.time = time;
    network.active_validators = derived.active_validators;
    network.source_participation = derived.source_participation;
    network.target_participation = derived.target_participation;
    network.head_participation = derived.head_participation;
    long double sum = 0;
    std::uint64_t active = 0;
    for (std::size_t i = 0; i < state.balances.size(); ++i) {
        if (state.activation_epochs[i] <= derived.epoch && derived.epoch < state.exit_epochs[i]) {
            sum += static_cast<long double>(state.balances[i]);
            ++active;
        }
    }
    network.mean_balance_gwei = active == 0 ? 0.0 : static_cast<double>(sum / static_cast<long double>(active));
    return network;
}

}  // namespace ephemery::monitoring
