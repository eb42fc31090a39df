#include "keymanager/response.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

namespace ephemery::keymanager {
namespace {

using testing::HasSubstr;
using testing::Not;

const std::string pubkey_a = "0x" + std::string(96, 'a');

const std::array<SecretString, 2> secrets{SecretString("correct horse"), SecretString("api-token-0x1234")};

TEST(ImportResponse, OneStatusPerKeystoreInOrder) {
    const auto statuses = parse_import_response(
        R"({"data": [{"status": "imported"}, {"status": "duplicate", "message": ""},
                     {"status": "error", "message": "Invalid password"}]})",
        3, secrets);
    ASSERT_TRUE(statuses) << statuses.error().message;
    ASSERT_EQ(statuses->size(), 3U);
    EXPECT_EQ((*statuses)[0].state, ImportState::imported);
    EXPECT_EQ((*statuses)[1].state, ImportState::duplicate);
    EXPECT_EQ((*statuses)[2].state, ImportState::error);
    EXPECT_EQ((*statuses)[2].message, "Invalid password");
    EXPECT_EQ(state_name((*statuses)[1].state), "duplicate");
}

TEST(ImportResponse, AnotherNumberOfStatusesThanKeystoresSentIsRefused) {
    const auto statuses = parse_import_response(R"({"data": [{"status": "imported"}]})", 2, secrets);
    ASSERT_FALSE(statuses);
    EXPECT_EQ(statuses.error().code, Errc::parse_error);
    EXPECT_THAT(statuses.error().message, HasSubstr("\"data\" has 1 statuses for the 2 keystores sent"));
}

TEST(ImportResponse, EveryMalformedShapeIsNamedByItsPath) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"not json", "the body is not JSON"},
        {"[]", "not a JSON object"},
        {"{}", "it has no \"data\""},
        {R"({"data": {}})", "\"data\" is not an array"},
        {R"({"data": [3]})", "data[0] is not an object"},
        {R"({"data": [{}]})", "data[0].status is missing or not a string"},
        {R"({"data": [{"status": "done"}]})", "data[0].status is \"done\", not imported, duplicate or error"},
        {R"({"data": [{"status": "error", "message": 7}]})", "data[0].message is not a string"},
    };
    for (const auto& [body, expected] : cases) {
        const auto statuses = parse_import_response(body, 1, secrets);
        ASSERT_FALSE(statuses) << body;
        EXPECT_EQ(statuses.error().code, Errc::parse_error) << body;
        EXPECT_THAT(statuses.error().message, HasSubstr(expected)) << body;
    }
}

TEST(ImportResponse, AMessageThatRepeatsAPasswordOrTheTokenIsRedacted) {
    const auto statuses = parse_import_response(
        R"({"data": [{"status": "error", "message": "password correct horse did not decrypt; token api-token-0x1234"}]})",
        1, secrets);
    ASSERT_TRUE(statuses) << statuses.error().message;
    const std::string& message = (*statuses)[0].message;
    EXPECT_THAT(message, Not(HasSubstr("correct horse")));
    EXPECT_THAT(message, Not(HasSubstr("api-token-0x1234")));
    EXPECT_EQ(message, "password <redacted> did not decrypt; token <redacted>");
}

TEST(ImportResponse, AMessageCannotMoveTheTerminal) {
    const auto statuses =
        parse_import_response(R"({"data": [{"status": "error", "message": "bad\u001b[2J\nkey\u009b"}]})", 1, secrets);
    ASSERT_TRUE(statuses) << statuses.error().message;
    EXPECT_EQ((*statuses)[0].message, "bad?[2J?key?");
}

TEST(ListResponse, KeysWithTheirOptionalFields) {
    const auto keys = parse_list_response(R"({"data": [
        {"validating_pubkey": ")" + std::string("0x") +
                                              std::string(96, 'A') +
                                              R"(", "derivation_path": "m/12381/3600/0/0/0", "readonly": true},
        {"validating_pubkey": ")" + pubkey_a + R"("}]})",
                                          secrets);
    ASSERT_TRUE(keys) << keys.error().message;
    ASSERT_EQ(keys->size(), 2U);
    EXPECT_EQ((*keys)[0].validating_pubkey, pubkey_a) << "normalised to lower case";
    EXPECT_EQ((*keys)[0].derivation_path, "m/12381/3600/0/0/0");
    EXPECT_TRUE((*keys)[0].readonly);
    EXPECT_EQ((*keys)[1].derivation_path, "");
    EXPECT_FALSE((*keys)[1].readonly);
}

TEST(ListResponse, AnEmptyListIsNoKeys) {
    const auto keys = parse_list_response(R"({"data": []})", secrets);
    ASSERT_TRUE(keys) << keys.error().message;
    EXPECT_TRUE(keys->empty());
}

TEST(ListResponse, BadEntriesAreNamedByTheirPath) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"data": [{}]})", "data[0].validating_pubkey is missing or not a string"},
        {R"({"data": [{"validating_pubkey": "0x12"}]})", "data[0].validating_pubkey \"0x12\" is not 0x and 96 hex"},
        {R"({"data": [{"validating_pubkey": ")" + pubkey_a + R"(", "readonly": "no"}]})",
         "data[0].readonly is not true or false"},
        {R"({"data": [{"validating_pubkey": ")" + pubkey_a + R"(", "derivation_path": 1}]})",
         "data[0].derivation_path is not a string"},
    };
    for (const auto& [body, expected] : cases) {
        const auto keys = parse_list_response(body, secrets);
        ASSERT_FALSE(keys) << body;
        EXPECT_THAT(keys.error().message, HasSubstr(expected)) << body;
    }
}

TEST(ErrorMessage, TheSpecifiedAndTheFastifyShapes) {
    EXPECT_EQ(error_message(R"({"message": "Invalid request"})", secrets), "Invalid request");
    EXPECT_EQ(error_message(R"({"statusCode": 401, "error": "Unauthorized", "message": "invalid token"})", secrets),
              "invalid token");
    EXPECT_EQ(error_message(R"({"statusCode": 500, "error": "Internal Server Error"})", secrets),
              "Internal Server Error");
    EXPECT_EQ(error_message(R"({"message": "token api-token-0x1234 is stale"})", secrets), "token <redacted> is stale");
    EXPECT_FALSE(error_message("<html>not found</html>", secrets).has_value());
    EXPECT_FALSE(error_message(R"({"message": 3})", secrets).has_value());
}

TEST(Quote, InvalidUtf8BecomesQuestionMarksAndValidUtf8Stays) {
    EXPECT_EQ(quote("gr\xc3\xbc\xc3\x9f", {}, 100), "gr\xc3\xbc\xc3\x9f");
    EXPECT_EQ(quote("a\xff\xc3z", {}, 100), "a??z");
    EXPECT_EQ(quote("\xed\xa0\x80", {}, 100), "???") << "an encoded surrogate is not UTF-8";
    EXPECT_EQ(quote("\xe0\x80\x80", {}, 100), "???") << "an overlong form is not UTF-8";
}

TEST(Quote, LongTextIsCutAtACharacterBoundary) {
    EXPECT_EQ(quote("abcdef", {}, 4), "abcd...");
    EXPECT_EQ(quote("abc\xc3\xbc", {}, 4), "abc...") << "never half a character";
    EXPECT_EQ(quote("abcd", {}, 4), "abcd");
}

TEST(Quote, ASecretLongerThanWhatIsShownIsRedactedBeforeTheCut) {
    const std::array<SecretString, 1> long_secret{SecretString(std::string(50, 'x'))};
    EXPECT_EQ(quote("key " + std::string(50, 'x'), long_secret, 20), "key <redacted>");
}

}  // namespace
}  // namespace ephemery::keymanager
