#pragma once

#include <string>

namespace ephemery::keys {

// Validator keys of this node. Filled from `validators:`.
struct Settings {
    std::string keystores_dir;  // EIP-2335 keystores; empty: this node runs no validators
    std::string password_file;  // one password for every keystore, or ...
    std::string passwords_dir;  // ... one <keystore file name without .json>.txt per keystore
    std::string fee_recipient;  // 0x-prefixed execution address for block rewards
    std::string graffiti;       // at most 32 bytes of UTF-8
};

}  // namespace ephemery::keys
