#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

// BLS12-381 as Ethereum's consensus layer uses it (public keys in G1, signatures in G2, proof-of-possession
// ciphersuite), and EIP-2333/2334 key derivation. A thin layer over blst: pure computation.
namespace ephemery::bls {

inline constexpr std::size_t secret_key_size = 32;
inline constexpr std::size_t public_key_size = 48;
inline constexpr std::size_t signature_size = 96;

using PublicKey = std::array<std::uint8_t, public_key_size>;  // compressed G1 point
using Signature = std::array<std::uint8_t, signature_size>;   // compressed G2 point

// A validator secret key: 32 big-endian bytes, non-zero and below the group order. Wiped when destroyed.
class SecretKey {
  public:
    // Errc::invalid_argument when the bytes are not a usable key (wrong length, zero, >= group order).
    [[nodiscard]] static Result<SecretKey> from_bytes(std::span<const std::uint8_t> big_endian);

    [[nodiscard]] const SecretBytes& bytes() const noexcept { return bytes_; }

  private:
    explicit SecretKey(SecretBytes bytes) : bytes_(std::move(bytes)) {}
    SecretBytes bytes_;
};

[[nodiscard]] PublicKey public_key(const SecretKey& secret_key);

// Signs `message` (for Ethereum: a 32-byte signing root) with the proof-of-possession ciphersuite's DST.
[[nodiscard]] Signature sign(const SecretKey& secret_key, std::span<const std::uint8_t> message);

// False for a malformed or off-curve key or signature, or a signature that does not verify.
[[nodiscard]] bool verify(const PublicKey& public_key, std::span<const std::uint8_t> message,
                          const Signature& signature);

// True for a compressed G1 point in the prime-order subgroup that is not the identity (KeyValidate).
[[nodiscard]] bool is_valid_public_key(const PublicKey& public_key);

// The sum of the keys (Ethereum's AggregatePKs, e.g. a sync committee's aggregate_pubkey; repeats count
// each time). Errc::invalid_argument when the span is empty or a key is not valid, naming its position.
[[nodiscard]] Result<PublicKey> aggregate_public_keys(std::span<const PublicKey> public_keys);

// EIP-2333: the master key of a seed (at least 32 bytes, as BIP-39 seeds are 64) and a child of a key.
[[nodiscard]] Result<SecretKey> derive_master_key(std::span<const std::uint8_t> seed);
[[nodiscard]] SecretKey derive_child_key(const SecretKey& parent, std::uint32_t index);

// EIP-2334 path such as "m/12381/3600/0/0/0": master key, then one child per index.
[[nodiscard]] Result<SecretKey> derive_path(std::span<const std::uint8_t> seed, std::string_view path);

// EIP-2334 paths of validator `index`: signing key m/12381/3600/i/0/0, withdrawal key m/12381/3600/i/0.
[[nodiscard]] std::string signing_key_path(std::uint32_t index);
[[nodiscard]] std::string withdrawal_key_path(std::uint32_t index);

}  // namespace ephemery::bls
