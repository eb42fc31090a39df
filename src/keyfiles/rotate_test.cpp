#include "keyfiles/rotate.hpp"

#include "keyfiles/test_keys.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace ephemery::keyfiles {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

keys::CheckSummary check_dir(const fs::path& root) {
    const auto discovery = discover({root, std::nullopt, std::nullopt, std::nullopt});
    EXPECT_TRUE(discovery.ok());
    return keys::check_keystores(discovery->candidates, {});
}

TEST(Rotate, ReencryptsEveryKeystoreAndReplacesThePasswordFiles) {
    const test::TempDir dir;
    const auto first = test::make_key(1, "old-one");
    const auto second = test::make_key(2, "old-two");
    dir.write("keys/a.json", first.keystore_json);
    dir.write("keys/b.json", second.keystore_json);
    dir.write("passwords/a.txt", "old-one\n");
    dir.write("passwords/b.txt", "old-two");
    const auto discovery = discover({dir.path(), std::nullopt, std::nullopt, std::nullopt});
    ASSERT_TRUE(discovery.ok());
    const auto rotated = rotate_passwords(*discovery, SecretString("fresh-password"), 2);
    ASSERT_TRUE(rotated.ok()) << rotated.error().message;
    ASSERT_EQ(rotated->size(), 2U);
    EXPECT_EQ(rotated->at(0).pubkey, first.pubkey);

    const auto summary = check_dir(dir.path());
    EXPECT_EQ(summary.count(keys::Severity::ok), 2U) << test::findings_of(summary);
    std::ifstream password(dir.path() / "passwords/a.txt");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(password), {}), "fresh-password");
    struct stat info {};
    ASSERT_EQ(::stat((dir.path() / "passwords/a.txt").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    // Nothing is left behind: no staged files, no journal.
    for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
        EXPECT_EQ(entry.path().string().find(".rotat"), std::string::npos) << entry.path();
    }
}

TEST(Rotate, WrongCurrentPasswordWritesNothing) {
    const test::TempDir dir;
    dir.write("keys/a.json", test::make_key(3, "right").keystore_json);
    dir.write("passwords/a.txt", "wrong");
    const auto before = test::make_key(3, "x");  // unused key material; the file must stay byte-identical
    std::ifstream original_stream(dir.path() / "keys/a.json");
    const std::string original(std::istreambuf_iterator<char>(original_stream), {});
    const auto discovery = discover({dir.path(), std::nullopt, std::nullopt, std::nullopt});
    const auto rotated = rotate_passwords(*discovery, SecretString("new"), 1);
    ASSERT_FALSE(rotated.ok());
    EXPECT_EQ(rotated.error().code, Errc::verification_failed);
    EXPECT_THAT(rotated.error().message, HasSubstr("does not open it"));
    std::ifstream after_stream(dir.path() / "keys/a.json");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(after_stream), {}), original);
}

TEST(Rotate, BadNewPasswordsAndInlinePasswordsAreRefused) {
    const test::TempDir dir;
    dir.write("keys/a.json", test::make_key(4, "pw").keystore_json);
    dir.write("passwords/a.txt", "pw");
    const auto discovery = discover({dir.path(), std::nullopt, std::nullopt, std::nullopt});
    EXPECT_EQ(rotate_passwords(*discovery, SecretString(""), 1).error().code, Errc::invalid_argument);
    EXPECT_EQ(rotate_passwords(*discovery, SecretString(" padded "), 1).error().code, Errc::invalid_argument);

    dir.write("lh/a/voting-keystore.json", test::make_key(5, "inline").keystore_json);
    dir.write("lh/validator_definitions.yml",
              "- enabled: true\n  type: local_keystore\n  voting_keystore_path: a/voting-keystore.json\n"
              "  voting_keystore_password: inline\n");
    const auto inline_discovery = discover({dir.path() / "lh", std::nullopt, std::nullopt, std::nullopt});
    const auto refused = rotate_passwords(*inline_discovery, SecretString("new"), 1);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::unsupported);
    EXPECT_THAT(refused.error().message, HasSubstr("move the password into a file first"));
}

TEST(Rotate, InterruptedRotationRollsForwardFromItsJournal) {
    const test::TempDir dir;
    const auto key = test::make_key(6, "new-pw");
    dir.write("keys/a.json", test::make_key(6, "old-pw").keystore_json);
    dir.write("passwords/a.txt", "old-pw");
    // The state after the journal was written and the keystore renamed, but before the password file was.
    dir.write("keys/a.json", key.keystore_json);
    dir.write("passwords/a.txt.rotating", "new-pw");
    // Explicit arrays: a list of two-string lists would otherwise read as a JSON object.
    const auto rename = [&](const char* from, const char* to) {
        return nlohmann::json::array({(dir.path() / from).string(), (dir.path() / to).string()});
    };
    const auto renames = nlohmann::json::array(
        {rename("keys/a.json.rotating", "keys/a.json"), rename("passwords/a.txt.rotating", "passwords/a.txt")});
    const auto journal =
        dir.write("passwords/a.txt.rotation.json", nlohmann::json{{"version", 1}, {"renames", renames}}.dump());
    const auto discovery = discover({dir.path(), std::nullopt, std::nullopt, std::nullopt});
    const auto journals = interrupted_rotations(*discovery);
    ASSERT_EQ(journals.size(), 1U);
    EXPECT_EQ(check_dir(dir.path()).count(keys::Severity::failure), 1U);  // mismatched until resumed
    ASSERT_TRUE(resume_rotation(journals.front()).ok());
    EXPECT_FALSE(fs::exists(journal));
    EXPECT_EQ(check_dir(dir.path()).count(keys::Severity::failure), 0U);
}

}  // namespace
}  // namespace ephemery::keyfiles
