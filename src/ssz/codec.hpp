#pragma once
// SSZ serialization (consensus-specs ssz/simple-serialize.md, "Serialization"/"Deserialization"): a bounds-
// checked Reader over untrusted bytes, a Writer, and the offset rules of variable-size containers and lists.
// Every failure is a Result naming what was wrong and where; nothing reads past the span it was given.

#include "core/result.hpp"

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ephemery::ssz {

// Size of an offset in the fixed part of a container or a list of variable-size elements.
inline constexpr std::size_t bytes_per_length_offset = 4;

// The uint64 in the first 8 bytes of `bytes` (little-endian), for bytes already validated against a schema.
[[nodiscard]] inline std::uint64_t load_uint64(std::span<const std::uint8_t> bytes) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) value |= std::uint64_t{bytes[i]} << (8U * i);
    return value;
}

// The 8 little-endian bytes of a uint64 (a Value's leaf).
[[nodiscard]] inline std::vector<std::uint8_t> uint64_bytes(std::uint64_t value) {
    std::vector<std::uint8_t> bytes(8);
    for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8U * i));
    return bytes;
}

class Reader {
  public:
    explicit Reader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

    [[nodiscard]] std::size_t position() const noexcept { return position_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - position_; }

    // uint8 .. uint64, little-endian (booleans go through read_bool, which refuses values above 1).
    template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>) [[nodiscard]] Result<T> read_uint() {
        auto span = read_span(sizeof(T));
        if (!span) return span.error();
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) value |= std::uint64_t{(*span)[i]} << (8 * i);
        return static_cast<T>(value);
    }
    // A boolean: exactly 0x00 or 0x01.
    [[nodiscard]] Result<bool> read_bool();
    // An offset (uint32) of the fixed part.
    [[nodiscard]] Result<std::uint32_t> read_offset() { return read_uint<std::uint32_t>(); }
    // Fixed-size bytes (Bytes4, Bytes32, Bytes48, Bytes96, ...).
    template <std::size_t size>
    [[nodiscard]] Result<std::array<std::uint8_t, size>> read_fixed() {
        auto span = read_span(size);
        if (!span) return span.error();
        std::array<std::uint8_t, size> out{};
        for (std::size_t i = 0; i < size; ++i) out[i] = (*span)[i];
        return out;
    }
    // The next `size` bytes, without copying.
    [[nodiscard]] Result<std::span<const std::uint8_t>> read_span(std::size_t size);
    // Fails unless every byte was read.
    [[nodiscard]] Status expect_end() const;

  private:
    std::span<const std::uint8_t> bytes_;
    std::size_t position_{0};
};

class Writer {
  public:
    template <std::unsigned_integral T>
    void write_uint(T value) {
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            bytes_.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i)));
        }
    }
    void write_bool(bool value) { bytes_.push_back(value ? 1 : 0); }
    void write_bytes(std::span<const std::uint8_t> bytes) { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }

    // Variable-size fields: reserve_offset() in the fixed part returns a slot; when the field's data begins,
    // fill_offset(slot, container_start) writes its offset from the container's first byte.
    [[nodiscard]] std::size_t reserve_offset();
    [[nodiscard]] Status fill_offset(std::size_t slot, std::size_t container_start);

    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const& noexcept { return bytes_; }
    [[nodiscard]] std::vector<std::uint8_t> take() && noexcept { return std::move(bytes_); }

  private:
    std::vector<std::uint8_t> bytes_;
};

// The variable-size parts of a container, given its bytes, the size of its fixed part (fixed fields plus one
// offset per variable field) and the offsets read from the fixed part in field order. Checks the spec's rules:
// the container is at least its fixed part; with variable fields the first offset equals the fixed size (no
// gap, no overlap) and offsets are non-decreasing and within the container; without them nothing follows the
// fixed part. Part i spans [offsets[i], offsets[i+1]), the last one up to the end.
[[nodiscard]] Result<std::vector<std::span<const std::uint8_t>>> variable_parts(std::span<const std::uint8_t> container,
                                                                                std::size_t fixed_size,
                                                                                std::span<const std::uint32_t> offsets);

// The elements of a list of variable-size elements (List[X, limit] with X variable-size): the offsets come
// first; the first one, a multiple of 4, gives the count. Checks count <= limit and the offset rules.
[[nodiscard]] Result<std::vector<std::span<const std::uint8_t>>> variable_list_elements(
    std::span<const std::uint8_t> bytes, std::uint64_t limit);

// The element count of a list of fixed-size elements (List[X, limit], X of element_size bytes): the size is a
// multiple of element_size and the count at most limit.
[[nodiscard]] Result<std::size_t> fixed_list_length(std::span<const std::uint8_t> bytes, std::size_t element_size,
                                                    std::uint64_t limit);

// List[Bytes<size>, limit] (e.g. List[Root, N]).
template <std::size_t size>
[[nodiscard]] Result<std::vector<std::array<std::uint8_t, size>>> read_fixed_bytes_list(
    std::span<const std::uint8_t> bytes, std::uint64_t limit) {
    auto count = fixed_list_length(bytes, size, limit);
    if (!count) return count.error();
    std::vector<std::array<std::uint8_t, size>> out(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        for (std::size_t b = 0; b < size; ++b) out[i][b] = bytes[i * size + b];
    }
    return out;
}

// List[uintN, limit].
template <std::unsigned_integral T>
[[nodiscard]] Result<std::vector<T>> read_uint_list(std::span<const std::uint8_t> bytes, std::uint64_t limit) {
    auto count = fixed_list_length(bytes, sizeof(T), limit);
    if (!count) return count.error();
    std::vector<T> out(*count);
    Reader reader(bytes);
    for (auto& value : out) value = reader.read_uint<T>().value();  // cannot fail: the length was checked
    return out;
}

}  // namespace ephemery::ssz
