#pragma once

#include <array>
#include <string_view>
#include <utility>

namespace ephemery::infra {

enum class LogLevel { trace, debug, info, warn, error, off };
enum class LogFormat { text, json };

inline constexpr std::array<std::pair<std::string_view, LogLevel>, 6> log_level_names{{
    {"trace", LogLevel::trace},
    {"debug", LogLevel::debug},
    {"info", LogLevel::info},
    {"warn", LogLevel::warn},
    {"error", LogLevel::error},
    {"off", LogLevel::off},
}};
inline constexpr std::array<std::pair<std::string_view, LogFormat>, 2> log_format_names{{
    {"text", LogFormat::text},
    {"json", LogFormat::json},
}};

struct LogSettings {
    LogLevel level{LogLevel::info};
    LogFormat format{LogFormat::text};
};

// Sends every log line to stderr (stdout belongs to command output such as --json), in UTC, as text or as
// one JSON object per line. Safe to call again to change level or format.
void configure_logging(const LogSettings& settings);

}  // namespace ephemery::infra
