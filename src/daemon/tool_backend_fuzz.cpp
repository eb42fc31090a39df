// libFuzzer target: `docker compose ps --format json` and `systemctl show` output is read from tools whose
// versions, warnings and locale ephemery does not control; parsing must never crash, and what it accepts must
// be a service with a name and a state from the documented vocabulary.
#include "daemon/tool_backend.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

void check(const ephemery::Result<std::vector<ephemery::daemon::ToolServiceState>>& states) {
    if (!states) {
        if (states.error().message.empty()) __builtin_trap();
        return;
    }
    constexpr std::array<std::string_view, 9> vocabulary{"running", "starting", "stopping", "stopped", "backing_off",
                                                         "failed",  "paused",   "missing",  "unknown"};
    for (const auto& state : *states) {
        if (std::find(vocabulary.begin(), vocabulary.end(), state.state) == vocabulary.end()) __builtin_trap();
        if (state.pid && *state.pid <= 0) __builtin_trap();
    }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    check(ephemery::daemon::parse_compose_ps(text));
    check(ephemery::daemon::parse_systemctl_show(text));
    return 0;
}
