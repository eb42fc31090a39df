#include "checkpoint/verify.hpp"

#include "core/text.hpp"
#include "release/layout.hpp"

#include <fmt/format.h>

namespace ephemery::checkpoint {
namespace {

std::string hex(const ssz::Chunk& root) {
    return "0x" + to_hex(root);
}

Status check_fork_header(std::string_view what, ssz::ForkName expected, std::string_view consensus_version) {
    if (consensus_version.empty()) return {};
    const auto named = ssz::parse_fork_name(consensus_version);
    if (!named || *named != expected) {
        return make_error(Errc::verification_failed,
                          fmt::format("the provider labels the {} `{}` (Eth-Consensus-Version) but its slot is in the "
                                      "{} fork of the installed release",
                                      what, consensus_version, ssz::fork_name(expected)));
    }
    return {};
}

}  // namespace

Result<NetworkFacts> network_facts(const release::ReleaseFiles& release) {
    const auto config_file = release.files.find(release::path_of(release.layout, "config.yaml"));
    if (config_file == release.files.end()) {
        return make_error(Errc::not_found, "the installed release has no config.yaml; run `ephemery genesis fetch`");
    }
    const auto genesis_file = release.files.find(release::path_of(release.layout, "genesis.ssz"));
    if (genesis_file == release.files.end()) {
        return make_error(Errc::not_found, "the installed release has no genesis.ssz; run `ephemery genesis fetch`");
    }
    NetworkFacts facts;
    auto config = release::parse_consensus_config(config_file->second, "config.yaml");
    if (!config) return config.error();
    facts.config = std::move(*config);
    auto forks = ssz::fork_schedule_from_config(facts.config);
    if (!forks) return forks.error();
    facts.forks = *forks;
    const auto preset_entry = facts.config.find("PRESET_BASE");
    facts.preset_name = preset_entry == facts.config.end() ? "mainnet" : std::string(trim(preset_entry->second));
    if (facts.preset_name.size() >= 2 && facts.preset_name.front() == '\'') {
        facts.preset_name = facts.preset_name.substr(1, facts.preset_name.size() - 2);  // PRESET_BASE: 'minimal'
    }
    auto preset = ssz::preset_by_name(facts.preset_name);
    if (!preset) {
        return make_error(
            Errc::unsupported,
            fmt::format("config.yaml PRESET_BASE is `{}`; ephemery knows the `mainnet` and `minimal` presets",
                        facts.preset_name));
    }
    facts.preset = *preset;
    facts.slots_per_epoch = facts.preset.slots_per_epoch;
    const auto fields = release::read_genesis_state_fields(genesis_file->second);
    if (!fields)
        return make_error(Errc::parse_error, "genesis.ssz of the installed release is too short for a BeaconState");
    facts.genesis.genesis_time = fields->genesis_time;
    const auto root = from_hex(std::string_view(fields->genesis_validators_root).substr(2));
    if (!root || root->size() != 32)
        return make_error(Errc::parse_error, "genesis.ssz: unreadable genesis validators root");
    std::copy(root->begin(), root->end(), facts.genesis.genesis_validators_root.begin());
    return facts;
}

ssz::ForkName fork_at_slot(const NetworkFacts& facts, std::uint64_t slot) noexcept {
    return ssz::fork_at_epoch(facts.forks, slot / std::max<std::uint64_t>(facts.slots_per_epoch, 1));
}

Result<VerifiedBlock> verify_block(std::span<const std::uint8_t> bytes, const beacon::Checkpoint& agreed,
                                   const NetworkFacts& facts, std::string_view consensus_version) {
    auto slot = ssz::peek_signed_block_slot(bytes);
    if (!slot) return slot.error();
    VerifiedBlock block;
    block.fork = fork_at_slot(facts, *slot);
    if (auto labelled = check_fork_header("block", block.fork, consensus_version); !labelled) return labelled.error();
    auto summary = ssz::inspect_signed_beacon_block(bytes, block.fork, facts.preset);
    if (!summary) return summary.error();
    block.summary = *summary;
    if (block.summary.root != agreed.root) {
        return make_error(Errc::verification_failed,
                          fmt::format("the block's hash_tree_root is {}, not the agreed finalized root {}",
                                      hex(block.summary.root), beacon::root_hex(agreed.root)));
    }
    const std::uint64_t boundary = agreed.epoch * facts.slots_per_epoch;
    if (block.summary.slot != boundary) {
        return make_error(Errc::verification_failed,
                          fmt::format("the finalized block is at slot {}, not at slot {} (the first of epoch {}: that "
                                      "slot was empty); clients need an epoch-boundary state, try again after the "
                                      "next finalization",
                                      block.summary.slot, boundary, agreed.epoch));
    }
    return block;
}

Result<VerifiedState> verify_state(std::span<const std::uint8_t> bytes, const VerifiedBlock& block,
                                   const NetworkFacts& facts, std::string_view consensus_version) {
    auto slot = ssz::peek_state_slot(bytes);
    if (!slot) return slot.error();
    if (*slot != block.summary.slot) {
        return make_error(
            Errc::verification_failed,
            fmt::format("the state is for slot {}, the finalized block for slot {}", *slot, block.summary.slot));
    }
    VerifiedState state;
    state.fork = block.fork;
    if (auto labelled = check_fork_header("state", state.fork, consensus_version); !labelled) return labelled.error();
    auto summary = ssz::inspect_beacon_state(bytes, state.fork, facts.preset);
    if (!summary) return summary.error();
    state.summary = *summary;
    if (state.summary.genesis_time != facts.genesis.genesis_time ||
        state.summary.genesis_validators_root != facts.genesis.genesis_validators_root) {
        return make_error(
            Errc::verification_failed,
            fmt::format("the state belongs to another chain (genesis_time {}, genesis validators root {})",
                        state.summary.genesis_time, hex(state.summary.genesis_validators_root)));
    }
    if (state.summary.root != block.summary.state_root) {
        return make_error(
            Errc::verification_failed,
            fmt::format("the state's hash_tree_root is {}, but the finalized block commits to state_root {}",
                        hex(state.summary.root), hex(block.summary.state_root)));
    }
    return state;
}

}  // namespace ephemery::checkpoint
