#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"
#include "core/text.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// EIP-2335 keystores: parsing with field-by-field errors, and decryption (scrypt or pbkdf2, sha256 checksum,
// aes-128-ctr). Pure computation: bytes in, bytes out.
namespace ephemery::keys {

enum class Kdf { scrypt, pbkdf2 };

struct KdfParams {
    Kdf function{Kdf::scrypt};
    std::uint32_t dklen{32};
    std::uint64_t n{0};  // scrypt
    std::uint32_t r{0};
    std::uint32_t p{0};
    std::uint64_t c{0};  // pbkdf2 iterations
    std::vector<std::uint8_t> salt;
    friend bool operator==(const KdfParams&, const KdfParams&) = default;
};

struct Keystore {
    KdfParams kdf;
    std::vector<std::uint8_t> checksum;  // sha256(dk[16:32] || cipher_message)
    std::vector<std::uint8_t> iv;        // aes-128-ctr
    std::vector<std::uint8_t> cipher_message;
    std::string pubkey;  // lower-case hex, no 0x; empty when the keystore omits it
    std::string path;
    std::string uuid;
    std::string description;
};

// Caps on the KDF parameters a keystore may ask for (README, "Validator keys"). EIP-2335 tools
// (staking-deposit-cli, ethdo, @chainsafe/bls-keystore, `keys new`) write scrypt n=2^18, r=8, p=1 (256 MiB, the
// memory cap exactly) or pbkdf2 c=2^18; beyond the caps one file could pin gigabytes of memory or minutes of CPU.
inline constexpr std::uint64_t max_scrypt_memory_bytes = std::uint64_t{256} << 20U;  // 128*r*n
inline constexpr std::uint64_t max_scrypt_p = 4;
inline constexpr std::uint64_t max_pbkdf2_iterations = std::uint64_t{1} << 20U;

// Parses and validates a keystore. Errors name `label` and the field: "k.json: crypto.kdf.params.salt is not hex".
// Refuses KDF parameters beyond the caps above, before any derivation is attempted.
[[nodiscard]] Result<Keystore> parse_keystore(std::string_view json, std::string_view label);

// The derived key for a keystore: the expensive step, worth memoising by (password, kdf params).
[[nodiscard]] Result<SecretBytes> derive_key(const KdfParams& kdf, const std::vector<std::uint8_t>& password);

// Errc::verification_failed when the checksum does not match: the password is wrong.
[[nodiscard]] Result<SecretBytes> decrypt_with_key(const Keystore& keystore, const SecretBytes& derived_key);

// The parameters `keys new` and `keys password rotate` write: scrypt n=2^18 r=8 p=1 (what the deposit CLI
// writes) or pbkdf2 c=2^18, with `salt` (32 bytes).
[[nodiscard]] KdfParams standard_kdf_params(Kdf function, std::vector<std::uint8_t> salt);

// Encrypts `secret` under an already derived key (see derive_key): the checksum and aes-128-ctr message of an
// EIP-2335 keystore with `kdf`, `iv` (16 bytes) and the given descriptive fields.
struct KeystoreFields {
    std::string pubkey;  // hex, no 0x
    std::string path;    // EIP-2334 path, or empty
    std::string uuid;
    std::string description;
};
[[nodiscard]] Result<Keystore> encrypt_with_key(const SecretBytes& secret, const SecretBytes& derived_key,
                                                const KdfParams& kdf, const std::vector<std::uint8_t>& iv,
                                                KeystoreFields fields);

// The keystore as EIP-2335 version-4 JSON, two-space indented.
[[nodiscard]] std::string to_json(const Keystore& keystore);

// Fresh randomness for salts, IVs and UUIDs, from the operating system's CSPRNG through OpenSSL.
[[nodiscard]] std::vector<std::uint8_t> random_bytes(std::size_t count);
[[nodiscard]] std::string random_uuid();

// derive_key + decrypt_with_key. `password` must already be EIP-2335 encoded (NFKD, control codes removed,
// UTF-8).
[[nodiscard]] Result<SecretBytes> decrypt(const Keystore& keystore, const std::vector<std::uint8_t>& password);

}  // namespace ephemery::keys
