// libFuzzer target: keystore JSON comes from operators' disks and other tools; parsing must never crash,
// and whatever it accepts must have the shapes decryption relies on.
#include "keys/keystore.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    const auto keystore = ephemery::keys::parse_keystore(json, "fuzz.json");
    if (keystore && (keystore->iv.size() != 16 || keystore->checksum.size() != 32 || keystore->kdf.dklen != 32)) {
        __builtin_trap();
    }
    return 0;
}
