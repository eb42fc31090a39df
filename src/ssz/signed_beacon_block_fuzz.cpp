// libFuzzer target: a SignedBeaconBlock downloaded for checkpoint sync is hostile until its root is checked. The
// first byte picks the fork (byte % 7) and the preset (byte / 7 % 2), the rest is the block. Whatever validates
// must decode and re-encode to the same bytes, and its block root must be the root of its message.
#include "ssz/beacon.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ephemery::ssz;
    if (size == 0) return 0;
    const auto fork = static_cast<ForkName>(data[0] % fork_count);
    const auto preset = preset_by_name(data[0] / fork_count % 2 == 0 ? "minimal" : "mainnet").value();
    const std::span<const std::uint8_t> bytes(data + 1, size - 1);

    (void)peek_signed_block_slot(bytes);
    const auto summary = inspect_signed_beacon_block(bytes, fork, preset);
    if (!summary) return 0;
    if (summary->slot != peek_signed_block_slot(bytes).value()) __builtin_trap();

    const auto schemas = beacon_schemas(fork, preset);
    const auto message = field(*schemas.signed_beacon_block, bytes, "message");
    if (!message || hash_tree_root(*schemas.beacon_block, message->bytes).value() != summary->root) __builtin_trap();
    const auto value = decode(*schemas.signed_beacon_block, bytes);
    if (!value) __builtin_trap();
    const auto encoded = encode(*schemas.signed_beacon_block, *value);
    if (!encoded || !std::equal(encoded->begin(), encoded->end(), bytes.begin(), bytes.end())) __builtin_trap();
    return 0;
}
