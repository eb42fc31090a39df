#include "keyfiles/definitions.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

// Any bytes: a definitions file or an error, never a crash or an exception.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)ephemery::keyfiles::parse_validator_definitions(text, "validator_definitions.yml");
    return 0;
}
