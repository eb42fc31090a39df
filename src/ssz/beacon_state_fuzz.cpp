// libFuzzer target: a BeaconState downloaded for checkpoint sync is hostile until verified. The first byte picks
// the fork (byte % 7) and the preset (byte / 7 % 2), the rest is the state. Whatever validates must decode and
// re-encode to the same bytes (SSZ encodings are unique), and every field must be reachable.
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

    (void)peek_state_slot(bytes);
    const auto summary = inspect_beacon_state(bytes, fork, preset);
    if (!summary) return 0;
    if (summary->slot != peek_state_slot(bytes).value()) __builtin_trap();

    const auto schemas = beacon_schemas(fork, preset);
    const auto value = decode(*schemas.beacon_state, bytes);
    if (!value) __builtin_trap();
    const auto encoded = encode(*schemas.beacon_state, *value);
    if (!encoded || !std::equal(encoded->begin(), encoded->end(), bytes.begin(), bytes.end())) __builtin_trap();
    for (const auto& f : schemas.beacon_state->fields()) {
        if (!field(*schemas.beacon_state, bytes, f.name)) __builtin_trap();
    }
    return 0;
}
