#include "bls/bls.hpp"

#include "core/text.hpp"
#include "test_support/fixtures.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <string_view>

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
    const auto vectors = nlohmann::json::parse(test::read_fixture("eip2335/eip2333-vectors.json"));
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
    const auto expected = nlohmann::json::parse(test::read_fixture("eip2335/expected.json"));
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

// Keys m/12381/3600/{0,1,2}/0/0 of the "test test ... junk" mnemonic; the aggregates are what
// @chainsafe/bls (Lodestar 1.5.1's aggregatePublicKeys) gives for the same lists.
PublicKey public_key_from_hex(std::string_view hex) {
    PublicKey key{};
    const auto bytes = from_hex(hex).value();
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}
const PublicKey key_0 = public_key_from_hex(
    "a39882700ed7f72fcdbac07081b7c0c912cb8647ed8494926e6c9c2fc1a7415c7c60e3afcc3d3278fe25b50b851c3ad5");
const PublicKey key_1 = public_key_from_hex(
    "8efdefbccd6479b9953a5ec6416e6d48201865968567379b213040dbf0be7efa00d66343c21a7e801d6bfd7403cfcfa7");
const PublicKey key_2 = public_key_from_hex(
    "b7f682183f898daaf1b98f9e946c1ad58818fcf19d1922e867b8d54549d5551d39de3bba0b7d919e82b97f8dedbad03e");

TEST(BlsAggregate, MatchesLodestarForDistinctAndRepeatedKeys) {
    const std::array<PublicKey, 2> pair = {key_0, key_1};
    const auto aggregate = aggregate_public_keys(pair);
    ASSERT_TRUE(aggregate.ok()) << aggregate.error().message;
    EXPECT_EQ(to_hex(*aggregate),
              "87318e8c64af6f5474932890752c57bb85beadcc8e9fc7f8ce22e7b928ecf26518fcfbd099b6d2e84189189d7e78468c");
    const std::array<PublicKey, 3> with_repeat = {key_0, key_0, key_2};
    EXPECT_EQ(to_hex(aggregate_public_keys(with_repeat).value()),
              "b074faa8c47b40a2420639de16b3d563cafb02ce402ab05eff621728039990b15e7bb7561b59bfbda60551cbf8eae7d1");
}

TEST(BlsAggregate, OneKeyIsItself) {
    EXPECT_EQ(aggregate_public_keys(std::span(&key_2, 1)).value(), key_2);
}

TEST(BlsAggregate, EmptyAndInvalidKeysAreRefused) {
    EXPECT_FALSE(aggregate_public_keys({}).ok());
    PublicKey identity{};
    identity[0] = 0xc0;  // compressed point at infinity
    PublicKey not_on_curve = key_1;
    not_on_curve[47] ^= 1U;
    EXPECT_FALSE(is_valid_public_key(identity));
    EXPECT_FALSE(is_valid_public_key(not_on_curve));
    EXPECT_FALSE(is_valid_public_key(PublicKey{}));
    EXPECT_TRUE(is_valid_public_key(key_0));
    const std::array<PublicKey, 2> bad = {key_0, not_on_curve};
    const auto refused = aggregate_public_keys(bad);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
    EXPECT_NE(refused.error().message.find("key 1 of 2"), std::string::npos) << refused.error().message;
    const std::array<PublicKey, 2> with_identity = {key_0, identity};
    EXPECT_FALSE(aggregate_public_keys(with_identity).ok());
}

}  // namespace
}  // namespace ephemery::bls
