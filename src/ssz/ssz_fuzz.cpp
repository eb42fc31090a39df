// libFuzzer target: SSZ bytes come from other nodes (checkpoint sync). Decoding the sample container must
// never read out of bounds; whatever decodes must re-encode to the same bytes (SSZ encodings are unique) and
// hash the same with every SHA-256 backend.
#include "ssz/codec.hpp"
#include "ssz/merkle.hpp"
#include "ssz/sample.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ephemery::ssz;
    const std::span<const std::uint8_t> bytes(data, size);

    const auto decoded = sample::deserialize(bytes);
    if (decoded) {
        const auto encoded = sample::serialize(*decoded);
        if (!encoded || encoded->size() != size || std::memcmp(encoded->data(), data, size) != 0) __builtin_trap();
        if (!sample::hash_tree_root(*decoded)) __builtin_trap();
    }

    // The generic list splitter and bitlist parser on the raw input.
    if (const auto elements = variable_list_elements(bytes, 64)) {
        std::size_t total = 0;
        for (const auto& element : *elements) total += element.size();
        if (total > size) __builtin_trap();
    }
    if (const auto bits = Bitlist::deserialize(bytes, 4096)) {
        if (bits->serialize() != std::vector<std::uint8_t>(bytes.begin(), bytes.end())) __builtin_trap();
    }

    // Backends agree on whole 64-byte pairs of the input.
    const std::size_t pairs = size / 64;
    std::vector<std::uint8_t> portable(32 * pairs);
    std::vector<std::uint8_t> active(32 * pairs);
    hash_pairs_portable(data, portable.data(), pairs);
    hash_pairs(data, active.data(), pairs);
    if (portable != active) __builtin_trap();
    return 0;
}
