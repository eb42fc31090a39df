#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"
#include "keymanager/response.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// A client of the standard Ethereum Keymanager API (https://github.com/ethereum/keymanager-APIs) that every
// validator client serves: import EIP-2335 keystores (with EIP-3076 slashing protection) into a running validator
// client and list the keys it holds. Plain HTTP with a bearer token, meant for the loopback address the validator
// client listens on. Passwords and the token never appear in an error: what the validator client answers is
// scrubbed of them before it is quoted.
namespace ephemery::keymanager {

// Where a validator client's keymanager API listens, and the bearer token it wants.
struct Endpoint {
    std::string base_url;      // http://host:port, optionally with a path prefix; https is not supported
    SecretString token;        // the bearer token; empty sends no Authorization header
    std::string token_source;  // where the token came from (a file name), named when the client refuses it
    // Connecting, and waiting for each answer. An import waits `keystore_allowance` more per keystore, because
    // the validator client decrypts every keystore (scrypt: seconds each) before it answers.
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

inline constexpr std::chrono::seconds keystore_allowance{10};

// One keystore to import, with the password that decrypts it.
struct KeystoreUpload {
    std::string keystore_json;  // the EIP-2335 keystore file as it is
    SecretString password;
};

// Reads a token file as validator clients write it (surrounding white space dropped). Errors name the file;
// a missing one gets the hint that the validator client writes it when its keymanager API starts.
[[nodiscard]] Result<SecretString> read_token_file(const std::filesystem::path& path);

// POST /eth/v1/keystores: imports the keystores, and with them an EIP-3076 interchange (JSON text) when given.
// One status per keystore, in order. Errors: Errc::invalid_argument for a malformed URL or a refused token
// (401/403), Errc::io_error when the API cannot be reached or does not answer in time, Errc::unsupported for a
// 404 (not a keymanager API), Errc::parse_error for an answer that is not the specified JSON, and
// Errc::verification_failed for any other refusal of the whole request (the client's message quoted).
[[nodiscard]] Result<std::vector<ImportStatus>> import_keystores(
    const Endpoint& endpoint, const std::vector<KeystoreUpload>& keystores,
    const std::optional<std::string>& slashing_interchange_json);

// GET /eth/v1/keystores: the keys the validator client holds. Errors as for import_keystores.
[[nodiscard]] Result<std::vector<RemoteKey>> list_keystores(const Endpoint& endpoint);

}  // namespace ephemery::keymanager
