#include "ssz/schema.hpp"

#include "ssz/merkle.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

namespace ephemery::ssz {
namespace {

constexpr std::uint64_t saturated = std::numeric_limits<std::uint64_t>::max();

[[noreturn]] void bad_schema(const std::string& what) {
    // Schemas are built from constants: a bad one is a bug in this program, not an input error.
    (void)std::fprintf(stderr, "fatal: invalid SSZ schema: %s\n", what.c_str());
    std::abort();
}

std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) {
    if (a != 0 && b > saturated / a) return saturated;
    return a * b;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    return b > saturated - a ? saturated : a + b;
}

std::uint64_t ceil_div(std::uint64_t value, std::uint64_t divisor) {
    return value / divisor + (value % divisor != 0 ? 1 : 0);
}

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t at) {
    return static_cast<std::uint32_t>(bytes[at]) | static_cast<std::uint32_t>(bytes[at + 1]) << 8U |
           static_cast<std::uint32_t>(bytes[at + 2]) << 16U | static_cast<std::uint32_t>(bytes[at + 3]) << 24U;
}

std::string hex_byte(std::uint8_t byte) {
    constexpr std::string_view digits = "0123456789abcdef";
    std::string text = "0x00";
    text[2] = digits[byte >> 4U];
    text[3] = digits[byte & 0xfU];
    return text;
}

TypePtr make(Type::Parts parts) {
    return std::make_shared<const Type>(std::move(parts));
}

}  // namespace

// ---- types ----------------------------------------------------------------------------------------------------

Type::Type(Parts parts)
    : kind_(parts.kind),
      name_(std::move(parts.name)),
      length_(parts.length),
      element_(std::move(parts.element)),
      fields_(std::move(parts.fields)) {
    switch (kind_) {
        case Kind::uint:
        case Kind::byte_vector: size_ = length_; break;
        case Kind::boolean: size_ = 1; break;
        case Kind::bitvector:
            size_ = ceil_div(length_, 8);
            content_rules_ = length_ % 8 != 0;
            break;
        case Kind::vector:
            fixed_size_ = element_->is_fixed_size();
            size_ = fixed_size_ ? saturating_multiply(element_->size(), length_) : 0;
            content_rules_ = element_->has_content_rules();
            break;
        case Kind::byte_list:
        case Kind::bitlist:
        case Kind::list: fixed_size_ = false; break;
        case Kind::container:
            for (const auto& field : fields_) {
                fixed_size_ = fixed_size_ && field.type->is_fixed_size();
                content_rules_ = content_rules_ || field.type->has_content_rules();
                size_ = saturating_add(size_, field.type->is_fixed_size() ? field.type->size() : 4);
            }
            break;
    }
    if (kind_ == Kind::boolean) content_rules_ = true;
}

std::size_t Type::field_index(std::string_view field_name) const noexcept {
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        if (fields_[i].name == field_name) return i;
    }
    return fields_.size();
}

TypePtr uint_type(std::size_t byte_width) {
    if (byte_width != 1 && byte_width != 2 && byte_width != 4 && byte_width != 8 && byte_width != 16 &&
        byte_width != 32) {
        bad_schema("uint of " + std::to_string(byte_width) + " bytes");
    }
    return make({.kind = Kind::uint,
                 .name = "uint" + std::to_string(8 * byte_width),
                 .length = byte_width,
                 .element = nullptr,
                 .fields = {}});
}

TypePtr boolean_type() {
    return make({.kind = Kind::boolean, .name = "boolean", .length = 1, .element = nullptr, .fields = {}});
}

TypePtr byte_vector_type(std::uint64_t length) {
    if (length == 0) bad_schema("ByteVector[0]");
    return make({.kind = Kind::byte_vector,
                 .name = "Bytes" + std::to_string(length),
                 .length = length,
                 .element = nullptr,
                 .fields = {}});
}

TypePtr byte_list_type(std::uint64_t limit) {
    return make({.kind = Kind::byte_list,
                 .name = "ByteList[" + std::to_string(limit) + "]",
                 .length = limit,
                 .element = nullptr,
                 .fields = {}});
}

TypePtr bitvector_type(std::uint64_t length) {
    if (length == 0) bad_schema("Bitvector[0]");
    return make({.kind = Kind::bitvector,
                 .name = "Bitvector[" + std::to_string(length) + "]",
                 .length = length,
                 .element = nullptr,
                 .fields = {}});
}

TypePtr bitlist_type(std::uint64_t limit) {
    return make({.kind = Kind::bitlist,
                 .name = "Bitlist[" + std::to_string(limit) + "]",
                 .length = limit,
                 .element = nullptr,
                 .fields = {}});
}

TypePtr vector_type(TypePtr element, std::uint64_t length) {
    if (!element || length == 0) bad_schema("Vector of length 0 or without an element type");
    std::string name = "Vector[" + element->name() + ", " + std::to_string(length) + "]";
    return make(
        {.kind = Kind::vector, .name = std::move(name), .length = length, .element = std::move(element), .fields = {}});
}

TypePtr list_type(TypePtr element, std::uint64_t limit) {
    if (!element) bad_schema("List without an element type");
    std::string name = "List[" + element->name() + ", " + std::to_string(limit) + "]";
    return make(
        {.kind = Kind::list, .name = std::move(name), .length = limit, .element = std::move(element), .fields = {}});
}

TypePtr container_type(std::string name, std::vector<Field> fields) {
    if (fields.empty()) bad_schema("container " + name + " without fields");
    for (const auto& field : fields) {
        if (!field.type) bad_schema("field " + name + "." + field.name + " without a type");
    }
    const std::uint64_t field_count = fields.size();
    return make({.kind = Kind::container,
                 .name = std::move(name),
                 .length = field_count,
                 .element = nullptr,
                 .fields = std::move(fields)});
}

// ---- validation -----------------------------------------------------------------------------------------------

namespace {

struct Failure {
    Errc code{Errc::parse_error};
    std::string path;  // ".validators[12].slashed", built while unwinding
    std::string what;
};
using Check = std::optional<Failure>;

Failure fail(std::string what, Errc code = Errc::parse_error) {
    return Failure{code, {}, std::move(what)};
}

Check within(Check check, const std::string& step) {
    if (check) check->path.insert(0, step);
    return check;
}

std::string index_step(std::uint64_t index) {
    std::string step = "[";  // appended, not "[" + ...: GCC 12 -O3 warns falsely (-Wrestrict) on that form
    step += std::to_string(index);
    step += ']';
    return step;
}

Check check_value(const Type& type, std::span<const std::uint8_t> bytes);

// A fixed-size value (its size already checked): only the content rules.
Check check_fixed_content(const Type& type, std::span<const std::uint8_t> bytes) {
    if (!type.has_content_rules()) return std::nullopt;
    switch (type.kind()) {
        case Kind::boolean:
            if (bytes[0] > 1) return fail("boolean byte is " + hex_byte(bytes[0]) + ", not 0x00 or 0x01");
            return std::nullopt;
        case Kind::bitvector:
            if ((bytes.back() >> (type.length() % 8)) != 0) {
                return fail(type.name() + " has bits set beyond its length (last byte " + hex_byte(bytes.back()) + ")");
            }
            return std::nullopt;
        case Kind::vector: {
            const auto& element = *type.element();
            const std::size_t element_size = element.size();
            for (std::uint64_t i = 0; i < type.length(); ++i) {
                if (auto failed = check_fixed_content(element, bytes.subspan(i * element_size, element_size))) {
                    return within(std::move(failed), index_step(i));
                }
            }
            return std::nullopt;
        }
        case Kind::container: {
            std::size_t at = 0;
            for (const auto& field : type.fields()) {
                const std::size_t size = field.type->size();
                if (auto failed = check_fixed_content(*field.type, bytes.subspan(at, size))) {
                    return within(std::move(failed), "." + field.name);
                }
                at += size;
            }
            return std::nullopt;
        }
        default: return std::nullopt;
    }
}

// The offsets of `count` variable-size elements that open `bytes` (a list or vector of variable-size elements):
// the first is 4 * count, each at least the one before, all within the bytes.
Check check_element_offsets(std::span<const std::uint8_t> bytes, std::uint64_t count) {
    std::uint64_t previous = 4 * count;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint32_t offset = read_u32(bytes, static_cast<std::size_t>(4 * i));
        if (i == 0 && offset != 4 * count) {
            return within(fail("first offset is " + std::to_string(offset) + ", not " + std::to_string(4 * count)),
                          index_step(0));
        }
        if (offset < previous || offset > bytes.size()) {
            return within(fail("offset " + std::to_string(offset) + " is outside [" + std::to_string(previous) + ", " +
                               std::to_string(bytes.size()) + "]: elements out of order or past the end"),
                          index_step(i));
        }
        previous = offset;
    }
    return std::nullopt;
}

std::span<const std::uint8_t> element_at(std::span<const std::uint8_t> bytes, std::uint64_t count, std::uint64_t i) {
    const std::size_t begin = read_u32(bytes, static_cast<std::size_t>(4 * i));
    const std::size_t end = i + 1 < count ? read_u32(bytes, static_cast<std::size_t>(4 * (i + 1))) : bytes.size();
    return bytes.subspan(begin, end - begin);
}

Check check_variable_elements(const Type& element, std::span<const std::uint8_t> bytes, std::uint64_t count) {
    if (auto failed = check_element_offsets(bytes, count)) return failed;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (auto failed = check_value(element, element_at(bytes, count, i))) {
            return within(std::move(failed), index_step(i));
        }
    }
    return std::nullopt;
}

Check check_fixed_elements(const Type& element, std::span<const std::uint8_t> bytes, std::uint64_t count) {
    if (!element.has_content_rules()) return std::nullopt;
    const std::size_t element_size = element.size();
    for (std::uint64_t i = 0; i < count; ++i) {
        if (auto failed = check_fixed_content(element, bytes.subspan(i * element_size, element_size))) {
            return within(std::move(failed), index_step(i));
        }
    }
    return std::nullopt;
}

Check check_list(const Type& type, std::span<const std::uint8_t> bytes) {
    const auto& element = *type.element();
    if (element.is_fixed_size()) {
        const std::uint64_t element_size = element.size();
        if (bytes.size() % element_size != 0) {
            return fail(std::to_string(bytes.size()) + " bytes are not a whole number of " + element.name() + " (" +
                        std::to_string(element_size) + " bytes each)");
        }
        const std::uint64_t count = bytes.size() / element_size;
        if (count > type.length()) {
            return fail(std::to_string(count) + " elements, more than the limit " + std::to_string(type.length()),
                        Errc::out_of_range);
        }
        return check_fixed_elements(element, bytes, count);
    }
    if (bytes.empty()) return std::nullopt;
    if (bytes.size() < 4) return fail(std::to_string(bytes.size()) + " bytes cannot hold the first offset");
    const std::uint32_t first = read_u32(bytes, 0);
    if (first == 0 || first % 4 != 0 || first > bytes.size()) {
        return fail("first offset " + std::to_string(first) + " is not a non-zero multiple of 4 within the " +
                    std::to_string(bytes.size()) + " bytes");
    }
    const std::uint64_t count = first / 4;
    if (count > type.length()) {
        return fail(std::to_string(count) + " elements, more than the limit " + std::to_string(type.length()),
                    Errc::out_of_range);
    }
    return check_variable_elements(element, bytes, count);
}

Check check_container(const Type& type, std::span<const std::uint8_t> bytes) {
    if (bytes.size() < type.size()) {
        return fail(std::to_string(bytes.size()) + " bytes, shorter than the fixed part of " + type.name() + " (" +
                    std::to_string(type.size()) + " bytes)");
    }
    // First pass: the offsets, so a bad one is reported before the contents it would mislead.
    std::size_t at = 0;
    std::uint64_t previous = type.size();
    bool first = true;
    for (const auto& field : type.fields()) {
        if (field.type->is_fixed_size()) {
            at += field.type->size();
            continue;
        }
        const std::uint32_t offset = read_u32(bytes, at);
        at += 4;
        if (first && offset != type.size()) {
            return within(fail("offset is " + std::to_string(offset) + ", not the end of the fixed part (" +
                               std::to_string(type.size()) + ")"),
                          "." + field.name);
        }
        if (offset < previous || offset > bytes.size()) {
            return within(fail("offset " + std::to_string(offset) + " is outside [" + std::to_string(previous) + ", " +
                               std::to_string(bytes.size()) + "]: fields out of order or past the end"),
                          "." + field.name);
        }
        previous = offset;
        first = false;
    }
    if (first && bytes.size() != type.size()) {
        return fail(std::to_string(bytes.size() - type.size()) + " bytes after the end of " + type.name());
    }
    // Second pass: each field's content.
    at = 0;
    for (std::size_t i = 0; i < type.fields().size(); ++i) {
        const auto& field = type.fields()[i];
        std::span<const std::uint8_t> part;
        if (field.type->is_fixed_size()) {
            part = bytes.subspan(at, field.type->size());
            at += field.type->size();
        } else {
            const std::size_t begin = read_u32(bytes, at);
            std::size_t end = bytes.size();
            std::size_t next_at = at + 4;
            for (std::size_t j = i + 1; j < type.fields().size(); ++j) {
                const auto& later = *type.fields()[j].type;
                if (!later.is_fixed_size()) {
                    end = read_u32(bytes, next_at);
                    break;
                }
                next_at += later.size();
            }
            part = bytes.subspan(begin, end - begin);
            at += 4;
        }
        if (auto failed = check_value(*field.type, part)) return within(std::move(failed), "." + field.name);
    }
    return std::nullopt;
}

Check check_value(const Type& type, std::span<const std::uint8_t> bytes) {
    if (type.is_fixed_size()) {
        if (bytes.size() != type.size()) {
            return fail(std::to_string(bytes.size()) + " bytes, but " + type.name() + " is " +
                        std::to_string(type.size()) + " bytes");
        }
        return check_fixed_content(type, bytes);
    }
    switch (type.kind()) {
        case Kind::byte_list:
            if (bytes.size() > type.length()) {
                return fail(
                    std::to_string(bytes.size()) + " bytes, more than the limit " + std::to_string(type.length()),
                    Errc::out_of_range);
            }
            return std::nullopt;
        case Kind::bitlist: {
            if (bytes.empty()) return fail("bitlist is empty: it needs at least the delimiter bit");
            if (bytes.back() == 0) return fail("bitlist's last byte is 0x00: the delimiter bit is missing");
            const std::uint64_t bits =
                8 * (bytes.size() - 1) + static_cast<std::uint64_t>(std::bit_width(bytes.back()) - 1);
            if (bits > type.length()) {
                return fail(std::to_string(bits) + " bits, more than the limit " + std::to_string(type.length()),
                            Errc::out_of_range);
            }
            return std::nullopt;
        }
        case Kind::vector: {
            const std::uint64_t count = type.length();
            if (count > bytes.size() / 4) {
                return fail(std::to_string(bytes.size()) + " bytes cannot hold the " + std::to_string(count) +
                            " offsets of " + type.name());
            }
            return check_variable_elements(*type.element(), bytes, count);
        }
        case Kind::list: return check_list(type, bytes);
        case Kind::container: return check_container(type, bytes);
        default: return std::nullopt;  // fixed-size kinds handled above
    }
}

Error to_error(const Failure& failure, std::string_view root_name) {
    return make_error(failure.code, std::string(root_name) + failure.path + ": " + failure.what);
}

}  // namespace

Status validate(const Type& type, std::span<const std::uint8_t> bytes, std::string_view root_name) {
    if (auto failed = check_value(type, bytes)) return to_error(*failed, root_name);
    return {};
}

// ---- hashing --------------------------------------------------------------------------------------------------

namespace {

// Elements of fixed-size containers are hashed this many at a time: field roots for the whole batch, then each
// level of all their subtrees in one hash_pairs call. Validators (8 field chunks) take 128 KiB of scratch.
constexpr std::size_t container_batch = 512;

void root_into(const Type& type, std::span<const std::uint8_t> bytes, std::uint8_t* out);

void store(const Chunk& chunk, std::uint8_t* out) {
    std::memcpy(out, chunk.data(), bytes_per_chunk);
}

Chunk merkleize_valid(std::span<const std::uint8_t> bytes, std::uint64_t limit_chunks) {
    return merkleize_bytes(bytes, limit_chunks).value();  // the validated sizes are within the limits
}

std::uint64_t basic_chunks(std::uint64_t count, std::uint64_t width) {
    return ceil_div(saturating_multiply(count, width), bytes_per_chunk);
}

// The spans of a validated container's fields, in order.
void field_spans(const Type& type, std::span<const std::uint8_t> bytes,
                 std::vector<std::span<const std::uint8_t>>& spans) {
    spans.clear();
    std::size_t at = 0;
    std::size_t pending = 0;  // index of the variable field whose end is the next offset
    bool has_pending = false;
    std::size_t pending_begin = 0;
    for (const auto& field : type.fields()) {
        if (field.type->is_fixed_size()) {
            spans.push_back(bytes.subspan(at, field.type->size()));
            at += field.type->size();
            continue;
        }
        const std::size_t offset = read_u32(bytes, at);
        at += 4;
        if (has_pending) spans[pending] = bytes.subspan(pending_begin, offset - pending_begin);
        pending = spans.size();
        pending_begin = offset;
        has_pending = true;
        spans.emplace_back();
    }
    if (has_pending) spans[pending] = bytes.subspan(pending_begin);
}

void container_root_into(const Type& type, std::span<const std::uint8_t> bytes, std::uint8_t* out) {
    std::vector<std::span<const std::uint8_t>> spans;
    field_spans(type, bytes, spans);
    std::vector<std::uint8_t> roots(spans.size() * bytes_per_chunk);
    for (std::size_t i = 0; i < spans.size(); ++i) {
        root_into(*type.fields()[i].type, spans[i], roots.data() + i * bytes_per_chunk);
    }
    store(merkleize_valid(roots, spans.size()), out);
}

// Roots of `count` fixed-size containers laid end to end in `bytes`, into out[32 * i].
void fixed_container_roots(const Type& type, std::span<const std::uint8_t> bytes, std::uint64_t count,
                           std::uint8_t* out) {
    const std::size_t field_count = type.fields().size();
    const std::size_t width = std::bit_ceil(field_count);
    const auto depth = static_cast<std::size_t>(std::countr_zero(width));
    const std::size_t element_size = type.size();
    std::vector<std::uint8_t> scratch(std::min<std::uint64_t>(count, container_batch) * width * bytes_per_chunk);
    for (std::uint64_t first = 0; first < count; first += container_batch) {
        const std::size_t batch = std::min<std::uint64_t>(count - first, container_batch);
        std::fill(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(batch * width * bytes_per_chunk), 0);
        for (std::size_t e = 0; e < batch; ++e) {
            const auto element = bytes.subspan((first + e) * element_size, element_size);
            std::size_t at = 0;
            for (std::size_t f = 0; f < field_count; ++f) {
                const auto& field_type = *type.fields()[f].type;
                root_into(field_type, element.subspan(at, field_type.size()),
                          scratch.data() + (e * width + f) * bytes_per_chunk);
                at += field_type.size();
            }
        }
        std::size_t nodes = batch * width;
        for (std::size_t level = 0; level < depth; ++level) {
            nodes /= 2;
            hash_pairs(scratch.data(), scratch.data(), nodes);
        }
        std::memcpy(out + first * bytes_per_chunk, scratch.data(), batch * bytes_per_chunk);
    }
}

// Root of a vector or list of composite elements (`count` of them), merkleized to `limit` chunks.
Chunk composite_elements_root(const Type& element, std::span<const std::uint8_t> bytes, std::uint64_t count,
                              std::uint64_t limit) {
    if (element.kind() == Kind::byte_vector && element.size() == bytes_per_chunk) {
        return merkleize_valid(bytes, limit);  // Bytes32 elements are their own roots: the bytes are the leaves
    }
    std::vector<std::uint8_t> roots(count * bytes_per_chunk);
    if (element.is_fixed_size()) {
        if (element.kind() == Kind::container) {
            fixed_container_roots(element, bytes, count, roots.data());
        } else {
            const std::size_t element_size = element.size();
            for (std::uint64_t i = 0; i < count; ++i) {
                root_into(element, bytes.subspan(i * element_size, element_size), roots.data() + i * bytes_per_chunk);
            }
        }
    } else {
        for (std::uint64_t i = 0; i < count; ++i) {
            root_into(element, element_at(bytes, count, i), roots.data() + i * bytes_per_chunk);
        }
    }
    return merkleize_valid(roots, limit);
}

std::uint64_t element_count(const Type& type, std::span<const std::uint8_t> bytes) {
    const auto& element = *type.element();
    if (element.is_fixed_size()) return bytes.size() / element.size();
    return bytes.empty() ? 0 : read_u32(bytes, 0) / 4;
}

void root_into(const Type& type, std::span<const std::uint8_t> bytes, std::uint8_t* out) {
    switch (type.kind()) {
        case Kind::uint:
        case Kind::boolean:
            std::memset(out, 0, bytes_per_chunk);
            std::memcpy(out, bytes.data(), bytes.size());
            return;
        case Kind::byte_vector:
            if (bytes.size() <= bytes_per_chunk) {
                std::memset(out, 0, bytes_per_chunk);
                std::memcpy(out, bytes.data(), bytes.size());
            } else {
                store(merkleize_valid(bytes, ceil_div(bytes.size(), bytes_per_chunk)), out);
            }
            return;
        case Kind::byte_list:
            store(mix_in_length(merkleize_valid(bytes, ceil_div(type.length(), bytes_per_chunk)), bytes.size()), out);
            return;
        case Kind::bitvector: store(merkleize_valid(bytes, ceil_div(type.length(), bits_per_chunk)), out); return;
        case Kind::bitlist: {
            // The delimiter (the highest set bit) is not hashed: clear it, and drop its byte if nothing else is there.
            std::vector<std::uint8_t> packed(bytes.begin(), bytes.end());
            const int last_width = packed.empty() ? 0 : std::bit_width(packed.back());
            if (last_width == 0) {  // no delimiter: unreachable once validated; hashed as the empty bitlist
                packed.assign(1, 1);
            }
            const auto delimiter = static_cast<unsigned>(std::max(last_width, 1) - 1);
            const std::uint64_t bits = 8 * (packed.size() - 1) + delimiter;
            packed.back() = static_cast<std::uint8_t>(packed.back() & ~(1U << delimiter));
            if (delimiter == 0) packed.pop_back();
            store(mix_in_length(merkleize_valid(packed, ceil_div(type.length(), bits_per_chunk)), bits), out);
            return;
        }
        case Kind::vector:
            if (type.element()->is_basic()) {
                store(merkleize_valid(bytes, basic_chunks(type.length(), type.element()->size())), out);
            } else {
                store(composite_elements_root(*type.element(), bytes, type.length(), type.length()), out);
            }
            return;
        case Kind::list: {
            const std::uint64_t count = element_count(type, bytes);
            const Chunk root = type.element()->is_basic()
                                   ? merkleize_valid(bytes, basic_chunks(type.length(), type.element()->size()))
                                   : composite_elements_root(*type.element(), bytes, count, type.length());
            store(mix_in_length(root, count), out);
            return;
        }
        case Kind::container:
            if (type.is_fixed_size()) {
                fixed_container_roots(type, bytes, 1, out);
            } else {
                container_root_into(type, bytes, out);
            }
            return;
    }
}

}  // namespace

Chunk hash_tree_root_of_valid(const Type& type, std::span<const std::uint8_t> bytes) {
    Chunk root{};
    root_into(type, bytes, root.data());
    return root;
}

Result<Chunk> hash_tree_root(const Type& type, std::span<const std::uint8_t> bytes, std::string_view root_name) {
    if (auto checked = validate(type, bytes, root_name); !checked) return checked.error();
    return hash_tree_root_of_valid(type, bytes);
}

// ---- navigation -----------------------------------------------------------------------------------------------

Result<FieldView> field(const Type& container, std::span<const std::uint8_t> bytes, std::string_view field_name) {
    if (container.kind() != Kind::container) {
        return make_error(Errc::invalid_argument, container.name() + " is not a container: it has no fields");
    }
    const std::size_t index = container.field_index(field_name);
    if (index == container.fields().size()) {
        return make_error(Errc::invalid_argument, container.name() + " has no field " + std::string(field_name));
    }
    if (bytes.size() < container.size()) {
        return make_error(Errc::parse_error, container.name() + " is " + std::to_string(bytes.size()) +
                                                 " bytes, shorter than its fixed part (" +
                                                 std::to_string(container.size()) + " bytes)");
    }
    std::size_t at = 0;
    for (std::size_t i = 0; i < index; ++i) {
        const auto& type = *container.fields()[i].type;
        at += type.is_fixed_size() ? type.size() : 4;
    }
    const auto& wanted = container.fields()[index];
    if (wanted.type->is_fixed_size()) return FieldView{wanted.type, bytes.subspan(at, wanted.type->size())};

    const std::size_t begin = read_u32(bytes, at);
    std::size_t end = bytes.size();
    std::size_t next_at = at + 4;
    for (std::size_t j = index + 1; j < container.fields().size(); ++j) {
        const auto& later = *container.fields()[j].type;
        if (!later.is_fixed_size()) {
            end = read_u32(bytes, next_at);
            break;
        }
        next_at += later.size();
    }
    if (begin < container.size() || begin > end || end > bytes.size()) {
        return make_error(Errc::parse_error, container.name() + "." + wanted.name + ": offsets [" +
                                                 std::to_string(begin) + ", " + std::to_string(end) +
                                                 ") are not within the " + std::to_string(bytes.size()) +
                                                 " bytes after the fixed part");
    }
    return FieldView{wanted.type, bytes.subspan(begin, end - begin)};
}

// ---- decode and encode ----------------------------------------------------------------------------------------

namespace {

Value decode_valid(const Type& type, std::span<const std::uint8_t> bytes) {
    Value value;
    switch (type.kind()) {
        case Kind::vector:
        case Kind::list: {
            const auto& element = *type.element();
            if (element.is_basic()) {
                for (std::size_t at = 0; at < bytes.size(); at += element.size()) {
                    value.items.push_back(Value{{bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                                 bytes.begin() + static_cast<std::ptrdiff_t>(at + element.size())},
                                                {}});
                }
                return value;
            }
            const std::uint64_t count = type.kind() == Kind::vector ? type.length() : element_count(type, bytes);
            for (std::uint64_t i = 0; i < count; ++i) {
                const auto part = element.is_fixed_size() ? bytes.subspan(i * element.size(), element.size())
                                                          : element_at(bytes, count, i);
                value.items.push_back(decode_valid(element, part));
            }
            return value;
        }
        case Kind::container: {
            std::vector<std::span<const std::uint8_t>> spans;
            field_spans(type, bytes, spans);
            for (std::size_t i = 0; i < spans.size(); ++i) {
                value.items.push_back(decode_valid(*type.fields()[i].type, spans[i]));
            }
            return value;
        }
        default: value.bytes.assign(bytes.begin(), bytes.end()); return value;
    }
}

Status shape_error(const Type& type, const std::string& what) {
    return make_error(Errc::invalid_argument, "value does not fit " + type.name() + ": " + what);
}

Status encode_into(const Type& type, const Value& value, std::vector<std::uint8_t>& out);

// Elements or fields in order: fixed-size ones inline, variable-size ones behind 4-byte offsets.
Status encode_parts(std::span<const TypePtr> types, const Value& value, std::vector<std::uint8_t>& out) {
    const std::size_t start = out.size();
    std::vector<std::size_t> slots;
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (types[i]->is_fixed_size()) {
            if (auto encoded = encode_into(*types[i], value.items[i], out); !encoded) return encoded;
        } else {
            slots.push_back(out.size());
            out.insert(out.end(), 4, 0);
        }
    }
    std::size_t slot = 0;
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (types[i]->is_fixed_size()) continue;
        const std::size_t offset = out.size() - start;
        if (offset > std::numeric_limits<std::uint32_t>::max()) {
            return make_error(Errc::out_of_range, "offset " + std::to_string(offset) + " does not fit in 4 bytes");
        }
        for (std::size_t b = 0; b < 4; ++b) out[slots[slot] + b] = static_cast<std::uint8_t>(offset >> (8 * b));
        ++slot;
        if (auto encoded = encode_into(*types[i], value.items[i], out); !encoded) return encoded;
    }
    return {};
}

Status encode_into(const Type& type, const Value& value, std::vector<std::uint8_t>& out) {
    switch (type.kind()) {
        case Kind::vector:
        case Kind::list: {
            if (type.kind() == Kind::vector ? value.items.size() != type.length()
                                            : value.items.size() > type.length()) {
                return shape_error(type, std::to_string(value.items.size()) + " items");
            }
            const std::vector<TypePtr> types(value.items.size(), type.element());
            return encode_parts(types, value, out);
        }
        case Kind::container: {
            if (value.items.size() != type.fields().size()) {
                return shape_error(type, std::to_string(value.items.size()) + " fields");
            }
            std::vector<TypePtr> types;
            for (const auto& field : type.fields()) types.push_back(field.type);
            return encode_parts(types, value, out);
        }
        default:
            if (auto checked = validate(type, value.bytes); !checked) return shape_error(type, checked.error().message);
            out.insert(out.end(), value.bytes.begin(), value.bytes.end());
            return {};
    }
}

}  // namespace

Result<Value> decode(const Type& type, std::span<const std::uint8_t> bytes, std::string_view root_name) {
    if (auto checked = validate(type, bytes, root_name); !checked) return checked.error();
    return decode_valid(type, bytes);
}

Value default_value(const Type& type) {
    Value value;
    switch (type.kind()) {
        case Kind::uint:
        case Kind::byte_vector: value.bytes.assign(type.length(), 0); break;
        case Kind::boolean: value.bytes.assign(1, 0); break;
        case Kind::bitvector: value.bytes.assign((type.length() + 7) / 8, 0); break;
        case Kind::bitlist: value.bytes.assign(1, 1); break;  // no bits: only the delimiter
        case Kind::vector: value.items.assign(type.length(), default_value(*type.element())); break;
        case Kind::byte_list:
        case Kind::list: break;
        case Kind::container:
            for (const auto& field : type.fields()) value.items.push_back(default_value(*field.type));
            break;
    }
    return value;
}

Result<std::vector<std::uint8_t>> encode(const Type& type, const Value& value) {
    std::vector<std::uint8_t> out;
    if (auto encoded = encode_into(type, value, out); !encoded) return encoded.error();
    return out;
}

}  // namespace ephemery::ssz
