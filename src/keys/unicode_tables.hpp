#pragma once

#include <cstddef>
#include <cstdint>

// Tables generated at build time from UnicodeData.txt (tools/unicode_table_gen.cpp), sorted by code point.
namespace ephemery::keys::unicode {

struct Decomposition {
    char32_t code;
    std::uint32_t offset;  // into decomposition_pool
    std::uint8_t length;
};

struct CombiningClass {
    char32_t code;
    std::uint8_t value;
};

extern const char32_t decomposition_pool[];   // NOLINT(modernize-avoid-c-arrays): generated table
extern const Decomposition decompositions[];  // NOLINT(modernize-avoid-c-arrays)
extern const std::size_t decomposition_count;
extern const CombiningClass combining_classes[];  // NOLINT(modernize-avoid-c-arrays)
extern const std::size_t combining_class_count;

}  // namespace ephemery::keys::unicode
