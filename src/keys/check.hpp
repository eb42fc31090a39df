#pragma once

#include "core/secret.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// The keystore pre-flight: does every key a validator client will load decrypt with the password that client
// will read, and is it the key it claims to be? Pure computation over contents already read; the layouts of
// the clients on disk are found by keyfiles::discover.
namespace ephemery::keys {

enum class Severity { ok, warning, failure };

struct Finding {
    Severity severity{Severity::failure};
    std::string problem;  // what is wrong, for an operator; never a secret
    std::string fix;      // what to do about it
};

// What a client will hold: a single EIP-2335 keystore, or Prysm's direct wallet (one keystore whose plaintext
// lists every key).
enum class KeystoreKind { eip2335, prysm_wallet };

struct KeyCandidate {
    std::string keystore_label;  // the keystore's path, as the report shows it
    std::string keystore_json;
    KeystoreKind kind{KeystoreKind::eip2335};
    std::optional<SecretString> password;  // as the client reads it; nullopt when none was found
    std::string password_label;            // where it came from: a file, a YAML line, a flag
    bool password_label_is_file{false};    // password_label is the path of the file it was read from
    // The password file's exact bytes when the client trims whitespace from them: a keystore encrypted with
    // the untrimmed bytes fails in the client, and the report says why. (Line endings alone never matter:
    // EIP-2335 encoding drops control codes.)
    std::optional<SecretString> password_unstripped;
    std::optional<std::string> expected_pubkey;  // what the layout says the key is (directory name, YAML)
    std::string expected_pubkey_label;
    std::vector<Finding> findings;  // found while reading (permissions, missing files): carried into the report
};

struct KeyReport {
    std::string keystore_label;
    std::string pubkey;  // hex with 0x, from the keystore or (Prysm) its plaintext; empty when unreadable
    std::vector<Finding> findings;
    [[nodiscard]] Severity status() const;
};

struct CheckOptions {
    unsigned threads{1};
    // Scrypt at n=2^18, r=8 needs 256 MiB per derivation: no more run at once than fit in this budget.
    std::uint64_t memory_budget_bytes{std::uint64_t{1} << 30U};
    // Called after every key derivation with (done, total), from the worker threads, serialised.
    std::function<void(std::size_t, std::size_t)> progress;
};

struct CheckSummary {
    std::vector<KeyReport> keys;     // in input order; Prysm wallets yield one report per key inside
    std::size_t key_derivations{0};  // KDF runs actually made (shared salts and passwords are derived once)
    [[nodiscard]] std::size_t count(Severity severity) const;
};

// Checks every candidate: JSON and schema, that the password decrypts (checksum), that the secret's BLS
// public key is the keystore's `pubkey` and the one the layout expects, and duplicates across candidates.
// A key derivation is made once per (encoded password, KDF parameters): keystores sharing a salt and
// password cost one. Derivations run on up to `threads` threads within the memory budget.
[[nodiscard]] CheckSummary check_keystores(std::vector<KeyCandidate> candidates, const CheckOptions& options);

// Memory one derivation with these scrypt parameters takes (0 for pbkdf2).
[[nodiscard]] std::uint64_t kdf_memory_bytes(std::uint64_t n, std::uint32_t r, std::uint32_t p);

}  // namespace ephemery::keys
