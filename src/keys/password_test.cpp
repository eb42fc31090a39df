#include "keys/password.hpp"

#include "core/text.hpp"
#include "keys/keystore.hpp"
#include "test_support/fixtures.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ephemery::keys {
namespace {

std::string encoded(std::string_view password) {
    return to_hex(encode_password(password).value());
}

std::string utf8_hex(std::string_view text) {
    return to_hex(std::vector<std::uint8_t>(text.begin(), text.end()));
}

TEST(Password, Eip2335VectorEncoding) {
    const auto expected = nlohmann::json::parse(test::read_fixture("eip2335/expected.json"));
    EXPECT_EQ(encoded(test::read_fixture("eip2335/password.txt")), expected.at("encoded_password_hex"));
}

TEST(Password, VectorKeystoresDecryptFromThePlainPassword) {
    const auto expected = nlohmann::json::parse(test::read_fixture("eip2335/expected.json"));
    const auto password = encode_password(test::read_fixture("eip2335/password.txt")).value();
    for (const char* name : {"scrypt-keystore.json", "pbkdf2-keystore.json"}) {
        const auto keystore = parse_keystore(test::read_fixture(std::string("eip2335/") + name), name);
        ASSERT_TRUE(keystore.ok()) << keystore.error().message;
        const auto secret = decrypt(*keystore, password);
        ASSERT_TRUE(secret.ok()) << name << ": " << secret.error().message;
        EXPECT_EQ(to_hex(secret->reveal()), expected.at("secret_hex")) << name;
    }
}

TEST(Password, ControlCodesAreRemoved) {
    EXPECT_EQ(encoded("pass\x7fword\x01\t\n"), utf8_hex("password"));
    EXPECT_EQ(encoded("a\xc2\x85"
                      "b"),
              utf8_hex("ab"));  // U+0085 (C1 NEL)
    EXPECT_EQ(encoded("a\xc2\xa0"
                      "b"),
              utf8_hex("a b"));  // U+00A0 NBSP is not a control code: NFKD makes it a space
}

TEST(Password, CompatibilityAndCanonicalDecomposition) {
    EXPECT_EQ(encoded("\xc3\xa9"), utf8_hex("e\xcc\x81"));      // é -> e + U+0301
    EXPECT_EQ(encoded("\xef\xac\x81"), utf8_hex("fi"));         // U+FB01 ligature
    EXPECT_EQ(encoded("\xe2\x84\xab"), utf8_hex("A\xcc\x8a"));  // U+212B ANGSTROM SIGN -> A + ring
    EXPECT_EQ(encoded("\xed\x95\x9c"), utf8_hex("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab"));  // 한 -> jamo
    EXPECT_EQ(encoded("\xe1\xba\x9b\xcc\xa3"), utf8_hex("s\xcc\xa3\xcc\x87"));  // U+1E9B U+0323 (UAX #15 example)
}

TEST(Password, CombiningMarksAreCanonicallyOrdered) {
    // U+0301 (class 230) before U+0328 (class 202) is reordered; the other order is kept.
    EXPECT_EQ(encoded("a\xcc\x81\xcc\xa8"), utf8_hex("a\xcc\xa8\xcc\x81"));
    EXPECT_EQ(encoded("a\xcc\xa8\xcc\x81"), utf8_hex("a\xcc\xa8\xcc\x81"));
}

TEST(Password, AsciiIsUnchangedAndInvalidUtf8IsRefused) {
    EXPECT_EQ(encoded("correct horse battery staple"), utf8_hex("correct horse battery staple"));
    for (const std::string_view bad : {"\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"}) {
        const auto result = encode_password(bad);
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().message.rfind("the password is not valid UTF-8", 0), 0U);
    }
}

TEST(Password, EthdoLegacyEncodingDropsCombiningMarks) {
    const auto legacy = [](std::string_view text) { return to_hex(encode_password_ethdo_legacy(text).value()); };
    EXPECT_EQ(legacy("ma\xc3\xb1"
                     "ana"),
              utf8_hex("manana"));  // n-tilde loses its tilde
    EXPECT_EQ(legacy("\xc3\xbc\x01"
                     "x"),
              utf8_hex("ux"));                     // u-umlaut, and controls still go
    EXPECT_EQ(legacy("plain"), encoded("plain"));  // ASCII: the same as EIP-2335, no retry needed
}

}  // namespace
}  // namespace ephemery::keys
