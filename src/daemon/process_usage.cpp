#include "daemon/process_usage.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace ephemery::daemon {

std::optional<ProcessUsage> parse_proc_stat(std::string_view text, long ticks_per_second, long page_size) {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted after the last ')'.
    const auto close = text.rfind(')');
    if (close == std::string_view::npos || ticks_per_second <= 0 || page_size <= 0) return std::nullopt;
    std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
    std::string_view rest = text.substr(close + 1);
    while (!rest.empty()) {
        const auto start = rest.find_first_not_of(" \n");
        if (start == std::string_view::npos) break;
        rest.remove_prefix(start);
        const auto end = rest.find_first_of(" \n");
        fields.push_back(rest.substr(0, end));
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    constexpr std::size_t utime = 14 - 3;
    constexpr std::size_t stime = 15 - 3;
    constexpr std::size_t rss = 24 - 3;
    if (fields.size() <= rss) return std::nullopt;
    const auto number = [](std::string_view field) -> std::optional<std::uint64_t> {
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
        if (error != std::errc{} || end != field.data() + field.size()) return std::nullopt;
        return value;
    };
    const auto user = number(fields[utime]);
    const auto system = number(fields[stime]);
    const auto pages = number(fields[rss]);
    if (!user || !system || !pages) return std::nullopt;
    return ProcessUsage{.cpu_seconds = static_cast<double>(*user + *system) / static_cast<double>(ticks_per_second),
                        .resident_bytes = *pages * static_cast<std::uint64_t>(page_size)};
}

std::optional<ProcessUsage> process_usage(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    if (!file) return std::nullopt;
    const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    return parse_proc_stat(text, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE));
}

}  // namespace ephemery::daemon
