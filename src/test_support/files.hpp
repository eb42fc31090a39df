#pragma once

#include <filesystem>
#include <string>

namespace ephemery::test {

// The whole file as bytes; empty when it cannot be read (tests assert on what they expect inside).
[[nodiscard]] std::string contents_of(const std::filesystem::path& path);

}  // namespace ephemery::test
