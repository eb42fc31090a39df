#pragma once
// Beacon API JSON -> SSZ, driven by the schema (pure). Some nodes (Lodestar before 1.6, for one) answer
// /eth/v2/beacon/blocks/{id} only in JSON; converting the answer to SSZ lets it be hashed and verified like any
// SSZ download, so accepting JSON weakens nothing: the block root still has to match.
//
// The encoding is the beacon-APIs one: unsigned integers as decimal strings (a bare JSON number is accepted),
// booleans as JSON booleans, byte vectors and lists and bitfields as 0x-hex of their SSZ bytes, vectors and
// lists as arrays, containers as objects keyed by the spec's snake_case field names.

#include "checkpoint/verify.hpp"
#include "core/result.hpp"
#include "ssz/schema.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace ephemery::checkpoint {

[[nodiscard]] Result<std::vector<std::uint8_t>> ssz_from_json(const ssz::Type& type, const nlohmann::json& value,
                                                              std::string_view root_name = "data");

// The JSON answer of /eth/v2/beacon/blocks/{id} ({"version": fork, "data": SignedBeaconBlock}) as SSZ bytes of
// the SignedBeaconBlock of that fork (the answer's `version`) in `preset`.
[[nodiscard]] Result<std::vector<std::uint8_t>> signed_block_ssz_from_json(std::string_view body,
                                                                           const ssz::ConsensusPreset& preset);

}  // namespace ephemery::checkpoint
