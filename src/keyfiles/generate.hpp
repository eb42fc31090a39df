#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"
#include "keys/deposit.hpp"
#include "keys/keystore.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

// New validator keys from a mnemonic, written as the set the deposit CLI and Ephemery's genesis need:
//   <out>/keystores/keystore-m_12381_3600_<i>_0_0.json   EIP-2335, mode 0600
//   <out>/passwords/keystore-m_12381_3600_<i>_0_0.txt    its own random password (64 hex digits), mode 0600
//   <out>/deposit_data-<unix time>.json                   signed deposits, the deposit CLI's format
//   <out>/genesis-validators.txt                          one "0x<pubkey>:<credentials>:<gwei>" line per key
namespace ephemery::keyfiles {

struct GenerateRequest {
    SecretString mnemonic;  // already validated (keys::validate_mnemonic)
    std::uint32_t start_index{0};
    std::uint32_t count{0};
    keys::WithdrawalCredentials withdrawal_credentials{};
    std::uint64_t amount_gwei{0};
    keys::ForkVersion genesis_fork_version{};
    std::string network_name;
    keys::Kdf kdf{keys::Kdf::scrypt};
    std::filesystem::path out_dir;
    bool force{false};           // write into a non-empty directory; keystores and passwords are never overwritten
    std::int64_t created_at{0};  // unix seconds: names the deposit data file
    unsigned threads{0};         // parallel key derivations; 0: one per core (at most 8 with scrypt)
};

struct GeneratedKey {
    std::uint32_t index{0};
    std::string path;    // m/12381/3600/<index>/0/0
    std::string pubkey;  // hex, no 0x
    std::filesystem::path keystore;
    std::filesystem::path password_file;
};

struct GeneratedSet {
    std::vector<GeneratedKey> keys;  // in index order
    std::filesystem::path deposit_data;
    std::filesystem::path genesis_validators;
};

// "keystore-m_12381_3600_<index>_0_0", the deposit CLI's name for the keystore of validator `index`.
[[nodiscard]] std::string keystore_file_stem(std::uint32_t index);

// Refuses an output that would overwrite something: a non-directory, a non-empty directory without force, an
// existing keystore or password file of the requested indices (Errc::invalid_argument). generate_keys checks
// this too; callers check it first when they have something to write before (a new mnemonic).
[[nodiscard]] Status check_output_dir(const GenerateRequest& request);

// Derives, encrypts, signs and writes every key. Errc::invalid_argument when the output would overwrite
// something (a non-empty directory without force, an existing keystore or password file); io_error when writing
// fails. Each keystore is decrypted again and each deposit signature verified before anything is reported done.
[[nodiscard]] Result<GeneratedSet> generate_keys(const GenerateRequest& request);

// A new 24-word mnemonic from 32 bytes of OS randomness, written to `path` (mode 0600), which must not exist.
[[nodiscard]] Result<SecretString> create_mnemonic_file(const std::filesystem::path& path);

// The mnemonic in `path`, white space trimmed, validated and in canonical form. Warns when others can read it.
[[nodiscard]] Result<SecretString> read_mnemonic_file(const std::filesystem::path& path);

}  // namespace ephemery::keyfiles
