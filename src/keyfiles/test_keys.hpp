#pragma once

#include "bls/bls.hpp"
#include "core/text.hpp"
#include "keys/keystore.hpp"

#include <cstdint>
#include <string>

// Keystores for the keyfiles tests: cheap (pbkdf2 with 16 rounds) but otherwise real.
namespace ephemery::test {

struct TestKey {
    std::string pubkey;  // 0x...
    std::string keystore_json;
};

inline TestKey make_key(std::uint8_t seed_byte, const std::string& password) {
    const auto key = bls::derive_master_key(std::vector<std::uint8_t>(32, seed_byte)).value();
    auto kdf = keys::standard_kdf_params(keys::Kdf::pbkdf2, keys::random_bytes(32));
    kdf.c = 16;
    const auto derived = keys::derive_key(kdf, {password.begin(), password.end()}).value();
    keys::KeystoreFields fields;
    fields.pubkey = to_hex(bls::public_key(key));
    fields.uuid = keys::random_uuid();
    return {"0x" + fields.pubkey,
            keys::to_json(keys::encrypt_with_key(key.bytes(), derived, kdf, keys::random_bytes(16), fields).value())};
}

inline std::string findings_of(const keys::CheckSummary& summary) {
    std::string text;
    for (const auto& key : summary.keys) {
        for (const auto& finding : key.findings) text += key.keystore_label + ": " + finding.problem + "\n";
    }
    return text;
}

}  // namespace ephemery::test
