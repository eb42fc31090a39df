#include "ssz/codec.hpp"

#include <limits>
#include <string>

namespace ephemery::ssz {

Result<std::span<const std::uint8_t>> Reader::read_span(std::size_t size) {
    if (size > remaining()) {
        return make_error(Errc::parse_error, "SSZ input ends early: " + std::to_string(size) +
                                                 " bytes needed at offset " + std::to_string(position_) + ", " +
                                                 std::to_string(remaining()) + " left");
    }
    const auto span = bytes_.subspan(position_, size);
    position_ += size;
    return span;
}

Result<bool> Reader::read_bool() {
    const std::size_t at = position_;
    auto byte = read_uint<std::uint8_t>();
    if (!byte) return byte.error();
    if (*byte > 1) {
        return make_error(Errc::parse_error, "SSZ boolean at offset " + std::to_string(at) + " is " +
                                                 std::to_string(*byte) + ", not 0 or 1");
    }
    return *byte == 1;
}

Status Reader::expect_end() const {
    if (remaining() != 0) {
        return make_error(Errc::parse_error, "SSZ input has " + std::to_string(remaining()) +
                                                 " unexpected bytes after offset " + std::to_string(position_));
    }
    return {};
}

std::size_t Writer::reserve_offset() {
    const std::size_t slot = bytes_.size();
    bytes_.insert(bytes_.end(), bytes_per_length_offset, 0);
    return slot;
}

Status Writer::fill_offset(std::size_t slot, std::size_t container_start) {
    if (slot + bytes_per_length_offset > bytes_.size() || container_start > bytes_.size()) {
        return make_error(Errc::invalid_argument, "SSZ offset slot " + std::to_string(slot) + " was never reserved");
    }
    const std::size_t offset = bytes_.size() - container_start;
    if (offset > std::numeric_limits<std::uint32_t>::max()) {
        return make_error(Errc::out_of_range, "SSZ offset " + std::to_string(offset) + " does not fit in 4 bytes");
    }
    for (std::size_t i = 0; i < bytes_per_length_offset; ++i) {
        bytes_[slot + i] = static_cast<std::uint8_t>(offset >> (8 * i));
    }
    return {};
}

Result<std::vector<std::span<const std::uint8_t>>> variable_parts(std::span<const std::uint8_t> container,
                                                                  std::size_t fixed_size,
                                                                  std::span<const std::uint32_t> offsets) {
    if (container.size() < fixed_size) {
        return make_error(Errc::parse_error, "SSZ container is " + std::to_string(container.size()) +
                                                 " bytes, shorter than its fixed part of " +
                                                 std::to_string(fixed_size));
    }
    if (offsets.empty()) {
        if (container.size() != fixed_size) {
            return make_error(Errc::parse_error, "SSZ container of fixed size " + std::to_string(fixed_size) + " has " +
                                                     std::to_string(container.size() - fixed_size) + " extra bytes");
        }
        return std::vector<std::span<const std::uint8_t>>{};
    }
    if (offsets[0] != fixed_size) {
        return make_error(Errc::parse_error, "SSZ first offset is " + std::to_string(offsets[0]) +
                                                 ", not the fixed part's size " + std::to_string(fixed_size));
    }
    std::vector<std::span<const std::uint8_t>> parts;
    parts.reserve(offsets.size());
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        const std::size_t begin = offsets[i];
        const std::size_t end = i + 1 < offsets.size() ? std::size_t{offsets[i + 1]} : container.size();
        if (end > container.size()) {
            return make_error(Errc::parse_error, "SSZ offset " + std::to_string(i + 1) + " (" + std::to_string(end) +
                                                     ") points past the end of its container (" +
                                                     std::to_string(container.size()) + " bytes)");
        }
        if (end < begin) {
            return make_error(Errc::parse_error, "SSZ offset " + std::to_string(i + 1) + " (" + std::to_string(end) +
                                                     ") is below the one before it (" + std::to_string(begin) + ")");
        }
        parts.push_back(container.subspan(begin, end - begin));
    }
    return parts;
}

Result<std::vector<std::span<const std::uint8_t>>> variable_list_elements(std::span<const std::uint8_t> bytes,
                                                                          std::uint64_t limit) {
    if (bytes.empty()) return std::vector<std::span<const std::uint8_t>>{};
    Reader reader(bytes);
    auto first = reader.read_offset();
    if (!first) return first.error();
    if (*first == 0 || *first % bytes_per_length_offset != 0 || *first > bytes.size()) {
        return make_error(Errc::parse_error, "SSZ list's first offset " + std::to_string(*first) +
                                                 " is not a non-zero multiple of 4 within its " +
                                                 std::to_string(bytes.size()) + " bytes");
    }
    const std::size_t count = *first / bytes_per_length_offset;
    if (count > limit) {
        return make_error(Errc::out_of_range, "SSZ list has " + std::to_string(count) +
                                                  " elements, more than its limit of " + std::to_string(limit));
    }
    std::vector<std::uint32_t> offsets{*first};
    offsets.reserve(count);
    for (std::size_t i = 1; i < count; ++i) {
        auto offset = reader.read_offset();
        if (!offset) return offset.error();
        offsets.push_back(*offset);
    }
    return variable_parts(bytes, *first, offsets);
}

Result<std::size_t> fixed_list_length(std::span<const std::uint8_t> bytes, std::size_t element_size,
                                      std::uint64_t limit) {
    if (element_size == 0) return make_error(Errc::invalid_argument, "SSZ list elements cannot be 0 bytes");
    if (bytes.size() % element_size != 0) {
        return make_error(Errc::parse_error, "SSZ list is " + std::to_string(bytes.size()) +
                                                 " bytes, not a multiple of its element size " +
                                                 std::to_string(element_size));
    }
    const std::size_t count = bytes.size() / element_size;
    if (count > limit) {
        return make_error(Errc::out_of_range, "SSZ list has " + std::to_string(count) +
                                                  " elements, more than its limit of " + std::to_string(limit));
    }
    return count;
}

}  // namespace ephemery::ssz
