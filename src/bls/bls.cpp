#include "bls/bls.hpp"

#include <blst.h>
#include <blst_aux.h>
#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace ephemery::bls {

namespace {

// Ethereum's ciphersuite: BLS signatures with public keys in G1 and proofs of possession.
constexpr std::string_view signature_dst = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

// blst keeps scalars little-endian; keys travel big-endian. The scalar is wiped on every path out.
class Scalar {
  public:
    explicit Scalar(const SecretKey& key) { blst_scalar_from_bendian(&value_, key.bytes().reveal().data()); }
    Scalar() = default;
    Scalar(const Scalar&) = delete;
    Scalar& operator=(const Scalar&) = delete;
    ~Scalar() {
        volatile auto* bytes = reinterpret_cast<volatile std::uint8_t*>(&value_);
        for (std::size_t i = 0; i < sizeof(value_); ++i) bytes[i] = 0;
    }
    [[nodiscard]] const blst_scalar* get() const noexcept { return &value_; }
    [[nodiscard]] blst_scalar* get() noexcept { return &value_; }

    [[nodiscard]] SecretKey to_key() const {
        std::vector<std::uint8_t> big_endian(secret_key_size);
        blst_bendian_from_scalar(big_endian.data(), &value_);
        // Derivation always yields a valid key (EIP-2333 retries zero), so from_bytes cannot fail here.
        return SecretKey::from_bytes(SecretBytes(std::move(big_endian)).reveal()).value();
    }

  private:
    blst_scalar value_{};
};

}  // namespace

Result<SecretKey> SecretKey::from_bytes(std::span<const std::uint8_t> big_endian) {
    if (big_endian.size() != secret_key_size) {
        return Error{Errc::invalid_argument,
                     fmt::format("a BLS secret key is {} bytes, not {}", secret_key_size, big_endian.size())};
    }
    blst_scalar scalar{};
    blst_scalar_from_bendian(&scalar, big_endian.data());
    const bool valid = blst_sk_check(&scalar);
    volatile auto* scalar_bytes = reinterpret_cast<volatile std::uint8_t*>(&scalar);
    for (std::size_t i = 0; i < sizeof(scalar); ++i) scalar_bytes[i] = 0;
    if (!valid) {
        return Error{Errc::invalid_argument, "the BLS secret key is zero or not below the curve order"};
    }
    return SecretKey(SecretBytes({big_endian.begin(), big_endian.end()}));
}

PublicKey public_key(const SecretKey& secret_key) {
    const Scalar scalar(secret_key);
    blst_p1 point;
    blst_sk_to_pk_in_g1(&point, scalar.get());
    PublicKey compressed{};
    blst_p1_compress(compressed.data(), &point);
    return compressed;
}

Signature sign(const SecretKey& secret_key, std::span<const std::uint8_t> message) {
    const Scalar scalar(secret_key);
    blst_p2 hash;
    blst_hash_to_g2(&hash, message.data(), message.size(), reinterpret_cast<const std::uint8_t*>(signature_dst.data()),
                    signature_dst.size(), nullptr, 0);
    blst_p2 signature_point;
    blst_sign_pk_in_g1(&signature_point, &hash, scalar.get());
    Signature compressed{};
    blst_p2_compress(compressed.data(), &signature_point);
    return compressed;
}

bool verify(const PublicKey& public_key, std::span<const std::uint8_t> message, const Signature& signature) {
    blst_p1_affine key_point;
    blst_p2_affine signature_point;
    if (blst_p1_uncompress(&key_point, public_key.data()) != BLST_SUCCESS) return false;
    if (blst_p2_uncompress(&signature_point, signature.data()) != BLST_SUCCESS) return false;
    // The identity key would verify anything; key and signature must be in their prime-order subgroups.
    if (blst_p1_affine_is_inf(&key_point) || !blst_p1_affine_in_g1(&key_point)) return false;
    if (!blst_p2_affine_in_g2(&signature_point)) return false;
    return blst_core_verify_pk_in_g1(&key_point, &signature_point, true, message.data(), message.size(),
                                     reinterpret_cast<const std::uint8_t*>(signature_dst.data()), signature_dst.size(),
                                     nullptr, 0) == BLST_SUCCESS;
}

namespace {

// The key's point, or nothing when it is malformed, off-curve, outside G1 or the identity.
bool uncompress_valid_key(const PublicKey& public_key, blst_p1_affine& point) {
    if (blst_p1_uncompress(&point, public_key.data()) != BLST_SUCCESS) return false;
    return !blst_p1_affine_is_inf(&point) && blst_p1_affine_in_g1(&point);
}

}  // namespace

bool is_valid_public_key(const PublicKey& public_key) {
    blst_p1_affine point;
    return uncompress_valid_key(public_key, point);
}

Result<PublicKey> aggregate_public_keys(std::span<const PublicKey> public_keys) {
    if (public_keys.empty()) return Error{Errc::invalid_argument, "cannot aggregate an empty list of BLS public keys"};
    blst_p1 sum{};  // the identity: blst adds to it like any point
    for (std::size_t i = 0; i < public_keys.size(); ++i) {
        blst_p1_affine point;
        if (!uncompress_valid_key(public_keys[i], point)) {
            return Error{Errc::invalid_argument,
                         fmt::format("BLS public key {} of {} (0x{:02x}) is not a valid G1 point", i,
                                     public_keys.size(), fmt::join(public_keys[i], ""))};
        }
        blst_p1_add_or_double_affine(&sum, &sum, &point);
    }
    PublicKey compressed{};
    blst_p1_compress(compressed.data(), &sum);
    return compressed;
}

Result<SecretKey> derive_master_key(std::span<const std::uint8_t> seed) {
    if (seed.size() < 32) {
        return Error{Errc::invalid_argument,
                     fmt::format("an EIP-2333 seed needs at least 32 bytes, this one has {}", seed.size())};
    }
    Scalar master;
    blst_derive_master_eip2333(master.get(), seed.data(), seed.size());
    return master.to_key();
}

SecretKey derive_child_key(const SecretKey& parent, std::uint32_t index) {
    const Scalar parent_scalar(parent);
    Scalar child;
    blst_derive_child_eip2333(child.get(), parent_scalar.get(), index);
    return child.to_key();
}

Result<SecretKey> derive_path(std::span<const std::uint8_t> seed, std::string_view path) {
    if (!path.starts_with("m")) {
        return Error{Errc::invalid_argument, fmt::format(R"(key path "{}" must start with "m" (EIP-2334))", path)};
    }
    auto key = derive_master_key(seed);
    if (!key.ok()) return key;
    std::string_view rest = path.substr(1);
    while (!rest.empty()) {
        if (rest.front() != '/') {
            return Error{Errc::invalid_argument, fmt::format("key path \"{}\": expected '/' before each index", path)};
        }
        rest.remove_prefix(1);
        const auto end = rest.find('/');
        const std::string_view component = rest.substr(0, end);
        std::uint32_t index = 0;
        const auto [stop, error] = std::from_chars(component.data(), component.data() + component.size(), index);
        if (component.empty() || error != std::errc{} || stop != component.data() + component.size()) {
            return Error{Errc::invalid_argument,
                         fmt::format(R"(key path "{}": "{}" is not an index from 0 to 4294967295)", path, component)};
        }
        key = derive_child_key(*key, index);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    return key;
}

std::string signing_key_path(std::uint32_t index) {
    return fmt::format("m/12381/3600/{}/0/0", index);
}
std::string withdrawal_key_path(std::uint32_t index) {
    return fmt::format("m/12381/3600/{}/0", index);
}

}  // namespace ephemery::bls
