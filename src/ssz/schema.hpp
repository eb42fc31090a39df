#pragma once
// Schema-driven SSZ: a type is data (a tree of `Type` nodes built once), and one engine validates, hashes,
// navigates, decodes and encodes any value of it straight from its serialized bytes. This is how the beacon
// types of every fork and preset are handled (ssz/beacon.hpp) without a hand-written struct per fork.
//
// Bytes are untrusted (checkpoint sync downloads them): `validate` checks every rule of the spec's
// deserialization (sizes, offsets, limits, boolean bytes, bitfield padding and delimiter, trailing bytes) and
// names the failing field's path. `hash_tree_root` validates first, then hashes from the bytes in place:
// packed basic lists and Bytes32 vectors are merkleized with no copy, lists of fixed-size containers are
// hashed in batches, level by level across many elements (so the two SHA-NI lanes stay busy).

#include "core/result.hpp"
#include "ssz/sha256.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::ssz {

enum class Kind : std::uint8_t {
    uint,         // uint8 .. uint256: length() bytes, little-endian
    boolean,      // one byte, 0 or 1
    byte_vector,  // ByteVector[N] (Bytes4, Bytes32, Bytes48, ...)
    byte_list,    // ByteList[N]
    bitvector,    // Bitvector[N]
    bitlist,      // Bitlist[N]
    vector,       // Vector[element, N]
    list,         // List[element, N]
    container,
};

class Type;
using TypePtr = std::shared_ptr<const Type>;

struct Field {
    std::string name;
    TypePtr type;
};

// One node of a schema. Immutable once built; sub-types are shared between schemas.
class Type {
  public:
    [[nodiscard]] Kind kind() const noexcept { return kind_; }
    // Readable type name for messages: "uint64", "Bytes32", "List[Validator, 1099511627776]", "Validator".
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    // uint: its byte width; byte_vector, bitvector, vector: N; byte_list, bitlist, list: the limit N.
    [[nodiscard]] std::uint64_t length() const noexcept { return length_; }
    // The element type of a vector or list (null otherwise).
    [[nodiscard]] const TypePtr& element() const noexcept { return element_; }
    // The fields of a container (empty otherwise).
    [[nodiscard]] std::span<const Field> fields() const noexcept { return fields_; }
    // Index of the named field of a container, or fields().size() when there is none.
    [[nodiscard]] std::size_t field_index(std::string_view field_name) const noexcept;

    [[nodiscard]] bool is_basic() const noexcept { return kind_ == Kind::uint || kind_ == Kind::boolean; }
    [[nodiscard]] bool is_fixed_size() const noexcept { return fixed_size_; }
    // The serialized size of a fixed-size type; for a variable-size container, the size of its fixed part
    // (fixed fields plus one 4-byte offset per variable field); 0 for variable-size lists. Saturates at 2^64-1.
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    // True when some byte sequences of the right size are still invalid (booleans, bitvector padding): a fixed-
    // size value whose type has no such rule is valid at any content, and validation skips it.
    [[nodiscard]] bool has_content_rules() const noexcept { return content_rules_; }

    // Use the factories below; public for std::make_shared.
    struct Parts {
        Kind kind{Kind::uint};
        std::string name;
        std::uint64_t length{0};
        TypePtr element;
        std::vector<Field> fields;
    };
    explicit Type(Parts parts);

  private:
    Kind kind_;
    std::string name_;
    std::uint64_t length_;
    TypePtr element_;
    std::vector<Field> fields_;
    bool fixed_size_{true};
    std::uint64_t size_{0};
    bool content_rules_{false};
};

// Factories. Arguments outside the spec (uint width other than 1, 2, 4, 8, 16, 32; a vector or bitvector of
// length 0; a container without fields; a null type) are programming errors and abort with a message.
[[nodiscard]] TypePtr uint_type(std::size_t byte_width);
[[nodiscard]] TypePtr boolean_type();
[[nodiscard]] TypePtr byte_vector_type(std::uint64_t length);
[[nodiscard]] TypePtr byte_list_type(std::uint64_t limit);
[[nodiscard]] TypePtr bitvector_type(std::uint64_t length);
[[nodiscard]] TypePtr bitlist_type(std::uint64_t limit);
[[nodiscard]] TypePtr vector_type(TypePtr element, std::uint64_t length);
[[nodiscard]] TypePtr list_type(TypePtr element, std::uint64_t limit);
[[nodiscard]] TypePtr container_type(std::string name, std::vector<Field> fields);

// Checks that `bytes` are exactly one serialized value of `type`. The error names the path from `root_name`:
// "state.validators[12].slashed: boolean byte is 0x02, not 0x00 or 0x01".
[[nodiscard]] Status validate(const Type& type, std::span<const std::uint8_t> bytes,
                              std::string_view root_name = "value");

// hash_tree_root of the value `bytes` serialize; validates them first (errors as validate's).
[[nodiscard]] Result<Chunk> hash_tree_root(const Type& type, std::span<const std::uint8_t> bytes,
                                           std::string_view root_name = "value");
// The same for bytes already validated against `type` (the caller's promise; on invalid bytes the result is
// meaningless but memory-safe only as far as validate's rules hold, so never pass unvalidated input).
[[nodiscard]] Chunk hash_tree_root_of_valid(const Type& type, std::span<const std::uint8_t> bytes);

// A field of a serialized container: its type and its bytes within the container's bytes.
struct FieldView {
    TypePtr type;
    std::span<const std::uint8_t> bytes;
};
// Finds the named field of a container in its bytes. Checks the field's own bounds (offsets inside the
// container, in order), not the field's content: validate the container first to rely on the result.
[[nodiscard]] Result<FieldView> field(const Type& container, std::span<const std::uint8_t> bytes,
                                      std::string_view field_name);

// A decoded value: basic types, byte vectors and lists and bitfields keep their serialized bytes; vectors, lists
// and containers keep one item per element or field. For tests and fuzzing: shows decoding loses nothing.
struct Value {
    std::vector<std::uint8_t> bytes;
    std::vector<Value> items;
    friend bool operator==(const Value&, const Value&) = default;
};
// Validates and decodes.
[[nodiscard]] Result<Value> decode(const Type& type, std::span<const std::uint8_t> bytes,
                                   std::string_view root_name = "value");
// The type's default value (zeros, empty lists and bitlists) in the shape encode expects: the starting point for
// building a value field by field.
[[nodiscard]] Value default_value(const Type& type);
// Serializes a value of `type`; fails when the value does not have the type's shape (a wrong item count or
// leaf size) or an offset does not fit in 4 bytes.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode(const Type& type, const Value& value);

}  // namespace ephemery::ssz
