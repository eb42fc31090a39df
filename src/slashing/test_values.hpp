#pragma once
// Public keys and roots the slashing tests share: well-formed "0x" hex of the right lengths, easy to tell apart.

#include <string>

namespace ephemery::slashing::test_values {

inline const std::string pubkey_a = "0x" + std::string(96, 'a');
inline const std::string pubkey_b = "0x" + std::string(96, 'b');
inline const std::string chain_root = "0x" + std::string(64, '1');
inline const std::string root_x = "0x" + std::string(64, 'c');
inline const std::string root_y = "0x" + std::string(64, 'd');

}  // namespace ephemery::slashing::test_values
