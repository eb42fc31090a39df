// libFuzzer target: keystore JSON and passwords come from operators' disks and other tools; parsing and
// password encoding must never crash, and what they accept must have the shapes decryption relies on.
#include "keys/keystore.hpp"
#include "keys/password.hpp"

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
    // The same bytes as a password: the encoding must never keep a C0, DEL or C1 control code.
    if (const auto encoded = ephemery::keys::encode_password(json)) {
        for (const auto byte : *encoded) {
            if (byte < 0x20 || byte == 0x7f) __builtin_trap();
        }
    }
    return 0;
}
