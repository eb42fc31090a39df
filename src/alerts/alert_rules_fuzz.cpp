// libFuzzer target: the rules parser must turn any bytes into rules or an error, never crash or throw.
#include "alerts/rules.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    const auto rules = ephemery::alerts::parse_rules(text, "rules.yaml");
    if (rules.ok()) {
        // What parses renders: every summary must fill in without failing.
        for (const auto& rule : rules.value()) (void)ephemery::alerts::render_summary(rule, {{"label", "x"}}, 1.5);
    }
    return 0;
}
