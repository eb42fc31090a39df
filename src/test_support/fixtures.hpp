#pragma once

#include <filesystem>
#include <string>

namespace ephemery::test {

// tests/fixtures in the source tree (each set with a SOURCE note); the path is compiled in, so the tests and the
// benchmarks read it from any working directory and a plain clone has everything they need.
[[nodiscard]] std::filesystem::path fixtures_dir();

// A fixture file's contents, e.g. read_fixture("eip2335/scrypt-keystore.json"); aborts the run when it is
// missing, so no test can skip silently for want of its fixtures.
[[nodiscard]] std::string read_fixture(const std::string& relative);

}  // namespace ephemery::test
