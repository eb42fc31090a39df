#pragma once
// Number and text formatting shared by the table and HTML renderers (internal to analytics).

#include "analytics/analytics.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The performance columns of every report table, in order, and a group's values for them.
inline constexpr std::array<std::string_view, 9> performance_headers{
    "epochs", "source", "target", "head", "effectiveness", "missed", "streak", "proposals", "balance Gwei"};

inline std::vector<std::string> performance_values(const Performance& performance) {
    return {fmt::format("{}", performance.epochs_observed),
            percent(performance.source.rate()),
            percent(performance.target.rate()),
            percent(performance.head.rate()),
            percent(performance.effectiveness()),
            fmt::format("{}", performance.missed_attestations),
            fmt::format("{}", performance.longest_missed_streak),
            fmt::format("{}/{}", performance.proposals_made, performance.proposals_made + performance.proposals_missed),
            signed_number(performance.balance_change)};
}

}  // namespace ephemery::analytics::detail
