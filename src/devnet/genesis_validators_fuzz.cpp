// libFuzzer target: genesis-validators.txt sits in the devnet's data dir, where anyone with access may edit it;
// its parser must never crash and must account for every key it returns.
#include "devnet/release.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    const auto parsed = ephemery::devnet::parse_genesis_validators(text, "fuzz.txt");
    if (parsed) {
        for (const auto& validator : *parsed) {
            if (validator.balance_gwei == 0) __builtin_trap();
        }
        if (parsed->size() > text.size() / 100 + 1) __builtin_trap();  // a line is at least 100 bytes
    }
    return 0;
}
