#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::keys {

// The EIP-2335 password encoding: NFKD, then remove the C0 (U+0000-U+001F), DEL (U+007F) and C1
// (U+0080-U+009F) control codes, then UTF-8. Fails only on input that is not UTF-8.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_password(std::string_view utf8);

// The encoding of the Go keystore library behind ethdo before v1.4.1 (go-eth2-wallet-encryptor-keystorev4):
// NFKD that kept only the first code point of each decomposition, dropping combining marks, so "ñ" became
// "n". Only worth trying when it differs from encode_password; a match means the keystore should be rotated.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_password_ethdo_legacy(std::string_view utf8);

// Unicode compatibility decomposition (NFKD) of UTF-8 text, in code points.
[[nodiscard]] Result<std::u32string> nfkd(std::string_view utf8);

}  // namespace ephemery::keys
