#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

// BIP-39 mnemonics (English wordlist only, as the deposit CLI and every validator tool use): entropy to words,
// validation with the checksum, and the seed. Pure computation.
namespace ephemery::keys {

inline constexpr std::size_t bip39_word_count = 2048;

// The 2048 words in BIP-39 order, compiled in from Debian's python3-mnemonic (see src/keys/CMakeLists.txt).
[[nodiscard]] std::span<const std::string_view, bip39_word_count> bip39_english_words();

// The mnemonic of 16 to 32 bytes of entropy (a multiple of 4): 12 to 24 words separated by single spaces,
// the last carrying the checksum bits (the first entropy-bits/32 bits of SHA-256(entropy)).
[[nodiscard]] Result<SecretString> mnemonic_from_entropy(std::span<const std::uint8_t> entropy);

// Checks a mnemonic as an operator typed or stored it and returns it in canonical form (lower case, single
// spaces), the form its seed must be computed from. Errors give the word's position and a "did you mean", the
// word count, or a failed checksum, and never repeat the mnemonic.
[[nodiscard]] Result<SecretString> validate_mnemonic(std::string_view text);

// The 64-byte BIP-39 seed: PBKDF2-HMAC-SHA512(NFKD(mnemonic), "mnemonic" + NFKD(passphrase), 2048 rounds).
// Fails only on text that is not UTF-8. Does not validate the mnemonic: call validate_mnemonic first.
[[nodiscard]] Result<SecretBytes> seed_from_mnemonic(const SecretString& mnemonic, const SecretString& passphrase);

}  // namespace ephemery::keys
