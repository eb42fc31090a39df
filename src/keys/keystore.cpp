#include "keys/keystore.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <nlohmann/json.hpp>

#include <array>
#include <memory>

namespace ephemery::keys {
namespace {

constexpr std::uint64_t max_scrypt_n = std::uint64_t{1} << 20U;
constexpr std::uint64_t max_pbkdf2_c = std::uint64_t{1} << 24U;

class FieldReader {
  public:
    FieldReader(const nlohmann::json& root, std::string_view label) : root_(root), label_(label) {}

    Error error(std::string_view path, std::string_view problem) const {
        return make_error(Errc::parse_error, fmt::format("{}: {} {}", label_, path, problem));
    }
    // The node at a dotted path, or nullptr.
    const nlohmann::json* at(std::string_view path) const {
        const nlohmann::json* node = &root_;
        std::size_t start = 0;
        while (start <= path.size()) {
            auto end = path.find('.', start);
            if (end == std::string_view::npos) end = path.size();
            const std::string key(path.substr(start, end - start));
            if (!node->is_object() || !node->contains(key)) return nullptr;
            node = &(*node)[key];
            start = end + 1;
        }
        return node;
    }
    Result<std::string> text(std::string_view path) const {
        const auto* node = at(path);
        if (node == nullptr) return error(path, "is missing");
        if (!node->is_string()) return error(path, "must be a string");
        return node->get<std::string>();
    }
    Result<std::vector<std::uint8_t>> hex(std::string_view path) const {
        auto value = text(path);
        if (!value) return value.error();
        auto bytes = from_hex(*value);
        if (!bytes) return error(path, "is not hex");
        return std::move(bytes).value();
    }
    Result<std::uint64_t> number(std::string_view path) const {
        const auto* node = at(path);
        if (node == nullptr) return error(path, "is missing");
        if (!node->is_number_unsigned()) return error(path, "must be a positive whole number");
        return node->get<std::uint64_t>();
    }

  private:
    const nlohmann::json& root_;
    std::string_view label_;
};

Result<KdfParams> parse_kdf(const FieldReader& reader) {
    KdfParams kdf;
    auto function = reader.text("crypto.kdf.function");
    if (!function) return function.error();
    auto salt = reader.hex("crypto.kdf.params.salt");
    if (!salt) return salt.error();
    kdf.salt = std::move(salt).value();
    auto dklen = reader.number("crypto.kdf.params.dklen");
    if (!dklen) return dklen.error();
    if (*dklen != 32) return reader.error("crypto.kdf.params.dklen", fmt::format("is {}; EIP-2335 uses 32", *dklen));
    kdf.dklen = 32;
    if (*function == "scrypt") {
        kdf.function = Kdf::scrypt;
        auto n = reader.number("crypto.kdf.params.n");
        auto r = reader.number("crypto.kdf.params.r");
        auto p = reader.number("crypto.kdf.params.p");
        if (!n) return n.error();
        if (!r) return r.error();
        if (!p) return p.error();
        if (*n < 2 || (*n & (*n - 1)) != 0 || *n > max_scrypt_n) {
            return reader.error("crypto.kdf.params.n",
                                fmt::format("is {}; it must be a power of two up to {}", *n, max_scrypt_n));
        }
        if (*r == 0 || *r > 32) return reader.error("crypto.kdf.params.r", fmt::format("is {}; allowed 1 to 32", *r));
        if (*p == 0 || *p > 16) return reader.error("crypto.kdf.params.p", fmt::format("is {}; allowed 1 to 16", *p));
        kdf.n = *n;
        kdf.r = static_cast<std::uint32_t>(*r);
        kdf.p = static_cast<std::uint32_t>(*p);
    } else if (*function == "pbkdf2") {
        kdf.function = Kdf::pbkdf2;
        auto prf = reader.text("crypto.kdf.params.prf");
        if (!prf) return prf.error();
        if (*prf != "hmac-sha256")
            return reader.error("crypto.kdf.params.prf", fmt::format("is \"{}\"; EIP-2335 uses hmac-sha256", *prf));
        auto c = reader.number("crypto.kdf.params.c");
        if (!c) return c.error();
        if (*c == 0 || *c > max_pbkdf2_c) {
            return reader.error("crypto.kdf.params.c", fmt::format("is {}; allowed 1 to {}", *c, max_pbkdf2_c));
        }
        kdf.c = *c;
    } else {
        return reader.error("crypto.kdf.function",
                            fmt::format("is \"{}\"; EIP-2335 allows scrypt or pbkdf2", *function));
    }
    return kdf;
}

}  // namespace

Result<Keystore> parse_keystore(std::string_view json, std::string_view label) {
    const auto root = nlohmann::json::parse(json, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        return make_error(Errc::parse_error, fmt::format("{}: not a JSON object", label));
    }
    const FieldReader reader(root, label);
    auto version = reader.number("version");
    if (!version) return version.error();
    if (*version != 4) return reader.error("version", fmt::format("is {}; EIP-2335 keystores are version 4", *version));

    Keystore keystore;
    auto kdf = parse_kdf(reader);
    if (!kdf) return kdf.error();
    keystore.kdf = std::move(kdf).value();
    auto checksum_function = reader.text("crypto.checksum.function");
    if (!checksum_function) return checksum_function.error();
    if (*checksum_function != "sha256") return reader.error("crypto.checksum.function", "must be sha256");
    auto checksum = reader.hex("crypto.checksum.message");
    if (!checksum) return checksum.error();
    if (checksum->size() != 32) return reader.error("crypto.checksum.message", "must be 32 bytes");
    keystore.checksum = std::move(checksum).value();
    auto cipher_function = reader.text("crypto.cipher.function");
    if (!cipher_function) return cipher_function.error();
    if (*cipher_function != "aes-128-ctr") return reader.error("crypto.cipher.function", "must be aes-128-ctr");
    auto iv = reader.hex("crypto.cipher.params.iv");
    if (!iv) return iv.error();
    if (iv->size() != 16) return reader.error("crypto.cipher.params.iv", "must be 16 bytes");
    keystore.iv = std::move(iv).value();
    auto message = reader.hex("crypto.cipher.message");
    if (!message) return message.error();
    if (message->empty()) return reader.error("crypto.cipher.message", "is empty");
    keystore.cipher_message = std::move(message).value();

    if (const auto* pubkey = reader.at("pubkey"); pubkey != nullptr) {
        auto text = reader.text("pubkey");
        if (!text) return text.error();
        std::string value = *text;
        if (value.starts_with("0x")) value.erase(0, 2);
        const auto bytes = from_hex(value);
        if (!bytes || bytes->size() != 48) return reader.error("pubkey", "is not a 48-byte BLS public key in hex");
        keystore.pubkey = to_lower(value);
    }
    for (auto [field, target] : {std::pair{"path", &keystore.path}, std::pair{"uuid", &keystore.uuid},
                                 std::pair{"description", &keystore.description}}) {
        if (reader.at(field) != nullptr) {
            auto text = reader.text(field);
            if (!text) return text.error();
            *target = std::move(text).value();
        }
    }
    return keystore;
}

Result<SecretBytes> derive_key(const KdfParams& kdf, const std::vector<std::uint8_t>& password) {
    std::vector<std::uint8_t> key(kdf.dklen);
    const char* pass =
        reinterpret_cast<const char*>(password.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    int ok = 0;
    if (kdf.function == Kdf::scrypt) {
        // OpenSSL's default 32 MiB cap is below what n = 2^18 needs (256 MiB): allow exactly what it takes.
        const std::uint64_t maxmem =
            std::uint64_t{128} * kdf.r * (kdf.n + 2) + std::uint64_t{128} * kdf.r * kdf.p + (std::uint64_t{1} << 20U);
        ok = EVP_PBE_scrypt(pass, password.size(), kdf.salt.data(), kdf.salt.size(), kdf.n, kdf.r, kdf.p, maxmem,
                            key.data(), key.size());
    } else {
        ok = PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), kdf.salt.data(),
                               static_cast<int>(kdf.salt.size()), static_cast<int>(kdf.c), EVP_sha256(),
                               static_cast<int>(key.size()), key.data());
    }
    if (ok != 1) return make_error(Errc::io_error, "the key derivation failed (out of memory?)");
    return SecretBytes(std::move(key));
}

Result<SecretBytes> decrypt_with_key(const Keystore& keystore, const SecretBytes& derived_key) {
    const auto& dk = derived_key.reveal();
    if (dk.size() != 32) return make_error(Errc::invalid_argument, "the derived key must be 32 bytes");
    std::vector<std::uint8_t> checked(dk.begin() + 16, dk.end());
    checked.insert(checked.end(), keystore.cipher_message.begin(), keystore.cipher_message.end());
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_length = 0;
    EVP_Digest(checked.data(), checked.size(), digest.data(), &digest_length, EVP_sha256(), nullptr);
    if (digest_length != keystore.checksum.size() ||
        !std::equal(keystore.checksum.begin(), keystore.checksum.end(), digest.begin())) {
        return make_error(Errc::verification_failed, "the password does not decrypt this keystore (checksum mismatch)");
    }
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    std::vector<std::uint8_t> secret(keystore.cipher_message.size());
    int written = 0;
    int finished = 0;
    if (EVP_DecryptInit_ex(context.get(), EVP_aes_128_ctr(), nullptr, dk.data(), keystore.iv.data()) != 1 ||
        EVP_DecryptUpdate(context.get(), secret.data(), &written, keystore.cipher_message.data(),
                          static_cast<int>(keystore.cipher_message.size())) != 1 ||
        EVP_DecryptFinal_ex(context.get(), secret.data() + written, &finished) != 1) {
        return make_error(Errc::io_error, "aes-128-ctr decryption failed");
    }
    return SecretBytes(std::move(secret));
}

Result<SecretBytes> decrypt(const Keystore& keystore, const std::vector<std::uint8_t>& password) {
    auto key = derive_key(keystore.kdf, password);
    if (!key) return key.error();
    return decrypt_with_key(keystore, *key);
}

}  // namespace ephemery::keys
