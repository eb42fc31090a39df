#include "ssz/sample.hpp"

#include "ssz/codec.hpp"

#include <array>
#include <string>
#include <utility>

namespace ephemery::ssz::sample {

Result<Sample> deserialize(std::span<const std::uint8_t> bytes) {
    Reader reader(bytes);
    std::array<std::uint32_t, 2> offsets{};
    for (auto& offset : offsets) {
        auto read = reader.read_offset();
        if (!read) return read.error();
        offset = *read;
    }
    auto value = reader.read_uint<std::uint64_t>();
    if (!value) return value.error();
    auto parts = variable_parts(bytes, reader.position(), offsets);
    if (!parts) return parts.error();

    auto roots = read_fixed_bytes_list<bytes_per_chunk>((*parts)[0], roots_limit);
    if (!roots) return make_error(roots.error().code, "Sample.roots: " + roots.error().message);
    auto bits = Bitlist::deserialize((*parts)[1], bits_limit);
    if (!bits) return make_error(bits.error().code, "Sample.bits: " + bits.error().message);
    return Sample{std::move(roots).value(), std::move(bits).value(), *value};
}

Result<std::vector<std::uint8_t>> serialize(const Sample& sample) {
    if (sample.roots.size() > roots_limit || sample.bits.size() > bits_limit) {
        return make_error(Errc::out_of_range, "Sample has more roots or bits than its limits");
    }
    Writer writer;
    const std::size_t roots_slot = writer.reserve_offset();
    const std::size_t bits_slot = writer.reserve_offset();
    writer.write_uint(sample.value);
    if (auto filled = writer.fill_offset(roots_slot, 0); !filled) return filled.error();
    for (const auto& root : sample.roots) writer.write_bytes(root);
    if (auto filled = writer.fill_offset(bits_slot, 0); !filled) return filled.error();
    writer.write_bytes(sample.bits.serialize());
    return std::move(writer).take();
}

Result<Chunk> hash_tree_root(const Sample& sample) {
    auto roots = root_of_composite_list(sample.roots, roots_limit);
    if (!roots) return roots.error();
    auto bits = ssz::hash_tree_root(sample.bits, bits_limit);
    if (!bits) return bits.error();
    const std::array<Chunk, 3> fields = {*roots, *bits, ssz::hash_tree_root(sample.value)};
    return root_of_container(fields);
}

}  // namespace ephemery::ssz::sample
