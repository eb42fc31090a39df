#pragma once
// Output for the person at the terminal.

#include "core/text.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <utility>

namespace ephemery::cli {

// Writes to stderr with control and bidirectional characters escaped (printable): messages quote config keys,
// paths, file contents and server answers, and any of those could carry a character that rewrites the terminal.
template <typename... Args>
void print_stderr(fmt::format_string<Args...> format, Args&&... args) {
    const std::string text = printable(fmt::format(format, std::forward<Args>(args)...));
    (void)std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace ephemery::cli
