#include "keys/keystore.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <nlohmann/json.hpp>

#include <array>
#include <memory>
#include <stdexcept>

namespace ephemery::keys {
namespace {

constexpr std::uint64_t mebibyte = std::uint64_t{1} << 20U;
constexpr std::string_view standard_parameters_fix =
    "re-encrypt the key with its tool's default parameters (scrypt n=262144, r=8, p=1 or pbkdf2 c=262144), as "
    "staking-deposit-cli, ethdo and `ephemery keys new` write them";

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
        if (*n < 2 || (*n & (*n - 1)) != 0) {
            return reader.error("crypto.kdf.params.n", fmt::format("is {}; it must be a power of two", *n));
        }
        if (*r == 0) return reader.error("crypto.kdf.params.r", "is 0; it must be at least 1");
        if (*p == 0) return reader.error("crypto.kdf.params.p", "is 0; it must be at least 1");
        // 128*r*n bytes is scrypt's working memory, held while it derives. Compared by division: n and r come
        // from the file, and their product need not fit 64 bits.
        if (*n > max_scrypt_memory_bytes / 128 / *r) {
            return reader.error(
                "crypto.kdf.params.n",
                fmt::format("is {} with r={}: one derivation would hold {:.0f} MiB of memory (128*r*n); the cap is {} "
                            "MiB, what n=262144 with r=8 takes, so that one keystore cannot exhaust the machine's "
                            "memory; {}",
                            *n, *r, 128.0 * static_cast<double>(*r) * static_cast<double>(*n) / mebibyte,
                            max_scrypt_memory_bytes / mebibyte, standard_parameters_fix));
        }
        if (*p > max_scrypt_p) {
            return reader.error(
                "crypto.kdf.params.p",
                fmt::format("is {}; the cap is {} (each unit of p repeats the whole derivation, so a larger p would "
                            "let one keystore hold the check for minutes of CPU); {}",
                            *p, max_scrypt_p, standard_parameters_fix));
        }
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
        if (*c == 0) return reader.error("crypto.kdf.params.c", "is 0; it must be at least 1");
        if (*c > max_pbkdf2_iterations) {
            return reader.error("crypto.kdf.params.c",
                                fmt::format("is {}; the cap is {} (4 times what EIP-2335 tools write, so that one "
                                            "keystore cannot hold the check for minutes of CPU); {}",
                                            *c, max_pbkdf2_iterations, standard_parameters_fix));
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
        // Prysm's wallet keystore holds many keys and writes an empty pubkey: the same as none.
        if (!value.empty()) {
            const auto bytes = from_hex(value);
            if (!bytes || bytes->size() != 48) return reader.error("pubkey", "is not a 48-byte BLS public key in hex");
        }
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

namespace {

std::array<std::uint8_t, 32> checksum_of(const std::vector<std::uint8_t>& derived_key,
                                         const std::vector<std::uint8_t>& cipher_message) {
    std::vector<std::uint8_t> checked(derived_key.begin() + 16, derived_key.end());
    checked.insert(checked.end(), cipher_message.begin(), cipher_message.end());
    std::array<std::uint8_t, 32> digest{};
    EVP_Digest(checked.data(), checked.size(), digest.data(), nullptr, EVP_sha256(), nullptr);
    return digest;
}

// aes-128-ctr is its own inverse: the same call encrypts and decrypts.
Result<std::vector<std::uint8_t>> aes_128_ctr(const std::vector<std::uint8_t>& derived_key,
                                              const std::vector<std::uint8_t>& iv,
                                              const std::vector<std::uint8_t>& input) {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    std::vector<std::uint8_t> output(input.size());
    int written = 0;
    int finished = 0;
    if (context == nullptr ||
        EVP_EncryptInit_ex(context.get(), EVP_aes_128_ctr(), nullptr, derived_key.data(), iv.data()) != 1 ||
        EVP_EncryptUpdate(context.get(), output.data(), &written, input.data(), static_cast<int>(input.size())) != 1 ||
        EVP_EncryptFinal_ex(context.get(), output.data() + written, &finished) != 1) {
        return make_error(Errc::io_error, "aes-128-ctr failed");
    }
    return output;
}

}  // namespace

Result<SecretBytes> decrypt_with_key(const Keystore& keystore, const SecretBytes& derived_key) {
    const auto& dk = derived_key.reveal();
    if (dk.size() != 32) return make_error(Errc::invalid_argument, "the derived key must be 32 bytes");
    const auto digest = checksum_of(dk, keystore.cipher_message);
    if (!std::equal(keystore.checksum.begin(), keystore.checksum.end(), digest.begin(), digest.end())) {
        return make_error(Errc::verification_failed, "the password does not decrypt this keystore (checksum mismatch)");
    }
    auto secret = aes_128_ctr(dk, keystore.iv, keystore.cipher_message);
    if (!secret) return secret.error();
    return SecretBytes(std::move(secret).value());
}

KdfParams standard_kdf_params(Kdf function, std::vector<std::uint8_t> salt) {
    KdfParams kdf;
    kdf.function = function;
    kdf.salt = std::move(salt);
    if (function == Kdf::scrypt) {
        kdf.n = std::uint64_t{1} << 18U;
        kdf.r = 8;
        kdf.p = 1;
    } else {
        kdf.c = std::uint64_t{1} << 18U;
    }
    return kdf;
}

Result<Keystore> encrypt_with_key(const SecretBytes& secret, const SecretBytes& derived_key, const KdfParams& kdf,
                                  const std::vector<std::uint8_t>& iv, KeystoreFields fields) {
    if (derived_key.size() != 32) return make_error(Errc::invalid_argument, "the derived key must be 32 bytes");
    if (iv.size() != 16) return make_error(Errc::invalid_argument, "the aes-128-ctr IV must be 16 bytes");
    auto message = aes_128_ctr(derived_key.reveal(), iv, secret.reveal());
    if (!message) return message.error();
    Keystore keystore;
    keystore.kdf = kdf;
    keystore.iv = iv;
    keystore.cipher_message = std::move(message).value();
    const auto checksum = checksum_of(derived_key.reveal(), keystore.cipher_message);
    keystore.checksum.assign(checksum.begin(), checksum.end());
    keystore.pubkey = std::move(fields.pubkey);
    keystore.path = std::move(fields.path);
    keystore.uuid = std::move(fields.uuid);
    keystore.description = std::move(fields.description);
    return keystore;
}

std::string to_json(const Keystore& keystore) {
    nlohmann::ordered_json kdf_params;
    if (keystore.kdf.function == Kdf::scrypt) {
        kdf_params = {{"dklen", keystore.kdf.dklen},
                      {"n", keystore.kdf.n},
                      {"r", keystore.kdf.r},
                      {"p", keystore.kdf.p},
                      {"salt", to_hex(keystore.kdf.salt)}};
    } else {
        kdf_params = {{"dklen", keystore.kdf.dklen},
                      {"c", keystore.kdf.c},
                      {"prf", "hmac-sha256"},
                      {"salt", to_hex(keystore.kdf.salt)}};
    }
    nlohmann::ordered_json json = {{"crypto",
                                    {{"kdf",
                                      {{"function", keystore.kdf.function == Kdf::scrypt ? "scrypt" : "pbkdf2"},
                                       {"params", kdf_params},
                                       {"message", ""}}},
                                     {"checksum",
                                      {{"function", "sha256"},
                                       {"params", nlohmann::ordered_json::object()},
                                       {"message", to_hex(keystore.checksum)}}},
                                     {"cipher",
                                      {{"function", "aes-128-ctr"},
                                       {"params", {{"iv", to_hex(keystore.iv)}}},
                                       {"message", to_hex(keystore.cipher_message)}}}}},
                                   {"description", keystore.description},
                                   {"pubkey", keystore.pubkey},
                                   {"path", keystore.path},
                                   {"uuid", keystore.uuid},
                                   {"version", 4}};
    return json.dump(2) + "\n";
}

std::vector<std::uint8_t> random_bytes(std::size_t count) {
    std::vector<std::uint8_t> bytes(count);
    // RAND_bytes fails only when the OS has no entropy source at all: nothing safe can be made then.
    if (RAND_bytes(bytes.data(), static_cast<int>(count)) != 1) throw std::runtime_error("no secure randomness");
    return bytes;
}

std::string random_uuid() {
    auto bytes = random_bytes(16);
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0fU) | 0x40U);  // version 4
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3fU) | 0x80U);  // RFC 4122 variant
    const std::string hex = to_hex(bytes);
    return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4), hex.substr(16, 4),
                       hex.substr(20));
}

Result<SecretBytes> decrypt(const Keystore& keystore, const std::vector<std::uint8_t>& password) {
    auto key = derive_key(keystore.kdf, password);
    if (!key) return key.error();
    return decrypt_with_key(keystore, *key);
}

}  // namespace ephemery::keys
