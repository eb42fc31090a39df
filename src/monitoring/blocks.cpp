#include "monitoring/blocks.hpp"

#include "ssz/codec.hpp"
#include "ssz/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace ephemery::monitoring {
namespace {

bool bit_at(std::span<const std::uint8_t> bits, std::size_t position) {
    return position / 8 < bits.size() && ((unsigned{bits[position / 8]} >> (position % 8)) & 1U) != 0;
}

// A bitlist's length: the position of its delimiter, the highest set bit (validated bitlists have one).
std::size_t bitlist_length(std::span<const std::uint8_t> bits) {
    for (std::size_t byte = bits.size(); byte-- > 0;) {
        if (bits[byte] == 0) continue;
        for (std::size_t bit = 8; bit-- > 0;) {
            if (((unsigned{bits[byte]} >> bit) & 1U) != 0) return byte * 8 + bit;
        }
    }
    return 0;
}

using CommitteeKey = std::pair<std::uint64_t, std::uint64_t>;  // slot, committee index

}  // namespace

Result<BlockContents> read_block_contents(std::span<const std::uint8_t> bytes, ssz::ForkName fork,
                                          const ssz::ConsensusPreset& preset) {
    if (fork == ssz::ForkName::phase0) {
        return make_error(Errc::unsupported, "a phase0 block has no sync aggregate; monitoring needs Altair or later");
    }
    const auto schemas = ssz::beacon_schemas(fork, preset);
    const std::string root_name = fmt::format("block ({}, {} preset)", ssz::fork_name(fork), preset.name);
    if (auto valid = ssz::validate(*schemas.signed_beacon_block, bytes, root_name); !valid) return valid.error();
    auto message = ssz::field(*schemas.signed_beacon_block, bytes, "message");
    if (!message) return message.error();
    auto slot = ssz::field(*schemas.beacon_block, message->bytes, "slot");
    if (!slot) return slot.error();
    auto body = ssz::field(*schemas.beacon_block, message->bytes, "body");
    if (!body) return body.error();
    auto attestations = ssz::field(*schemas.beacon_block_body, body->bytes, "attestations");
    if (!attestations) return attestations.error();
    auto sync_aggregate = ssz::field(*schemas.beacon_block_body, body->bytes, "sync_aggregate");
    if (!sync_aggregate) return sync_aggregate.error();
    auto sync_bits = ssz::field(*sync_aggregate->type, sync_aggregate->bytes, "sync_committee_bits");
    if (!sync_bits) return sync_bits.error();

    BlockContents contents;
    contents.slot = ssz::load_uint64(slot->bytes);
    contents.sync_committee_bits.assign(sync_bits->bytes.begin(), sync_bits->bytes.end());
    auto decoded = ssz::decode(*attestations->type, attestations->bytes, root_name + ".message.body.attestations");
    if (!decoded) return decoded.error();
    const auto& attestation_type = *attestations->type->element();
    const std::size_t bits_field = attestation_type.field_index("aggregation_bits");
    const std::size_t data_field = attestation_type.field_index("data");
    const std::size_t committee_bits_field = attestation_type.field_index("committee_bits");
    const bool electra = committee_bits_field < attestation_type.fields().size();
    for (const auto& attestation : decoded->items) {
        IncludedAttestation included;
        included.aggregation_bits = attestation.items[bits_field].bytes;
        const auto& data = attestation.items[data_field];
        included.slot = ssz::load_uint64(data.items[0].bytes);
        included.committee_index = ssz::load_uint64(data.items[1].bytes);
        if (electra) included.committee_bits = attestation.items[committee_bits_field].bytes;
        contents.attestations.push_back(std::move(included));
    }
    return contents;
}

namespace {

// One committee set per slot of the epoch: every slot present, each with committees 0..C-1, C the same for all.
bool covers_epoch(const std::vector<SlotCommittee>& committees, std::uint64_t epoch, std::uint64_t slots_per_epoch) {
    std::map<std::uint64_t, std::set<std::uint64_t>> by_slot;
    for (const auto& committee : committees) {
        if (committee.slot / slots_per_epoch != epoch) return false;
        by_slot[committee.slot].insert(committee.index);
    }
    if (by_slot.size() != slots_per_epoch) return false;
    const std::size_t per_slot = by_slot.begin()->second.size();
    return std::all_of(by_slot.begin(), by_slot.end(), [per_slot](const auto& entry) {
        return entry.second.size() == per_slot && *entry.second.rbegin() + 1 == per_slot;
    });
}

}  // namespace

std::optional<EpochCommittees> committees_of_epoch(std::vector<SlotCommittee> answer, std::uint64_t epoch,
                                                   std::uint64_t slots_per_epoch) {
    if (slots_per_epoch == 0) return std::nullopt;
    if (covers_epoch(answer, epoch, slots_per_epoch)) return EpochCommittees{std::move(answer), false};
    for (auto& committee : answer) {
        const std::uint64_t slot_in_epoch = committee.index;
        committee.index = committee.slot;
        committee.slot = epoch * slots_per_epoch + slot_in_epoch;
    }
    if (covers_epoch(answer, epoch, slots_per_epoch)) return EpochCommittees{std::move(answer), true};
    return std::nullopt;
}

std::map<std::uint64_t, std::uint32_t> inclusion_delays(const std::vector<SlotCommittee>& committees,
                                                        const std::vector<BlockContents>& blocks, std::uint64_t epoch,
                                                        std::uint64_t slots_per_epoch,
                                                        const std::set<std::uint64_t>& watched) {
    std::map<CommitteeKey, const SlotCommittee*> by_key;
    for (const auto& committee : committees) by_key[{committee.slot, committee.index}] = &committee;
    std::map<std::uint64_t, std::uint32_t> delays;
    const auto include = [&](std::uint64_t validator, std::uint64_t delay) {
        if (!watched.contains(validator)) return;
        const auto value = static_cast<std::uint32_t>(delay);
        const auto [entry, inserted] = delays.emplace(validator, value);
        if (!inserted) entry->second = std::min(entry->second, value);
    };
    for (const auto& block : blocks) {
        for (const auto& attestation : block.attestations) {
            if (attestation.slot / slots_per_epoch != epoch || block.slot <= attestation.slot) continue;
            const std::uint64_t delay = block.slot - attestation.slot;
            const std::size_t length = bitlist_length(attestation.aggregation_bits);
            // Before Electra the bits cover the committee data.index names; from Electra on they cover the
            // committees committee_bits selects, one after the other in committee order (EIP-7549).
            std::vector<std::uint64_t> selected;
            if (attestation.committee_bits.empty()) {
                selected.push_back(attestation.committee_index);
            } else {
                for (std::size_t index = 0; index < attestation.committee_bits.size() * 8; ++index) {
                    if (bit_at(attestation.committee_bits, index)) selected.push_back(index);
                }
            }
            std::size_t offset = 0;
            for (const auto index : selected) {
                const auto found = by_key.find({attestation.slot, index});
                if (found == by_key.end()) break;  // committees of another shuffling: nothing to attribute
                const auto& members = found->second->validators;
                for (std::size_t position = 0; position < members.size() && offset + position < length; ++position) {
                    if (bit_at(attestation.aggregation_bits, offset + position)) include(members[position], delay);
                }
                offset += members.size();
            }
        }
    }
    return delays;
}

std::vector<std::optional<std::uint64_t>> sync_committee_indices(
    const std::vector<std::array<std::uint8_t, 48>>& committee,
    const std::vector<std::array<std::uint8_t, 48>>& registry) {
    std::unordered_map<std::string_view, std::vector<std::size_t>> positions;
    for (std::size_t position = 0; position < committee.size(); ++position) {
        const auto& pubkey = committee[position];
        positions[std::string_view(reinterpret_cast<const char*>(pubkey.data()), pubkey.size())].push_back(  // NOLINT
            position);
    }
    std::vector<std::optional<std::uint64_t>> indices(committee.size());
    for (std::size_t index = 0; index < registry.size(); ++index) {
        const auto& pubkey = registry[index];
        const auto found =
            positions.find(std::string_view(reinterpret_cast<const char*>(pubkey.data()), pubkey.size()));  // NOLINT
        if (found == positions.end()) continue;
        for (const auto position : found->second) {
            if (!indices[position]) indices[position] = index;
        }
    }
    return indices;
}

std::map<std::uint64_t, SyncParticipation> sync_participation(
    const std::vector<std::optional<std::uint64_t>>& committee, const std::vector<BlockContents>& blocks,
    const std::set<std::uint64_t>& watched) {
    std::map<std::uint64_t, std::vector<std::size_t>> members;
    for (std::size_t position = 0; position < committee.size(); ++position) {
        if (committee[position] && watched.contains(*committee[position])) {
            members[*committee[position]].push_back(position);
        }
    }
    std::map<std::uint64_t, SyncParticipation> participation;
    for (const auto& [validator, positions] : members) {
        auto& counts = participation[validator];
        for (const auto& block : blocks) {
            const bool signed_block = std::any_of(positions.begin(), positions.end(), [&](std::size_t position) {
                return bit_at(block.sync_committee_bits, position);
            });
            ++(signed_block ? counts.signed_blocks : counts.missed_blocks);
        }
    }
    return participation;
}

}  // namespace ephemery::monitoring
