// libFuzzer target: the reset journal is read back after a crash, possibly torn or edited by hand; parsing
// must never crash, and what it accepts must serialise and parse back to the same plan.
#include "reset/plan.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    const auto document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded()) return 0;
    const auto plan = ephemery::reset::plan_from_json(document);
    if (!plan) {
        if (plan.error().message.empty()) __builtin_trap();
        return 0;
    }
    const auto written = ephemery::reset::to_json(*plan);
    const auto reparsed = ephemery::reset::plan_from_json(nlohmann::json::parse(written.dump()));
    if (!reparsed || ephemery::reset::to_json(*reparsed) != written) __builtin_trap();
    return 0;
}
