#include "keys/mnemonic.hpp"

#include "core/text.hpp"
#include "keys/keystore.hpp"
#include "test_support/fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

namespace ephemery::keys {
namespace {

using testing::HasSubstr;
using testing::Not;

std::string repeat(const std::string& word, int times, const std::string& last) {
    std::string text;
    for (int i = 0; i < times; ++i) text += word + " ";
    return text + last;
}

TEST(Bip39Wordlist, HasTheTwoThousandAndFortyEightEnglishWordsInOrder) {
    const auto words = bip39_english_words();
    EXPECT_EQ(words.front(), "abandon");
    EXPECT_EQ(words[1], "ability");
    EXPECT_EQ(words.back(), "zoo");
    EXPECT_EQ(std::set<std::string_view>(words.begin(), words.end()).size(), bip39_word_count);
}

// The BIP-39 reference vectors (entropy -> mnemonic).
struct EntropyVector {
    std::string entropy_hex;
    std::string mnemonic;
};

TEST(Mnemonic, FromEntropyMatchesTheBip39Vectors) {
    const std::vector<EntropyVector> vectors{
        {std::string(32, '0'), repeat("abandon", 11, "about")},
        {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
         "legal winner thank year wave sausage worth useful legal winner thank yellow"},
        {std::string(32, 'f'), repeat("zoo", 11, "wrong")},
        {std::string(64, '0'), repeat("abandon", 23, "art")},
    };
    for (const auto& vector : vectors) {
        const auto mnemonic = mnemonic_from_entropy(from_hex(vector.entropy_hex).value());
        ASSERT_TRUE(mnemonic.ok()) << mnemonic.error().message;
        EXPECT_EQ(mnemonic->reveal(), vector.mnemonic);
        const auto validated = validate_mnemonic(vector.mnemonic);
        ASSERT_TRUE(validated.ok()) << validated.error().message;
        EXPECT_EQ(validated->reveal(), vector.mnemonic);
    }
}

TEST(Mnemonic, EveryEntropySizeRoundTrips) {
    for (const std::size_t size : {16U, 20U, 24U, 28U, 32U}) {
        const auto mnemonic = mnemonic_from_entropy(random_bytes(size));
        ASSERT_TRUE(mnemonic.ok());
        EXPECT_EQ(split_list(mnemonic->reveal(), ' ').size(), size * 3 / 4);
        const auto validated = validate_mnemonic(mnemonic->reveal());
        ASSERT_TRUE(validated.ok()) << "entropy of " << size << " bytes: " << validated.error().message;
    }
}

TEST(Mnemonic, RefusesEntropyOfOtherSizes) {
    for (const std::size_t size : {0U, 12U, 15U, 17U, 36U}) {
        const auto mnemonic = mnemonic_from_entropy(std::vector<std::uint8_t>(size));
        ASSERT_FALSE(mnemonic.ok()) << size;
        EXPECT_EQ(mnemonic.error().code, Errc::invalid_argument);
    }
}

TEST(Mnemonic, SeedMatchesTheEip2333VectorWithPassphrase) {
    const auto vectors = nlohmann::json::parse(test::read_fixture("eip2335/eip2333-vectors.json"));
    const auto& vector = vectors.at(0);
    const SecretString mnemonic(vector.at("mnemonic").get<std::string>());
    const SecretString passphrase(vector.at("passphrase").get<std::string>());
    ASSERT_TRUE(validate_mnemonic(mnemonic.reveal()).ok());
    const auto seed = seed_from_mnemonic(mnemonic, passphrase);
    ASSERT_TRUE(seed.ok()) << seed.error().message;
    EXPECT_EQ(to_hex(seed->reveal()), vector.at("seed").get<std::string>());
}

TEST(Mnemonic, SeedWithoutPassphraseDiffers) {
    const SecretString mnemonic(repeat("abandon", 11, "about"));
    const auto with = seed_from_mnemonic(mnemonic, SecretString("TREZOR"));
    const auto without = seed_from_mnemonic(mnemonic, SecretString());
    ASSERT_TRUE(with.ok());
    ASSERT_TRUE(without.ok());
    EXPECT_EQ(without->size(), 64U);
    EXPECT_NE(with->reveal(), without->reveal());
}

TEST(Mnemonic, ValidationNormalisesCaseAndWhiteSpace) {
    const auto validated = validate_mnemonic(
        "  Abandon abandon\tabandon abandon abandon abandon\n"
        "abandon abandon  abandon abandon abandon ABOUT\n");
    ASSERT_TRUE(validated.ok()) << validated.error().message;
    EXPECT_EQ(validated->reveal(), repeat("abandon", 11, "about"));
}

TEST(Mnemonic, BadChecksumIsRefused) {
    const auto validated = validate_mnemonic(repeat("abandon", 11, "abandon"));
    ASSERT_FALSE(validated.ok());
    EXPECT_EQ(validated.error().code, Errc::invalid_argument);
    EXPECT_THAT(validated.error().message, HasSubstr("checksum does not match"));
}

TEST(Mnemonic, UnknownWordNamesItsPositionAndSuggestsWithoutRepeatingIt) {
    const auto validated = validate_mnemonic(
        "abandon abandon abandon abandon abandon abandon abandon abandon "
        "abandon abandon abandn about");
    ASSERT_FALSE(validated.ok());
    EXPECT_THAT(validated.error().message, HasSubstr("word 11 is not in the BIP-39 English wordlist"));
    EXPECT_THAT(validated.error().message, HasSubstr("did you mean \"abandon\"?"));
    EXPECT_THAT(validated.error().message, Not(HasSubstr("abandn")));
}

TEST(Mnemonic, EveryProblemIsReportedAtOnce) {
    const auto validated = validate_mnemonic("abandon xylophonez abandon about zebrra");
    ASSERT_FALSE(validated.ok());
    const auto& message = validated.error().message;
    EXPECT_THAT(message, HasSubstr("word 2 is not in"));
    EXPECT_THAT(message, HasSubstr("word 5 is not in the BIP-39 English wordlist (did you mean \"zebra\"?)"));
    EXPECT_THAT(message, HasSubstr("it has 5 words; a BIP-39 mnemonic has 12, 15, 18, 21 or 24"));
}

TEST(Mnemonic, WrongWordCountAndEmptyText) {
    auto validated = validate_mnemonic(repeat("abandon", 10, "about"));
    ASSERT_FALSE(validated.ok());
    EXPECT_THAT(validated.error().message, HasSubstr("it has 11 words"));
    validated = validate_mnemonic(" \n");
    ASSERT_FALSE(validated.ok());
    EXPECT_EQ(validated.error().message, "the mnemonic is empty");
}

}  // namespace
}  // namespace ephemery::keys
