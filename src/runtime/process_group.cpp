#include "runtime/process_group.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <string>
#include <string_view>

namespace ephemery::runtime {

namespace {

template <typename Number>
bool parse_number(std::string_view& text, Number& value) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{}) return false;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return true;
}

}  // namespace

std::optional<ProcessStat> read_process_stat(pid_t pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::array<char, 1024> buffer{};
    const ssize_t length = ::read(fd, buffer.data(), buffer.size());
    ::close(fd);
    if (length <= 0) return std::nullopt;
    std::string_view text(buffer.data(), static_cast<std::size_t>(length));
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'.
    const std::size_t comm_end = text.rfind(')');
    if (comm_end == std::string_view::npos || comm_end + 2 >= text.size()) return std::nullopt;
    text.remove_prefix(comm_end + 2);
    ProcessStat stat;
    stat.state = text.front();
    text.remove_prefix(1);
    if (!parse_number(text, stat.parent) || !parse_number(text, stat.group)) return std::nullopt;
    return stat;
}

bool process_is_alive(pid_t pid) {
    const auto stat = read_process_stat(pid);
    return stat && stat->state != 'Z' && stat->state != 'X';
}

bool group_has_live_members(pid_t group, pid_t except) {
    namespace fs = std::filesystem;
    std::error_code error;
    for (fs::directory_iterator entry("/proc", error), end; !error && entry != end; entry.increment(error)) {
        const std::string name = entry->path().filename().string();
        pid_t pid = 0;
        const auto [parsed_end, parse_error] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (parse_error != std::errc{} || parsed_end != name.data() + name.size() || pid == except) continue;
        const auto stat = read_process_stat(pid);
        if (stat && stat->group == group && stat->state != 'Z' && stat->state != 'X') return true;
    }
    return false;
}

}  // namespace ephemery::runtime
