#include "keys/check.hpp"

#include "bls/bls.hpp"
#include "core/text.hpp"
#include "keys/keystore.hpp"
#include "keys/password.hpp"
#include "test_support/fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

namespace ephemery::keys {
namespace {

using testing::HasSubstr;

const std::string fixture_password =
    "\xf0\x9d\x94\xb1\xf0\x9d\x94\xa2\xf0\x9d\x94\xb0\xf0\x9d\x94\xb1\xf0\x9d\x94\xad"
    "\xf0\x9d\x94\x9e\xf0\x9d\x94\xb0\xf0\x9d\x94\xb0\xf0\x9d\x94\xb4\xf0\x9d\x94\xac"
    "\xf0\x9d\x94\xaf\xf0\x9d\x94\xa1\xf0\x9f\x94\x91";

bls::SecretKey test_key(std::uint8_t seed_byte) {
    return bls::derive_master_key(std::vector<std::uint8_t>(32, seed_byte)).value();
}

// A cheap keystore (pbkdf2 with few rounds) of `plaintext` under the password bytes given.
std::string make_keystore(const SecretBytes& plaintext, const std::vector<std::uint8_t>& encoded_password,
                          std::string pubkey, std::vector<std::uint8_t> salt = random_bytes(32)) {
    KdfParams kdf = standard_kdf_params(Kdf::pbkdf2, std::move(salt));
    kdf.c = 16;
    const auto derived = derive_key(kdf, encoded_password).value();
    KeystoreFields fields;
    fields.pubkey = std::move(pubkey);
    fields.uuid = random_uuid();
    return to_json(encrypt_with_key(plaintext, derived, kdf, random_bytes(16), fields).value());
}

std::vector<std::uint8_t> bytes_of(std::string_view text) {
    return {text.begin(), text.end()};
}

KeyCandidate candidate_for(const bls::SecretKey& key, const std::string& password, const std::string& label) {
    KeyCandidate candidate;
    candidate.keystore_label = label;
    candidate.keystore_json =
        make_keystore(key.bytes(), encode_password(password).value(), to_hex(bls::public_key(key)));
    candidate.password = SecretString(password);
    candidate.password_label = label + ".txt";
    return candidate;
}

std::string all_text(const CheckSummary& summary) {
    std::string text;
    for (const auto& key : summary.keys) {
        for (const auto& finding : key.findings) text += finding.problem + "\n" + finding.fix + "\n";
    }
    return text;
}

TEST(KeystoreCheck, FixtureVectorsPassWithTheirPassword) {
    std::vector<KeyCandidate> candidates;
    for (const char* name : {"scrypt-keystore.json", "pbkdf2-keystore.json"}) {
        KeyCandidate candidate;
        candidate.keystore_label = name;
        candidate.keystore_json = test::read_fixture(std::string("eip2335/") + name);
        candidate.password = SecretString(fixture_password);
        candidate.password_label = "password.txt";
        candidates.push_back(std::move(candidate));
    }
    CheckOptions options;
    options.threads = 2;
    const auto summary = check_keystores(std::move(candidates), options);
    ASSERT_EQ(summary.keys.size(), 2U);
    // Both vectors hold the same key: the pair is a duplicate, and nothing else is wrong.
    for (const auto& key : summary.keys) {
        EXPECT_EQ(key.pubkey,
                  "0x9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07");
        ASSERT_EQ(key.findings.size(), 1U) << all_text(summary);
        EXPECT_THAT(key.findings[0].problem, HasSubstr("is also loaded from"));
    }
}

TEST(KeystoreCheck, WrongPasswordFailsNamingThePasswordSource) {
    auto candidate = candidate_for(test_key(1), "right", "k.json");
    candidate.password = SecretString("wrong");
    const auto summary = check_keystores({candidate}, {});
    ASSERT_EQ(summary.keys.size(), 1U);
    EXPECT_EQ(summary.keys[0].status(), Severity::failure);
    EXPECT_EQ(summary.keys[0].findings.at(0).problem,
              "the password from k.json.txt does not decrypt this keystore (checksum mismatch): the client would "
              "stop with UnableToDecryptKeystore(InvalidPassword)");
    EXPECT_THAT(all_text(summary), testing::Not(HasSubstr("right")));
    EXPECT_THAT(all_text(summary), testing::Not(HasSubstr("wrong")));
}

TEST(KeystoreCheck, TrailingNewlineIsHarmlessButTrimmedWhitespaceIsExplained) {
    // "\n" is a control code that EIP-2335 encoding drops, so a password file's line ending never matters.
    auto newline = candidate_for(test_key(2), "secret\n", "k.json");
    newline.password = SecretString("secret");
    const auto with_newline = check_keystores({newline}, {});
    EXPECT_EQ(with_newline.keys[0].status(), Severity::ok) << all_text(with_newline);

    // A client that trims whitespace cannot use a keystore encrypted with the trailing space.
    auto spaced = candidate_for(test_key(2), "secret ", "k.json");
    spaced.password = SecretString("secret");
    spaced.password_unstripped = SecretString("secret ");
    const auto with_space = check_keystores({spaced}, {});
    EXPECT_EQ(with_space.keys[0].status(), Severity::failure);
    EXPECT_THAT(with_space.keys[0].findings.at(0).problem, HasSubstr("including the trailing whitespace"));
}

TEST(KeystoreCheck, EthdoLegacyNormalisationDecryptsWithAWarningToRotate) {
    const std::string password =
        "ma\xc3\xb1"
        "ana";
    auto candidate = candidate_for(test_key(3), password, "k.json");
    candidate.keystore_json = make_keystore(test_key(3).bytes(), encode_password_ethdo_legacy(password).value(),
                                            to_hex(bls::public_key(test_key(3))));
    const auto summary = check_keystores({candidate}, {});
    EXPECT_EQ(summary.keys[0].status(), Severity::warning);
    EXPECT_THAT(summary.keys[0].findings.at(0).problem, HasSubstr("ethdo before v1.4.1"));
    EXPECT_THAT(summary.keys[0].findings.at(0).fix, HasSubstr("keys password rotate"));
}

TEST(KeystoreCheck, PubkeyThatIsNotTheSecretsKeyFails) {
    auto candidate = candidate_for(test_key(4), "pw", "k.json");
    candidate.keystore_json = make_keystore(test_key(4).bytes(), bytes_of("pw"), to_hex(bls::public_key(test_key(5))));
    const auto summary = check_keystores({candidate}, {});
    EXPECT_EQ(summary.keys[0].status(), Severity::failure);
    EXPECT_THAT(summary.keys[0].findings.at(0).problem, HasSubstr("is not the public key of its secret"));
}

TEST(KeystoreCheck, LayoutThatNamesAnotherKeyFails) {
    auto candidate = candidate_for(test_key(6), "pw", "validators/0xabc/keystore.json");
    candidate.expected_pubkey = "0x" + to_hex(bls::public_key(test_key(7)));
    candidate.expected_pubkey_label = "the directory name";
    const auto summary = check_keystores({candidate}, {});
    EXPECT_THAT(summary.keys[0].findings.at(0).problem, HasSubstr("the directory name names the key"));
}

TEST(KeystoreCheck, MalformedKeystoreAndMissingPasswordFailWithoutDerivations) {
    KeyCandidate broken;
    broken.keystore_label = "broken.json";
    broken.keystore_json = "{\"version\": 3}";
    broken.password = SecretString("x");
    auto no_password = candidate_for(test_key(8), "pw", "lonely.json");
    no_password.password.reset();
    const auto summary = check_keystores({broken, no_password}, {});
    EXPECT_EQ(summary.key_derivations, 0U);
    EXPECT_EQ(summary.keys[0].findings.at(0).problem, "broken.json: version is 3; EIP-2335 keystores are version 4");
    EXPECT_EQ(summary.keys[1].findings.at(0).problem, "no password was found for this keystore");
    EXPECT_EQ(summary.count(Severity::failure), 2U);
}

TEST(KeystoreCheck, SharedSaltAndPasswordCostOneDerivation) {
    const auto salt = random_bytes(32);
    std::vector<KeyCandidate> candidates;
    for (std::uint8_t i = 10; i < 40; ++i) {
        auto candidate = candidate_for(test_key(i), "shared", fmt::format("k{}.json", i));
        candidate.keystore_json =
            make_keystore(test_key(i).bytes(), bytes_of("shared"), to_hex(bls::public_key(test_key(i))), salt);
        candidates.push_back(std::move(candidate));
    }
    std::size_t last_done = 0;
    std::size_t last_total = 0;
    CheckOptions options;
    options.threads = 4;
    options.progress = [&](std::size_t done, std::size_t total) {
        last_done = done;
        last_total = total;
    };
    const auto summary = check_keystores(std::move(candidates), options);
    EXPECT_EQ(summary.key_derivations, 1U);
    EXPECT_EQ(summary.count(Severity::ok), 30U) << all_text(summary);
    EXPECT_EQ(last_done, 1U);
    EXPECT_EQ(last_total, 1U);
}

std::string base64(const std::vector<std::uint8_t>& bytes) {
    std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), bytes.data(), static_cast<int>(bytes.size()));
    text.resize(static_cast<std::size_t>(written));
    return text;
}

TEST(KeystoreCheck, PrysmWalletYieldsOneReportPerAccount) {
    const auto first = test_key(50);
    const auto second = test_key(51);
    const auto wrong = test_key(52);
    const auto first_public = bls::public_key(first);
    const auto wrong_public = bls::public_key(wrong);
    const nlohmann::json accounts = {
        {"private_keys", {base64(first.bytes().reveal()), base64(second.bytes().reveal())}},
        {"public_keys",
         {base64({first_public.begin(), first_public.end()}), base64({wrong_public.begin(), wrong_public.end()})}}};
    const std::string plaintext = accounts.dump();
    KeyCandidate wallet;
    wallet.kind = KeystoreKind::prysm_wallet;
    wallet.keystore_label = "all-accounts.keystore.json";
    wallet.keystore_json = make_keystore(SecretBytes(bytes_of(plaintext)), bytes_of("wallet"), "");
    wallet.password = SecretString("wallet");
    wallet.password_label = "--password-file";
    const auto summary = check_keystores({wallet}, {});
    ASSERT_EQ(summary.keys.size(), 2U);
    EXPECT_EQ(summary.keys[0].status(), Severity::ok);
    EXPECT_EQ(summary.keys[0].pubkey, "0x" + to_hex(bls::public_key(first)));
    EXPECT_EQ(summary.keys[1].status(), Severity::failure);
    EXPECT_THAT(summary.keys[1].findings.at(0).problem, HasSubstr("lists the public key"));
}

// A keystore past the KDF caps fails in the pre-flight without a derivation (it would take 4 GiB and half a
// minute), and the others are still checked.
TEST(KeystoreCheck, KeystoreBeyondTheKdfCapsFailsWithoutADerivation) {
    auto good = candidate_for(test_key(60), "pw", "good.json");
    KeyCandidate hostile;
    hostile.keystore_label = "keys/hostile.json";
    auto json = nlohmann::json::parse(test::read_fixture("eip2335/scrypt-keystore.json"));
    json["crypto"]["kdf"]["params"]["n"] = std::uint64_t{1} << 20U;
    json["crypto"]["kdf"]["params"]["r"] = 32;
    json["crypto"]["kdf"]["params"]["p"] = 16;
    hostile.keystore_json = json.dump();
    hostile.password = SecretString("pw");
    const auto summary = check_keystores({hostile, good}, {});
    EXPECT_EQ(summary.key_derivations, 1U);
    ASSERT_EQ(summary.keys.size(), 2U);
    EXPECT_EQ(summary.keys[0].status(), Severity::failure);
    EXPECT_THAT(summary.keys[0].findings.at(0).problem,
                HasSubstr("keys/hostile.json: crypto.kdf.params.n is 1048576 with r=32: one derivation would hold "
                          "4096 MiB"));
    EXPECT_EQ(summary.keys[1].status(), Severity::ok) << all_text(summary);
}

TEST(KeystoreCheck, ScryptMemoryIsAccounted) {
    EXPECT_EQ(kdf_memory_bytes(std::uint64_t{1} << 18U, 8, 1), std::uint64_t{128} * 8 * ((1U << 18U) + 1));
}

}  // namespace
}  // namespace ephemery::keys
