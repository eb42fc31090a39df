#include "keys/deposit.hpp"
#include "keys/mnemonic.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

// Mnemonic files and withdrawal addresses come from operators: any bytes give a value or an error.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)ephemery::keys::validate_mnemonic(text);
    (void)ephemery::keys::parse_execution_address(text);
    (void)ephemery::keys::parse_fork_version(text);
    return 0;
}
