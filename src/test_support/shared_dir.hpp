#pragma once

#include <filesystem>
#include <string>

namespace ephemery::test {

// ../shared, from $EPHEMERY_SHARED_DIR (set by CMake for every test); aborts the test run when missing, so no
// test can skip silently for want of its fixtures.
[[nodiscard]] std::filesystem::path shared_dir();

// A fixture file's contents, e.g. read_shared("fixtures/eip2335/scrypt-keystore.json").
[[nodiscard]] std::string read_shared(const std::string& relative);

}  // namespace ephemery::test
