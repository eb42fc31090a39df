#pragma once

#include "core/result.hpp"

#include <filesystem>

namespace ephemery::runtime {

// The Engine API secret the execution and consensus clients share: 32 random bytes as 64 hex digits, mode 0600,
// created once and then kept across restarts and resets (a new secret would need both clients restarted
// together). An existing file is checked: 64 hex digits, optionally 0x-prefixed, and not readable by others;
// the error names the file and the fix, never the secret.
[[nodiscard]] Status ensure_jwt_secret(const std::filesystem::path& file);

}  // namespace ephemery::runtime
