#pragma once
// What a benchmark run is set to: its sizes, from environment variables (the full sizes when unset), and whether it
// is a smoke run. `scripts/bench --smoke` (make bench-smoke, run by CI) sets EPHEMERY_BENCH_SMOKE=1 and tiny sizes:
// every benchmark then runs once, through the same code and the same agreement checks against its peer, so that
// `make bench` cannot rot unseen. Speed targets mean nothing at those sizes: a smoke run prints them unjudged.

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace ephemery::bench {

// A size a benchmark reads from the environment.
struct SizeSetting {
    const char* variable;
    std::uint64_t full;  // the size of `make bench`, used when the variable is unset or empty
};

inline constexpr SizeSetting ingest_validators{"EPHEMERY_BENCH_INGEST_VALIDATORS", 1'000'000};
inline constexpr SizeSetting reset_files{"EPHEMERY_BENCH_RESET_FILES", 1'000'000};
inline constexpr SizeSetting reset_bytes{"EPHEMERY_BENCH_RESET_BYTES", std::uint64_t{10} << 30U};
// Each of the two sets of keystores with their own salts and passwords (scrypt, pbkdf2), checked by both sides.
inline constexpr SizeSetting keystores_per_set{"EPHEMERY_BENCH_KEYSTORES", 16};
// The scrypt keystores sharing one salt and password, checked by ephemery alone.
inline constexpr SizeSetting shared_salt_keystores{"EPHEMERY_BENCH_SHARED_SALT_KEYSTORES", 1000};
inline constexpr SizeSetting state_validators{"EPHEMERY_BENCH_STATE_VALIDATORS", 250'000};

// The variables are read while the benchmarks run, on their threads too; nothing sets them meanwhile.
inline const char* environment_value(const char* variable) {
    return std::getenv(variable);  // NOLINT(concurrency-mt-unsafe): the environment is not written after start-up
}

[[nodiscard]] inline bool smoke_run() {
    static const bool smoke = [] {
        const char* value = environment_value("EPHEMERY_BENCH_SMOKE");
        return value != nullptr && std::string_view(value) == "1";
    }();
    return smoke;
}

// The positive whole number `text` holds, if it holds one.
[[nodiscard]] inline std::optional<std::uint64_t> positive_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
    return value;
}

// Why the setting's value is unusable; nothing when it is unset, empty or a positive whole number.
[[nodiscard]] inline std::optional<std::string> size_problem(const SizeSetting& setting) {
    const char* text = environment_value(setting.variable);
    if (text == nullptr || *text == '\0' || positive_number(text)) return std::nullopt;
    return fmt::format("{}=\"{}\" is not a positive whole number (unset, it is {})", setting.variable, text,
                       setting.full);
}

// Every unusable setting of `settings`, to report all at once before anything runs.
[[nodiscard]] inline std::vector<std::string> size_problems(const std::vector<SizeSetting>& settings) {
    std::vector<std::string> problems;
    for (const auto& setting : settings) {
        if (auto problem = size_problem(setting)) problems.push_back(std::move(*problem));
    }
    return problems;
}

// The setting's value. The mains check every setting with size_problems first, so a bad value here is a bug; it
// falls back to the full size.
[[nodiscard]] inline std::uint64_t size_of(const SizeSetting& setting) {
    const char* text = environment_value(setting.variable);
    if (text == nullptr) return setting.full;
    return positive_number(text).value_or(setting.full);
}

// Where the benchmarks write what they generate: $EPHEMERY_BENCH_DIR, else the build dir. Not /tmp by default: it
// may be a tmpfs, where deleting frees memory rather than disk extents.
[[nodiscard]] inline std::filesystem::path work_directory() {
    const char* chosen = environment_value("EPHEMERY_BENCH_DIR");
    return chosen != nullptr && *chosen != '\0' ? std::filesystem::path(chosen)
                                                : std::filesystem::path(EPHEMERY_BENCH_WORK_DIR);
}

// 1000000 as "1,000,000", the way the titles write counts.
[[nodiscard]] inline std::string with_separators(std::uint64_t value) {
    const std::string digits = std::to_string(value);
    std::string out;
    for (std::size_t at = 0; at < digits.size(); ++at) {
        if (at > 0 && (digits.size() - at) % 3 == 0) out += ',';
        out += digits[at];
    }
    return out;
}

// Whole GiB as "10 GiB", other sizes in bytes.
[[nodiscard]] inline std::string byte_size(std::uint64_t bytes) {
    constexpr std::uint64_t gib = std::uint64_t{1} << 30U;
    return bytes % gib == 0 ? fmt::format("{} GiB", bytes / gib) : fmt::format("{} bytes", with_separators(bytes));
}

}  // namespace ephemery::bench
