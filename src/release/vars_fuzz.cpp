// libFuzzer target: the .vars/.env parser takes files from the network; it must never crash or accept a
// line it cannot account for.
#include "release/vars.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    const auto parsed = ephemery::release::parse_vars(text, "fuzz.vars");
    if (parsed) {
        for (const auto& [name, value] : *parsed) {
            if (name.empty() || value.find('\n') != std::string::npos) __builtin_trap();
        }
    }
    return 0;
}
