#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The answers of the Ethereum Keymanager API (https://github.com/ethereum/keymanager-APIs) as a validator client
// sends them back: untrusted bytes. Pure: text in, values out; every problem names its JSON path. Whatever the
// answer says is quoted only after `secrets` (the passwords and the token just sent) are cut out of it, and made
// printable: a client that echoes what it was sent, or a hostile one, cannot make a secret reach a log or a
// terminal escape reach a screen.
namespace ephemery::keymanager {

enum class ImportState { imported, duplicate, error };

// What the validator client did with one keystore of an import.
struct ImportStatus {
    ImportState state{ImportState::error};
    std::string message;  // the client's explanation, made printable and shortened; may be empty
};

// A key the validator client holds.
struct RemoteKey {
    std::string validating_pubkey;  // "0x" + 96 lower-case hex digits
    std::string derivation_path;    // empty when the client gives none
    bool readonly{false};           // true for keys the API cannot delete (remote signer, file-only)
};

// "imported", "duplicate" or "error".
[[nodiscard]] std::string_view state_name(ImportState state);

// POST /eth/v1/keystores: {"data": [{"status": "imported" | "duplicate" | "error", "message": "..."}]}, one entry
// per keystore sent, in the order sent. Errc::parse_error when the body is anything else, or has another number
// of entries than `keystores_sent`.
[[nodiscard]] Result<std::vector<ImportStatus>> parse_import_response(std::string_view body, std::size_t keystores_sent,
                                                                      std::span<const SecretString> secrets);

// GET /eth/v1/keystores: {"data": [{"validating_pubkey": "0x...", "derivation_path": "m/...", "readonly": false}]}.
// Errc::parse_error when the body is anything else.
[[nodiscard]] Result<std::vector<RemoteKey>> parse_list_response(std::string_view body,
                                                                 std::span<const SecretString> secrets);

// The explanation an error answer carries: "message" of the spec's ErrorResponse (Fastify-based clients add
// "error" and "statusCode"), quoted as below; nullopt when the body is not JSON or says nothing.
[[nodiscard]] std::optional<std::string> error_message(std::string_view body, std::span<const SecretString> secrets);

// Untrusted text made safe to quote: every occurrence of a secret replaced by "<redacted>" (a one-letter
// password garbles the text rather than leak), then control characters (terminal escapes, new lines) and invalid
// UTF-8 bytes replaced by '?', and text longer than `max_bytes` cut at a character boundary, ending in "...".
[[nodiscard]] std::string quote(std::string_view text, std::span<const SecretString> secrets, std::size_t max_bytes);

}  // namespace ephemery::keymanager
