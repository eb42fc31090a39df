#include "keyfiles/generate.hpp"

#include "bls/bls.hpp"
#include "core/text.hpp"
#include "infra/files.hpp"
#include "keys/mnemonic.hpp"
#include "keys/password.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

namespace ephemery::keyfiles {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

// The mnemonic and Sepolia deposits of ChorusOne/eth-staking-smith's "multiple_validators" end-to-end test
// (tests/e2e/expected_testdata): the same keys and signatures must come out of our files.
const std::string known_mnemonic =
    "window lottery throw arrange visit play gate open scare strategy sadness fame soul bronze soap";
const std::vector<std::string> known_pubkeys{
    "8c239d313e3f4efb1ed937e7560dfaabeb6def6b88001357d5e9a3c33fdb022f7b028085c09451667f06b6b849c71ce8",
    "80145bdb454a8f55f7275903108f516ade8747efff0906616febb11c6e307667431ee286d1a1a919ea22739e0e7f6e9a",
    "a759ea6450a376507bebc596b8e52981a70467fd7a33c6a66e45b51afb388078eb1dd7e9a751a91d65fba793ab2430fd"};
const std::string known_deposit_data_root_1 = "0acbb7352698e144b5b00ed1be05cf3171d56a5bc60e0c61e427b35cf8539ecf";

std::string read(const fs::path& path) {
    return infra::read_file(path, 1U << 20U).value();
}

fs::perms permissions_of(const fs::path& path) {
    return fs::status(path).permissions() & fs::perms::mask;
}

GenerateRequest known_request(const fs::path& out_dir) {
    GenerateRequest request;
    request.mnemonic = keys::validate_mnemonic(known_mnemonic).value();
    request.start_index = 0;
    request.count = 3;
    const auto address = keys::parse_execution_address("0x0000000000000000000000000000000000000001").value();
    request.withdrawal_credentials = keys::withdrawal_credentials(address, keys::WithdrawalPrefix::execution);
    request.amount_gwei = 32'000'000'000;
    request.genesis_fork_version = keys::parse_fork_version("0x90000069").value();
    request.network_name = "sepolia";
    request.kdf = keys::Kdf::pbkdf2;  // scrypt's 256 MiB per key would slow the sanitizer build for nothing
    request.out_dir = out_dir;
    request.created_at = 1700000000;
    return request;
}

class Generate : public testing::Test {
  protected:
    test::TempDir temp_;
    fs::path out_ = temp_.path() / "validators";
};

TEST_F(Generate, WritesKeystoresPasswordsDepositDataAndGenesisLines) {
    const auto set = generate_keys(known_request(out_));
    ASSERT_TRUE(set.ok()) << set.error().message;
    ASSERT_EQ(set->keys.size(), 3U);

    const auto seed = keys::seed_from_mnemonic(SecretString(known_mnemonic), SecretString()).value();
    for (std::uint32_t i = 0; i < 3; ++i) {
        const auto& key = set->keys[i];
        EXPECT_EQ(key.index, i);
        EXPECT_EQ(key.path, bls::signing_key_path(i));
        EXPECT_EQ(key.pubkey, known_pubkeys[i]);
        const std::string stem = "keystore-m_12381_3600_" + std::to_string(i) + "_0_0";
        EXPECT_EQ(key.keystore, out_ / "keystores" / (stem + ".json"));
        EXPECT_EQ(key.password_file, out_ / "passwords" / (stem + ".txt"));
        EXPECT_EQ(permissions_of(key.keystore), infra::owner_only);
        EXPECT_EQ(permissions_of(key.password_file), infra::owner_only);

        // The keystore on disk decrypts with the password file beside it to the key the path derives.
        const std::string password = read(key.password_file);
        EXPECT_TRUE(std::regex_match(password, std::regex("[0-9a-f]{64}"))) << "no newline, 32 random bytes in hex";
        const auto keystore = keys::parse_keystore(read(key.keystore), key.keystore.string());
        ASSERT_TRUE(keystore.ok()) << keystore.error().message;
        EXPECT_EQ(keystore->pubkey, known_pubkeys[i]);
        EXPECT_EQ(keystore->path, key.path);
        EXPECT_EQ(keystore->kdf.function, keys::Kdf::pbkdf2);
        EXPECT_EQ(keystore->kdf.c, 1U << 18U);
        const auto secret = keys::decrypt(*keystore, keys::encode_password(password).value());
        ASSERT_TRUE(secret.ok()) << secret.error().message;
        EXPECT_EQ(*secret, bls::derive_path(seed.reveal(), key.path).value().bytes());
    }
    EXPECT_NE(read(set->keys[0].password_file), read(set->keys[1].password_file));
    EXPECT_EQ(permissions_of(out_ / "keystores"), fs::perms::owner_all);
    EXPECT_EQ(permissions_of(out_ / "passwords"), fs::perms::owner_all);

    EXPECT_EQ(set->deposit_data, out_ / "deposit_data-1700000000.json");
    const auto deposits = nlohmann::json::parse(read(set->deposit_data));
    ASSERT_EQ(deposits.size(), 3U);
    EXPECT_EQ(deposits.at(1).at("pubkey"), known_pubkeys[1]);
    EXPECT_EQ(deposits.at(1).at("deposit_data_root"), known_deposit_data_root_1);
    EXPECT_EQ(deposits.at(1).at("fork_version"), "90000069");

    EXPECT_EQ(set->genesis_validators, out_ / "genesis-validators.txt");
    std::istringstream lines(read(set->genesis_validators));
    std::string line;
    for (const auto& pubkey : known_pubkeys) {
        ASSERT_TRUE(std::getline(lines, line));
        EXPECT_EQ(line,
                  "0x" + pubkey + ":0100000000000000000000000000000000000000000000000000000000000001:32000000000");
    }
    EXPECT_FALSE(std::getline(lines, line));
}

TEST_F(Generate, RefusesANonEmptyDirectoryWithoutForceAndNeverOverwritesAKeystore) {
    auto request = known_request(out_);
    request.count = 1;
    ASSERT_TRUE(generate_keys(request).ok());
    const std::string keystore_before = read(out_ / "keystores/keystore-m_12381_3600_0_0_0.json");

    auto again = generate_keys(request);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, Errc::invalid_argument);
    EXPECT_THAT(again.error().message, HasSubstr("is not empty"));
    EXPECT_THAT(again.error().message, HasSubstr("--force"));

    request.force = true;
    again = generate_keys(request);
    ASSERT_FALSE(again.ok());
    EXPECT_THAT(again.error().message, HasSubstr("keystore-m_12381_3600_0_0_0.json"));
    EXPECT_THAT(again.error().message, HasSubstr("never overwritten"));
    EXPECT_EQ(read(out_ / "keystores/keystore-m_12381_3600_0_0_0.json"), keystore_before);

    // --force with the next index adds a key beside the first.
    request.start_index = 1;
    request.created_at += 1;
    const auto added = generate_keys(request);
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_EQ(added->keys.at(0).pubkey, known_pubkeys[1]);
    EXPECT_TRUE(fs::exists(out_ / "keystores/keystore-m_12381_3600_0_0_0.json"));
    EXPECT_EQ(read(out_ / "keystores/keystore-m_12381_3600_0_0_0.json"), keystore_before);
}

TEST_F(Generate, OneThreadOrManyMakeTheSameKeys) {
    auto request = known_request(out_);
    request.threads = 1;
    const auto serial = generate_keys(request);
    ASSERT_TRUE(serial.ok()) << serial.error().message;
    request.threads = 3;
    request.out_dir = temp_.path() / "parallel";
    const auto parallel = generate_keys(request);
    ASSERT_TRUE(parallel.ok()) << parallel.error().message;
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(serial->keys[i].pubkey, parallel->keys[i].pubkey);
    EXPECT_EQ(read(serial->genesis_validators), read(parallel->genesis_validators));
}

TEST_F(Generate, RefusesAFileAsOutputAndBadCounts) {
    auto request = known_request(temp_.write("file", "x"));
    auto result = generate_keys(request);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("is not a directory"));

    request = known_request(out_);
    request.count = 0;
    EXPECT_FALSE(generate_keys(request).ok());
    request.count = 2;
    request.start_index = 4294967295U;
    result = generate_keys(request);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("4294967295"));
    EXPECT_FALSE(fs::exists(out_)) << "nothing is created when the request is refused";
}

TEST_F(Generate, NewMnemonicFileIsPrivateValidAndNeverOverwritten) {
    const fs::path path = temp_.path() / "mnemonic.txt";
    const auto created = create_mnemonic_file(path);
    ASSERT_TRUE(created.ok()) << created.error().message;
    EXPECT_EQ(split_list(created->reveal(), ' ').size(), 24U);
    EXPECT_EQ(permissions_of(path), infra::owner_only);
    EXPECT_EQ(read(path), created->reveal() + "\n");

    const auto read_back = read_mnemonic_file(path);
    ASSERT_TRUE(read_back.ok()) << read_back.error().message;
    EXPECT_EQ(read_back->reveal(), created->reveal());

    const auto again = create_mnemonic_file(path);
    ASSERT_FALSE(again.ok());
    EXPECT_THAT(again.error().message, HasSubstr("never overwritten"));
    EXPECT_EQ(read(path), created->reveal() + "\n");

    EXPECT_FALSE(create_mnemonic_file(temp_.path() / "missing-dir" / "m.txt").ok());
}

TEST_F(Generate, MnemonicFileErrorsNameTheFile) {
    const auto missing = read_mnemonic_file(temp_.path() / "absent.txt");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::not_found);

    const auto bad = read_mnemonic_file(temp_.write("bad.txt", "abandon abandon abandon\n"));
    ASSERT_FALSE(bad.ok());
    EXPECT_THAT(bad.error().message, HasSubstr("bad.txt: the mnemonic is not valid: it has 3 words"));
    EXPECT_THAT(bad.error().message, testing::Not(HasSubstr("abandon abandon")));

    const auto padded = read_mnemonic_file(temp_.write("padded.txt", "\n  " + known_mnemonic + "  \n\n"));
    ASSERT_TRUE(padded.ok()) << padded.error().message;
    EXPECT_EQ(padded->reveal(), known_mnemonic);
}

}  // namespace
}  // namespace ephemery::keyfiles
