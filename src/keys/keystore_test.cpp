#include "keys/keystore.hpp"

#include "test_support/fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ephemery::keys {
namespace {

using testing::HasSubstr;

nlohmann::json expected() {
    return nlohmann::json::parse(test::read_fixture("eip2335/expected.json"));
}

std::vector<std::uint8_t> encoded_password() {
    return from_hex(expected().at("encoded_password_hex").get<std::string>()).value();
}

class Eip2335Vectors : public testing::TestWithParam<const char*> {};

TEST_P(Eip2335Vectors, DecryptsToTheExpectedSecret) {
    const auto keystore = parse_keystore(test::read_fixture(std::string("eip2335/") + GetParam()), GetParam());
    ASSERT_TRUE(keystore.ok()) << keystore.error().message;
    EXPECT_EQ(keystore->pubkey, expected().at("pubkey_hex"));
    EXPECT_TRUE(keystore->path.starts_with("m/12381/60/")) << keystore->path;
    const auto secret = decrypt(*keystore, encoded_password());
    ASSERT_TRUE(secret.ok()) << secret.error().message;
    EXPECT_EQ(to_hex(secret->reveal()), expected().at("secret_hex"));
}

TEST_P(Eip2335Vectors, WrongPasswordIsAChecksumMismatchThatLeaksNothing) {
    const auto keystore = parse_keystore(test::read_fixture(std::string("eip2335/") + GetParam()), GetParam());
    ASSERT_TRUE(keystore.ok());
    const std::string wrong = "testpassword";
    const auto secret = decrypt(*keystore, {wrong.begin(), wrong.end()});
    ASSERT_FALSE(secret.ok());
    EXPECT_EQ(secret.error().code, Errc::verification_failed);
    EXPECT_EQ(secret.error().message, "the password does not decrypt this keystore (checksum mismatch)");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Eip2335Vectors, testing::Values("scrypt-keystore.json", "pbkdf2-keystore.json"),
                         [](const testing::TestParamInfo<const char*>& param_info) {
                             return std::string(param_info.param).substr(0, std::string(param_info.param).find('-'));
                         });

TEST(Keystore, DerivedKeyCanBeReusedAcrossKeystoresWithTheSameParams) {
    const auto keystore = parse_keystore(test::read_fixture("eip2335/pbkdf2-keystore.json"), "k.json");
    ASSERT_TRUE(keystore.ok());
    const auto key = derive_key(keystore->kdf, encoded_password());
    ASSERT_TRUE(key.ok());
    const auto secret = decrypt_with_key(*keystore, *key);
    ASSERT_TRUE(secret.ok());
    EXPECT_EQ(to_hex(secret->reveal()), expected().at("secret_hex"));
}

// Each malformed field is refused with its path named.
struct Malformed {
    const char* name;
    const char* pointer;  // JSON pointer to change
    nlohmann::json value;
    const char* message;
};

class MalformedKeystore : public testing::TestWithParam<Malformed> {};

TEST_P(MalformedKeystore, NamesTheField) {
    auto json = nlohmann::json::parse(test::read_fixture("eip2335/scrypt-keystore.json"));
    const auto& row = GetParam();
    if (row.value.is_null()) {
        const nlohmann::json::json_pointer pointer(row.pointer);
        json[pointer.parent_pointer()].erase(pointer.back());
    } else {
        json[nlohmann::json::json_pointer(row.pointer)] = row.value;
    }
    const auto keystore = parse_keystore(json.dump(), "k.json");
    ASSERT_FALSE(keystore.ok());
    EXPECT_EQ(keystore.error().message, std::string("k.json: ") + row.message);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, MalformedKeystore,
    testing::Values(
        Malformed{"version", "/version", 3, "version is 3; EIP-2335 keystores are version 4"},
        Malformed{"kdf", "/crypto/kdf/function", "argon2",
                  "crypto.kdf.function is \"argon2\"; EIP-2335 allows scrypt or pbkdf2"},
        Malformed{"salt", "/crypto/kdf/params/salt", "zz", "crypto.kdf.params.salt is not hex"},
        Malformed{"missing_salt", "/crypto/kdf/params/salt", nullptr, "crypto.kdf.params.salt is missing"},
        Malformed{"dklen", "/crypto/kdf/params/dklen", 16, "crypto.kdf.params.dklen is 16; EIP-2335 uses 32"},
        Malformed{"n_not_power", "/crypto/kdf/params/n", 1000,
                  "crypto.kdf.params.n is 1000; it must be a power of two"},
        Malformed{"r", "/crypto/kdf/params/r", 0, "crypto.kdf.params.r is 0; it must be at least 1"},
        Malformed{"p", "/crypto/kdf/params/p", 0, "crypto.kdf.params.p is 0; it must be at least 1"},
        Malformed{"p_type", "/crypto/kdf/params/p", "1", "crypto.kdf.params.p must be a positive whole number"},
        Malformed{"checksum_function", "/crypto/checksum/function", "sha512",
                  "crypto.checksum.function must be sha256"},
        Malformed{"checksum_size", "/crypto/checksum/message", "abcd", "crypto.checksum.message must be 32 bytes"},
        Malformed{"cipher", "/crypto/cipher/function", "aes-256-gcm", "crypto.cipher.function must be aes-128-ctr"},
        Malformed{"iv", "/crypto/cipher/params/iv", "00", "crypto.cipher.params.iv must be 16 bytes"},
        Malformed{"message", "/crypto/cipher/message", "", "crypto.cipher.message is empty"},
        Malformed{"pubkey", "/pubkey", "abcd", "pubkey is not a 48-byte BLS public key in hex"}),
    [](const testing::TestParamInfo<Malformed>& param_info) { return std::string(param_info.param.name); });

TEST(Keystore, NotJson) {
    const auto keystore = parse_keystore("{", "k.json");
    ASSERT_FALSE(keystore.ok());
    EXPECT_EQ(keystore.error().message, "k.json: not a JSON object");
}

TEST(Keystore, Pbkdf2Limits) {
    auto json = nlohmann::json::parse(test::read_fixture("eip2335/pbkdf2-keystore.json"));
    json["crypto"]["kdf"]["params"]["prf"] = "hmac-sha1";
    EXPECT_EQ(parse_keystore(json.dump(), "k").error().message,
              "k: crypto.kdf.params.prf is \"hmac-sha1\"; EIP-2335 uses hmac-sha256");
    json["crypto"]["kdf"]["params"]["prf"] = "hmac-sha256";
    json["crypto"]["kdf"]["params"]["c"] = 0;
    EXPECT_EQ(parse_keystore(json.dump(), "k").error().message, "k: crypto.kdf.params.c is 0; it must be at least 1");
}

nlohmann::json scrypt_keystore_with(std::uint64_t n, std::uint64_t r, std::uint64_t p) {
    auto json = nlohmann::json::parse(test::read_fixture("eip2335/scrypt-keystore.json"));
    json["crypto"]["kdf"]["params"]["n"] = n;
    json["crypto"]["kdf"]["params"]["r"] = r;
    json["crypto"]["kdf"]["params"]["p"] = p;
    return json;
}

// What EIP-2335 tools write is accepted: scrypt n=2^18 r=8 p=1 is exactly the memory cap.
TEST(KeystoreCaps, ToolDefaultsAreAccepted) {
    EXPECT_TRUE(parse_keystore(scrypt_keystore_with(std::uint64_t{1} << 18U, 8, 1).dump(), "k").ok());
    EXPECT_TRUE(parse_keystore(scrypt_keystore_with(std::uint64_t{1} << 17U, 16, 4).dump(), "k").ok());
    auto pbkdf2 = nlohmann::json::parse(test::read_fixture("eip2335/pbkdf2-keystore.json"));
    pbkdf2["crypto"]["kdf"]["params"]["c"] = 262144;
    EXPECT_TRUE(parse_keystore(pbkdf2.dump(), "k").ok());
    EXPECT_EQ(max_scrypt_memory_bytes, std::uint64_t{128} * 8 * (std::uint64_t{1} << 18U));
}

// The keystore (n=2^20, r=32, p=16: 4 GiB, half a minute) is refused by the parser, before any
// derivation; the message names the file, the parameter, its value, the cap and why.
TEST(KeystoreCaps, MemoryBeyondTheCapIsRefusedNamingEverything) {
    const auto refused = parse_keystore(scrypt_keystore_with(std::uint64_t{1} << 20U, 32, 16).dump(), "v/k.json");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::parse_error);
    EXPECT_EQ(refused.error().message,
              "v/k.json: crypto.kdf.params.n is 1048576 with r=32: one derivation would hold 4096 MiB of memory "
              "(128*r*n); the cap is 256 MiB, what n=262144 with r=8 takes, so that one keystore cannot exhaust the "
              "machine's memory; re-encrypt the key with its tool's default parameters (scrypt n=262144, r=8, p=1 "
              "or pbkdf2 c=262144), as staking-deposit-cli, ethdo and `ephemery keys new` write them");
    // r alone past the cap, and values whose product does not fit 64 bits.
    EXPECT_THAT(parse_keystore(scrypt_keystore_with(2, std::uint64_t{1} << 30U, 1).dump(), "k").error().message,
                HasSubstr("the cap is 256 MiB"));
    EXPECT_THAT(parse_keystore(scrypt_keystore_with(std::uint64_t{1} << 63U, std::uint64_t{1} << 40U, 1).dump(), "k")
                    .error()
                    .message,
                HasSubstr("crypto.kdf.params.n is 9223372036854775808 with r=1099511627776"));
}

TEST(KeystoreCaps, RepeatsBeyondTheCapAreRefused) {
    EXPECT_THAT(parse_keystore(scrypt_keystore_with(std::uint64_t{1} << 18U, 8, 16).dump(), "k.json").error().message,
                HasSubstr("k.json: crypto.kdf.params.p is 16; the cap is 4 (each unit of p repeats the whole "
                          "derivation"));
    auto pbkdf2 = nlohmann::json::parse(test::read_fixture("eip2335/pbkdf2-keystore.json"));
    pbkdf2["crypto"]["kdf"]["params"]["c"] = std::uint64_t{1} << 24U;
    EXPECT_THAT(parse_keystore(pbkdf2.dump(), "k.json").error().message,
                HasSubstr("k.json: crypto.kdf.params.c is 16777216; the cap is 1048576 (4 times what EIP-2335 tools "
                          "write"));
}

TEST(Keystore, EncryptedKeystoreRoundTripsThroughJson) {
    const SecretBytes secret(from_hex(expected().at("secret_hex").get<std::string>()).value());
    const auto kdf = standard_kdf_params(Kdf::pbkdf2, random_bytes(32));
    const auto password = encoded_password();
    const auto key = derive_key(kdf, password);
    ASSERT_TRUE(key.ok());
    KeystoreFields fields;
    fields.pubkey = expected().at("pubkey_hex").get<std::string>();
    fields.path = "m/12381/3600/0/0/0";
    fields.uuid = random_uuid();
    const auto keystore = encrypt_with_key(secret, *key, kdf, random_bytes(16), fields);
    ASSERT_TRUE(keystore.ok()) << keystore.error().message;
    const auto parsed = parse_keystore(to_json(*keystore), "new.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->kdf, kdf);
    EXPECT_EQ(parsed->pubkey, fields.pubkey);
    EXPECT_EQ(parsed->path, fields.path);
    EXPECT_EQ(parsed->uuid, fields.uuid);
    EXPECT_EQ(fields.uuid.size(), 36U);
    EXPECT_EQ(fields.uuid[14], '4');
    const auto decrypted = decrypt(*parsed, password);
    ASSERT_TRUE(decrypted.ok());
    EXPECT_EQ(*decrypted, secret);
    EXPECT_FALSE(decrypt(*parsed, {'x'}).ok());
}

TEST(Keystore, StandardScryptParamsAreWhatTheDepositCliWrites) {
    const auto kdf = standard_kdf_params(Kdf::scrypt, std::vector<std::uint8_t>(32, 1));
    EXPECT_EQ(kdf.n, 262144U);
    EXPECT_EQ(kdf.r, 8U);
    EXPECT_EQ(kdf.p, 1U);
    EXPECT_EQ(kdf.dklen, 32U);
}

}  // namespace
}  // namespace ephemery::keys
