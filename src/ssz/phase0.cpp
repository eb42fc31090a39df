#include "ssz/phase0.hpp"

#include "ssz/codec.hpp"
#include "ssz/merkle.hpp"

#include <string>
#include <utility>

namespace ephemery::ssz::phase0 {

Root hash_tree_root(const Checkpoint& checkpoint) {
    const std::array<Chunk, 2> fields = {ssz::hash_tree_root(checkpoint.epoch), checkpoint.root};
    return root_of_container(fields);
}

Root hash_tree_root(const Fork& fork) {
    const std::array<Chunk, 3> fields = {ssz::hash_tree_root(fork.previous_version),
                                         ssz::hash_tree_root(fork.current_version), ssz::hash_tree_root(fork.epoch)};
    return root_of_container(fields);
}

Root hash_tree_root(const BeaconBlockHeader& header) {
    const std::array<Chunk, 5> fields = {ssz::hash_tree_root(header.slot), ssz::hash_tree_root(header.proposer_index),
                                         header.parent_root, header.state_root, header.body_root};
    return root_of_container(fields);
}

std::vector<std::uint8_t> serialize(const Checkpoint& checkpoint) {
    Writer writer;
    writer.write_uint(checkpoint.epoch);
    writer.write_bytes(checkpoint.root);
    return std::move(writer).take();
}

std::vector<std::uint8_t> serialize(const Fork& fork) {
    Writer writer;
    writer.write_bytes(fork.previous_version);
    writer.write_bytes(fork.current_version);
    writer.write_uint(fork.epoch);
    return std::move(writer).take();
}

std::vector<std::uint8_t> serialize(const BeaconBlockHeader& header) {
    Writer writer;
    writer.write_uint(header.slot);
    writer.write_uint(header.proposer_index);
    writer.write_bytes(header.parent_root);
    writer.write_bytes(header.state_root);
    writer.write_bytes(header.body_root);
    return std::move(writer).take();
}

namespace {

// Reads a fixed-size container whose fields are read by `read_fields` into `out`.
template <typename T, typename ReadFields>
Result<T> read_fixed_container(std::span<const std::uint8_t> bytes, std::size_t size, const char* name,
                               ReadFields read_fields) {
    if (bytes.size() != size) {
        return make_error(Errc::parse_error, std::string("SSZ ") + name + " takes " + std::to_string(size) +
                                                 " bytes, not " + std::to_string(bytes.size()));
    }
    Reader reader(bytes);
    T out{};
    read_fields(reader, out);  // cannot run short: the size was checked
    return out;
}

}  // namespace

Result<Checkpoint> deserialize_checkpoint(std::span<const std::uint8_t> bytes) {
    return read_fixed_container<Checkpoint>(bytes, checkpoint_size, "Checkpoint", [](Reader& reader, Checkpoint& out) {
        out.epoch = reader.read_uint<std::uint64_t>().value();
        out.root = reader.read_fixed<32>().value();
    });
}

Result<Fork> deserialize_fork(std::span<const std::uint8_t> bytes) {
    return read_fixed_container<Fork>(bytes, fork_size, "Fork", [](Reader& reader, Fork& out) {
        out.previous_version = reader.read_fixed<4>().value();
        out.current_version = reader.read_fixed<4>().value();
        out.epoch = reader.read_uint<std::uint64_t>().value();
    });
}

Result<BeaconBlockHeader> deserialize_beacon_block_header(std::span<const std::uint8_t> bytes) {
    return read_fixed_container<BeaconBlockHeader>(bytes, beacon_block_header_size, "BeaconBlockHeader",
                                                   [](Reader& reader, BeaconBlockHeader& out) {
                                                       out.slot = reader.read_uint<std::uint64_t>().value();
                                                       out.proposer_index = reader.read_uint<std::uint64_t>().value();
                                                       out.parent_root = reader.read_fixed<32>().value();
                                                       out.state_root = reader.read_fixed<32>().value();
                                                       out.body_root = reader.read_fixed<32>().value();
                                                   });
}

}  // namespace ephemery::ssz::phase0
