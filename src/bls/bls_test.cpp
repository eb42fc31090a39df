#include "bls/bls.hpp"

#include "core/text.hpp"
#include "test_support/shared_dir.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace ephemery::bls {
namespace {

// The EIP-2333 vectors give keys as decimal integers.
std::vector<std::uint8_t> decimal_to_big_endian(const std::string& decimal) {
    BIGNUM* raw = nullptr;
    EXPECT_GT(BN_dec2bn(&raw, decimal.c_str()), 0) << decimal;
    const std::unique_ptr<BIGNUM, decltype(&BN_free)> number(raw, BN_free);
    std::vector<std::uint8_t> bytes(secret_key_size);
    EXPECT_EQ(BN_bn2binpad(number.get(), bytes.data(), static_cast<int>(bytes.size())), 32);
    return bytes;
}

std::string hex_of(const SecretKey& key) {
    return to_hex(key.bytes().reveal());
}

TEST(Eip2333, AllFourVectorsDeriveTheirMasterAndChildKeys) {
    const auto vectors = nlohmann::json::parse(test::read_shared("fixtures/eip2335/eip2333-vectors.json"));
    ASSERT_EQ(vectors.size(), 4U);
    for (const auto& vector : vectors) {
        const auto seed = from_hex(vector.at("seed").get<std::string>()).value();
        const auto master = derive_master_key(seed);
        ASSERT_TRUE(master.ok()) << master.error().message;
        EXPECT_EQ(hex_of(*master), to_hex(decimal_to_big_endian(vector.at("master_SK").get<std::string>())));
        const auto child = derive_child_key(*master, vector.at("child_index").get<std::uint32_t>());
        EXPECT_EQ(hex_of(child), to_hex(decimal_to_big_endian(vector.at("child_SK").get<std::string>())));
    }
}

TEST(Eip2333, PathWalksMasterThenEachIndex) {
    const auto seed = from_hex(std::string(64, 'a')).value();
    const auto by_path = derive_path(seed, "m/12381/3600/7/0/0");
    ASSERT_TRUE(by_path.ok());
    auto by_hand = derive_master_key(seed).value();
    for (const std::uint32_t index : {12381U, 3600U, 7U, 0U, 0U}) by_hand = derive_child_key(by_hand, index);
    EXPECT_EQ(hex_of(*by_path), hex_of(by_hand));
    EXPECT_EQ(signing_key_path(7), "m/12381/3600/7/0/0");
    EXPECT_EQ(withdrawal_key_path(7), "m/12381/3600/7/0");
}

TEST(Eip2333, MalformedPathsAndShortSeedsAreRefused) {
    const auto seed = from_hex(std::string(64, 'a')).value();
    for (const char* path : {"12381/3600", "m/", "m//1", "m/x", "m/4294967296", "m/1a", "m1"}) {
        const auto key = derive_path(seed, path);
        ASSERT_FALSE(key.ok()) << path;
        EXPECT_NE(key.error().message.find(path), std::string::npos) << key.error().message;
    }
    EXPECT_FALSE(derive_master_key(std::vector<std::uint8_t>(31, 1)).ok());
}

TEST(Bls, PublicKeyOfTheEip2335SecretIsTheKeystorePubkey) {
    const auto expected = nlohmann::json::parse(test::read_shared("fixtures/eip2335/expected.json"));
    const auto key = SecretKey::from_bytes(from_hex(expected.at("secret_hex").get<std::string>()).value());
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(to_hex(public_key(*key)), expected.at("pubkey_hex").get<std::string>());
}

TEST(Bls, SignaturesVerifyOnlyForTheirKeyAndMessage) {
    const auto key = derive_master_key(std::vector<std::uint8_t>(32, 7)).value();
    const auto other = derive_master_key(std::vector<std::uint8_t>(32, 8)).value();
    const std::vector<std::uint8_t> message(32, 0x42);
    const auto signature = sign(key, message);
    EXPECT_TRUE(verify(public_key(key), message, signature));
    EXPECT_FALSE(verify(public_key(other), message, signature));
    EXPECT_FALSE(verify(public_key(key), std::vector<std::uint8_t>(32, 0x43), signature));
    Signature corrupted = signature;
    corrupted[10] ^= 1U;
    EXPECT_FALSE(verify(public_key(key), message, corrupted));
    PublicKey identity{};
    identity[0] = 0xc0;  // compressed point at infinity
    EXPECT_FALSE(verify(identity, message, signature));
}

TEST(Bls, InvalidSecretKeysAreRefused) {
    EXPECT_FALSE(SecretKey::from_bytes(std::vector<std::uint8_t>(31, 1)).ok());
    EXPECT_FALSE(SecretKey::from_bytes(std::vector<std::uint8_t>(32, 0)).ok());
    EXPECT_FALSE(SecretKey::from_bytes(std::vector<std::uint8_t>(32, 0xff)).ok());  // above the group order
    EXPECT_TRUE(SecretKey::from_bytes(std::vector<std::uint8_t>(32, 1)).ok());
}

}  // namespace
}  // namespace ephemery::bls
