#include "keyfiles/discover.hpp"

#include "keyfiles/test_keys.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ephemery::keyfiles {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

using test::findings_of;
using test::make_key;

keys::CheckSummary check(const DiscoverRequest& request, Layout expected_layout) {
    auto discovery = discover(request);
    EXPECT_TRUE(discovery.ok()) << discovery.error().message;
    EXPECT_EQ(discovery->layout, expected_layout);
    return keys::check_keystores(discovery->candidates, {});
}

TEST(Discover, LighthouseDefinitionsWithInlineAndFilePasswords) {
    const test::TempDir dir;
    const auto first = make_key(1, "one");
    const auto second = make_key(2, "two");
    dir.write("validators/a/voting-keystore.json", first.keystore_json);
    dir.write("validators/b/voting-keystore.json", second.keystore_json);
    const auto password = dir.write("secrets/b", "two\n");
    fs::permissions(password, fs::perms::owner_read | fs::perms::owner_write);
    dir.write("validators/validator_definitions.yml",
              "---\n"
              "- enabled: true\n  voting_public_key: \"" +
                  first.pubkey +
                  "\"\n  type: local_keystore\n"
                  "  voting_keystore_path: a/voting-keystore.json\n  voting_keystore_password: one\n"
                  "- enabled: true\n  voting_public_key: \"" +
                  second.pubkey +
                  "\"\n  type: local_keystore\n"
                  "  voting_keystore_path: " +
                  (dir.path() / "validators/b/voting-keystore.json").string() +
                  "\n"
                  "  voting_keystore_password_path: " +
                  password.string() +
                  "\n"
                  "- enabled: false\n  voting_public_key: \"0xaa\"\n  type: local_keystore\n  voting_keystore_path: x\n"
                  "- enabled: true\n  voting_public_key: \"0xbb\"\n  type: web3signer\n  url: http://127.0.0.1:9000\n");
    auto discovery = discover({dir.path() / "validators", std::nullopt, std::nullopt, std::nullopt});
    ASSERT_TRUE(discovery.ok()) << discovery.error().message;
    EXPECT_EQ(discovery->layout, Layout::lighthouse);
    EXPECT_EQ(discovery->notes.size(), 2U);
    const auto summary = keys::check_keystores(discovery->candidates, {});
    EXPECT_EQ(summary.count(keys::Severity::ok), 2U) << findings_of(summary);
}

TEST(Discover, LighthouseWrongPasswordNamesTheYamlLine) {
    const test::TempDir dir;
    dir.write("validators/a/voting-keystore.json", make_key(1, "one").keystore_json);
    dir.write("validators/validator_definitions.yml",
              "- enabled: true\n  type: local_keystore\n  voting_keystore_path: a/voting-keystore.json\n"
              "  voting_keystore_password: wrong\n");
    const auto summary =
        check({dir.path() / "validators", std::nullopt, std::nullopt, std::nullopt}, Layout::lighthouse);
    ASSERT_EQ(summary.keys.size(), 1U);
    EXPECT_THAT(findings_of(summary),
                HasSubstr("validator_definitions.yml:1 (entry 1) voting_keystore_password does not decrypt"));
}

TEST(Discover, LighthouseBrokenYamlIsAParseErrorWithItsLine) {
    const test::TempDir dir;
    dir.write("validator_definitions.yml", "- enabled: true\n  type: [local\n");
    const auto discovery = discover({dir.path(), std::nullopt, std::nullopt, std::nullopt});
    ASSERT_FALSE(discovery.ok());
    EXPECT_THAT(discovery.error().message, HasSubstr("validator_definitions.yml:"));
    EXPECT_THAT(discovery.error().message, HasSubstr("not valid YAML"));
}

TEST(Discover, TekuPairsKeysWithPasswordsAndReportsTheMissingOne) {
    const test::TempDir dir;
    dir.write("keys/one.json", make_key(3, "p1").keystore_json);
    dir.write("keys/two.json", make_key(4, "p2").keystore_json);
    dir.write("passwords/one.txt", "p1\r\n");
    const auto summary = check({dir.path(), std::nullopt, std::nullopt, std::nullopt}, Layout::teku);
    ASSERT_EQ(summary.keys.size(), 2U);
    EXPECT_EQ(summary.keys[0].status(), keys::Severity::warning) << findings_of(summary);  // 0644 from TempDir
    EXPECT_EQ(summary.keys[1].status(), keys::Severity::failure);
    EXPECT_THAT(findings_of(summary), HasSubstr("passwords/two.txt"));
}

TEST(Discover, TekuWithOnePasswordFile) {
    const test::TempDir dir;
    dir.write("keys/one.json", make_key(20, "shared").keystore_json);
    dir.write("keys/two.json", make_key(21, "shared").keystore_json);
    dir.write("passwords/unused.txt", "x");
    const auto password = dir.write("password.txt", "shared\n");
    const auto summary = check({dir.path(), Layout::teku, password, std::nullopt}, Layout::teku);
    EXPECT_EQ(summary.keys.size(), 2U);
    EXPECT_EQ(summary.count(keys::Severity::failure), 0U) << findings_of(summary);
}

TEST(Discover, NimbusRefusesReadablePasswordFilesAndChecksDirectoryNames) {
    const test::TempDir dir;
    const auto key = make_key(5, "nim");
    const auto other = make_key(6, "nim");
    dir.write("validators/" + key.pubkey + "/keystore.json", key.keystore_json);
    dir.write("validators/" + other.pubkey + "/keystore.json", key.keystore_json);  // wrong key in this directory
    const auto secret = dir.write("secrets/" + key.pubkey, "nim");
    const auto other_secret = dir.write("secrets/" + other.pubkey, "nim");
    fs::permissions(other_secret, fs::perms::owner_read | fs::perms::owner_write);
    fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    const auto summary = check({dir.path(), std::nullopt, std::nullopt, std::nullopt}, Layout::nimbus);
    ASSERT_EQ(summary.keys.size(), 2U);
    const std::string text = findings_of(summary);
    EXPECT_THAT(text, HasSubstr("is readable by other users (mode 0640): Nimbus refuses to start"));
    EXPECT_THAT(text, HasSubstr("names the key " + other.pubkey));
    EXPECT_THAT(text, HasSubstr("is also loaded from"));
}

TEST(Discover, LodestarDirectoriesAndOnePassphraseFile) {
    const test::TempDir dir;
    const auto key = make_key(7, "lode");
    dir.write("node/keystores/" + key.pubkey + "/voting-keystore.json", key.keystore_json);
    fs::permissions(dir.write("node/secrets/" + key.pubkey, "lode"), fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(check({dir.path() / "node", std::nullopt, std::nullopt, std::nullopt}, Layout::lodestar)
                  .count(keys::Severity::ok),
              1U);

    dir.write("flat/a.json", make_key(8, "same").keystore_json);
    dir.write("flat/b.json", make_key(9, "same").keystore_json);
    const auto passphrase = dir.write("passphrase.txt", "  same \n");
    fs::permissions(passphrase, fs::perms::owner_read | fs::perms::owner_write);
    const auto summary = check({dir.path() / "flat", Layout::lodestar, passphrase, std::nullopt}, Layout::lodestar);
    EXPECT_EQ(summary.count(keys::Severity::ok), 2U) << findings_of(summary);  // Lodestar trims the passphrase
}

TEST(Discover, PrysmNeedsTheWalletPassword) {
    const test::TempDir dir;
    dir.write("wallet/direct/accounts/all-accounts.keystore.json", make_key(10, "w").keystore_json);
    const auto summary = check({dir.path() / "wallet", std::nullopt, std::nullopt, std::nullopt}, Layout::prysm);
    ASSERT_EQ(summary.keys.size(), 1U);
    EXPECT_THAT(findings_of(summary), HasSubstr("Prysm's wallet password is not kept in the wallet"));
}

TEST(Discover, GenericFindsPasswordsBesideInPasswordsDirOrOneFile) {
    const test::TempDir dir;
    dir.write("out/keystores/keystore-m_12381_3600_0_0_0.json", make_key(11, "a").keystore_json);
    dir.write("out/passwords/keystore-m_12381_3600_0_0_0.txt", "a");
    dir.write("out/deposit_data-1.json", "[]");
    auto summary = check({dir.path() / "out", std::nullopt, std::nullopt, std::nullopt}, Layout::generic);
    ASSERT_EQ(summary.keys.size(), 1U);
    EXPECT_NE(summary.keys[0].status(), keys::Severity::failure) << findings_of(summary);

    dir.write("flat/k1.json", make_key(12, "b").keystore_json);
    const auto one = dir.write("pw", "b");
    summary = check({dir.path() / "flat", std::nullopt, one, std::nullopt}, Layout::generic);
    EXPECT_NE(summary.keys.at(0).status(), keys::Severity::failure) << findings_of(summary);

    dir.write("lonely/k2.json", make_key(13, "c").keystore_json);
    summary = check({dir.path() / "lonely", std::nullopt, std::nullopt, std::nullopt}, Layout::generic);
    EXPECT_THAT(findings_of(summary), HasSubstr("no password file for this keystore (looked for"));
}

TEST(Discover, MissingDirectoryAndPasswordFile) {
    EXPECT_EQ(discover({"/nonexistent/dir", std::nullopt, std::nullopt, std::nullopt}).error().code, Errc::not_found);
    const test::TempDir dir;
    const auto result = discover({dir.path(), std::nullopt, dir.path() / "nope", std::nullopt});
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("--password-file"));
    EXPECT_THAT(result.error().message, HasSubstr("does not exist"));
    // A directory is there, but it is not what the option takes: say so rather than "does not exist".
    const auto directory = discover({dir.path(), std::nullopt, dir.path(), std::nullopt});
    ASSERT_FALSE(directory.ok());
    EXPECT_EQ(directory.error().code, Errc::invalid_argument);
    EXPECT_EQ(directory.error().message,
              fmt::format("--password-file {} is a directory, not a file: pass the password file itself (one password "
                          "for every keystore); per-key passwords are found without it in the client's own layout",
                          dir.path().string()));
}

TEST(Discover, PasswordFileContentsAsClientsReadThem) {
    EXPECT_EQ(password_from_file_contents("pw\n", Layout::teku), "pw");
    EXPECT_EQ(password_from_file_contents("pw\r\n", Layout::lighthouse), "pw");
    EXPECT_EQ(password_from_file_contents(" pw \n", Layout::nimbus), " pw ");
    EXPECT_EQ(password_from_file_contents(" pw \n", Layout::lodestar), "pw");
    EXPECT_EQ(password_from_file_contents("pw\nsecond line\n", Layout::teku), "pw");
    EXPECT_EQ(parse_layout("teku"), Layout::teku);
    EXPECT_FALSE(parse_layout("tekku").has_value());
    EXPECT_GT(available_memory_bytes(), 0U);
}

}  // namespace
}  // namespace ephemery::keyfiles
