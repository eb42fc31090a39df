#pragma once
// Number and text formatting shared by the table and HTML renderers (internal to analytics).

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ephemery::analytics::detail {

// "97.50%", or "-" when the figure is absent.
inline std::string percent(const std::optional<double>& share) {
    return share ? fmt::format("{:.2f}%", *share * 100) : std::string("-");
}

// "+1234" / "-56" Gwei.
inline std::string signed_number(std::int64_t value) {
    return fmt::format("{:+}", value);
}

inline std::string signed_decimal(double value, int digits) {
    return fmt::format("{:+.{}f}", value, digits);
}

// "0x8a1b2c3d...9f0e": enough of a 98-character pubkey to tell validators apart on a screen.
inline std::string short_pubkey(std::string_view pubkey) {
    constexpr std::size_t head = 10;
    constexpr std::size_t tail = 4;
    if (pubkey.size() <= head + tail + 3) return std::string(pubkey);
    return fmt::format("{}...{}", pubkey.substr(0, head), pubkey.substr(pubkey.size() - tail));
}

// Columns on a terminal: UTF-8 continuation bytes take none.
inline std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++width;
    }
    return width;
}

}  // namespace ephemery::analytics::detail
