#include "keys/deposit.hpp"

#include "core/text.hpp"
#include "keys/mnemonic.hpp"
#include "test_support/fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

namespace ephemery::keys {
namespace {

using testing::HasSubstr;

template <std::size_t size>
std::array<std::uint8_t, size> bytes_of(const std::string& hex) {
    const auto bytes = from_hex(hex).value();
    EXPECT_EQ(bytes.size(), size) << hex;
    std::array<std::uint8_t, size> array{};
    std::copy_n(bytes.begin(), std::min(size, bytes.size()), array.begin());
    return array;
}

ExecutionAddress address_of(const std::string& text) {
    return parse_execution_address(text).value();
}

// Expected outputs of another implementation for one mnemonic: the Sepolia deposit_data of the
// "multiple_validators" end-to-end test of ChorusOne/eth-staking-smith (tests/e2e/expected_testdata), made
// from the mnemonic below with no passphrase, 0x01 credentials for 0x00..01 and 32 ETH.
struct KnownDeposit {
    std::uint32_t index;
    std::string pubkey;
    std::string signature;
    std::string deposit_message_root;
    std::string deposit_data_root;
};

const std::string known_mnemonic =
    "window lottery throw arrange visit play gate open scare strategy sadness fame soul bronze soap";
const std::string sepolia_genesis_fork_version = "0x90000069";

const std::vector<KnownDeposit> known_deposits{
    {0, "8c239d313e3f4efb1ed937e7560dfaabeb6def6b88001357d5e9a3c33fdb022f7b028085c09451667f06b6b849c71ce8",
     "96648d873ec18ad1f0529315d8d311495be68b9939513fa6f0b35183e5b95fd1b2f346ad17cdebf4f5e75cdb9d478de10c15c3b6e7cb9aa2"
     "60af09219ca48bbe0c694ef4b74844fb42defa437f3dabe8e23d10dcbcc4d342b72ad76ad9cfa570",
     "2fbd8c8ae64bf60838663354422ff2004f37ddfc3a482fc29d39082b4a3903cb",
     "bddf517bb2b9d60609387b106fb450b246e7cf76a3e3fab8dc532264a2be1166"},
    {1, "80145bdb454a8f55f7275903108f516ade8747efff0906616febb11c6e307667431ee286d1a1a919ea22739e0e7f6e9a",
     "a94ea5f2ab6dc4f1cae370dee6e07cbd9d8695ec1851a17674692d4070dc9b87c228cf9fbdbd2482c38787932afc02fe07d71dbe7cf446fd"
     "f404f42d661b5997a308bd3dcb4b23848929843701755c7bc255bcd7282a7b681bf30d709da0bf09",
     "f3b7eb90dfc663686ec76975c54ad12d7557c59e63fdb26eddeb8a68fb7c2711",
     "0acbb7352698e144b5b00ed1be05cf3171d56a5bc60e0c61e427b35cf8539ecf"},
    {2, "a759ea6450a376507bebc596b8e52981a70467fd7a33c6a66e45b51afb388078eb1dd7e9a751a91d65fba793ab2430fd",
     "a7f9ff7d107174011695a8a90de3b875aa5b8c3e5d581b38c424307f9c98bc999ca4dcc125d7e9756c459189f1fce3e505959f903db0ae3c"
     "c52f62a6555d5eed455030c2020b6f81f4be99f6572ce5892aa07c37d19cc278f3462af9b0f6e6ad",
     "c40f308d03554f2f183475436014943545b2be2397376aec42b7fa5e1054481d",
     "2c7d4ce48efc8f783f2bbce87c1f9b18b312903b7c315a1e714be9dd3fd3e19d"},
};

TEST(Deposit, MnemonicToSignedDepositMatchesAnotherImplementation) {
    const auto mnemonic = validate_mnemonic(known_mnemonic);
    ASSERT_TRUE(mnemonic.ok()) << mnemonic.error().message;
    const auto seed = seed_from_mnemonic(*mnemonic, SecretString());
    ASSERT_TRUE(seed.ok());
    const auto fork_version = parse_fork_version(sepolia_genesis_fork_version).value();
    const auto credentials =
        withdrawal_credentials(address_of("0x0000000000000000000000000000000000000001"), WithdrawalPrefix::execution);
    EXPECT_EQ(to_hex(credentials), "0100000000000000000000000000000000000000000000000000000000000001");

    std::vector<DepositData> deposits;
    for (const auto& known : known_deposits) {
        const auto key = bls::derive_path(seed->reveal(), bls::signing_key_path(known.index));
        ASSERT_TRUE(key.ok()) << key.error().message;
        const DepositMessage message{bls::public_key(*key), credentials, 32'000'000'000};
        EXPECT_EQ(to_hex(message.pubkey), known.pubkey) << "index " << known.index;
        const auto deposit = sign_deposit(*key, message, fork_version);
        EXPECT_EQ(to_hex(hash_tree_root(deposit.message)), known.deposit_message_root);
        EXPECT_EQ(to_hex(deposit.signature), known.signature);
        EXPECT_EQ(to_hex(hash_tree_root(deposit)), known.deposit_data_root);
        EXPECT_TRUE(verify_deposit(deposit, fork_version));
        deposits.push_back(deposit);
    }

    const auto json = nlohmann::json::parse(deposit_data_json(deposits, fork_version, "sepolia"));
    ASSERT_EQ(json.size(), 3U);
    const auto& first = json.at(0);
    EXPECT_EQ(first.at("pubkey"), known_deposits[0].pubkey);
    EXPECT_EQ(first.at("withdrawal_credentials"), "0100000000000000000000000000000000000000000000000000000000000001");
    EXPECT_EQ(first.at("amount"), 32'000'000'000ULL);
    EXPECT_EQ(first.at("signature"), known_deposits[0].signature);
    EXPECT_EQ(first.at("deposit_message_root"), known_deposits[0].deposit_message_root);
    EXPECT_EQ(first.at("deposit_data_root"), known_deposits[0].deposit_data_root);
    EXPECT_EQ(first.at("fork_version"), "90000069");
    EXPECT_EQ(first.at("network_name"), "sepolia");
    EXPECT_EQ(first.at("deposit_cli_version"), deposit_cli_format_version);
}

TEST(Deposit, MainnetDepositDomainIsTheWellKnownOne) {
    EXPECT_EQ(to_hex(deposit_domain(ForkVersion{})),
              "03000000f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9");
}

TEST(Deposit, EphemerySignatureHoldsOnlyForEphemerysForkVersion) {
    const auto key = bls::derive_path(from_hex(std::string(64, '1')).value(), bls::signing_key_path(0)).value();
    const auto ephemery = parse_fork_version("0x1000101b").value();
    const DepositMessage message{
        bls::public_key(key),
        withdrawal_credentials(address_of("0xdeaddeaddeaddeaddeaddeaddeaddeaddeaddead"), WithdrawalPrefix::compounding),
        1'024'000'000'000};
    const auto deposit = sign_deposit(key, message, ephemery);
    EXPECT_TRUE(verify_deposit(deposit, ephemery));
    EXPECT_FALSE(verify_deposit(deposit, parse_fork_version("0x2000101b").value()));
    auto tampered = deposit;
    tampered.message.amount_gwei += 1;
    EXPECT_FALSE(verify_deposit(tampered, ephemery));
    // Deterministic: the same inputs give the same roots and signature.
    const auto again = sign_deposit(key, message, ephemery);
    EXPECT_EQ(again.signature, deposit.signature);
    EXPECT_EQ(hash_tree_root(again), hash_tree_root(deposit));
    EXPECT_NE(hash_tree_root(deposit), hash_tree_root(deposit.message));
}

TEST(Deposit, GenesisLineHasTheShapeOfTheEphemeryValidatorFiles) {
    const auto key = bls::derive_path(from_hex(std::string(64, '2')).value(), bls::signing_key_path(3)).value();
    const DepositMessage message{
        bls::public_key(key),
        withdrawal_credentials(address_of("0xdeaddeaddeaddeaddeaddeaddeaddeaddeaddead"), WithdrawalPrefix::compounding),
        1'024'000'000'000};
    const std::string line = genesis_validator_line(message);
    EXPECT_EQ(line, "0x" + to_hex(message.pubkey) +
                        ":020000000000000000000000deaddeaddeaddeaddeaddeaddeaddeaddeaddead:1024000000000");

    // The same shape as the lines of a real Ephemery genesis validators file.
    const std::regex shape("0x[0-9a-f]{96}:[0-9a-f]{64}:[0-9]+");
    EXPECT_TRUE(std::regex_match(line, shape)) << line;
    std::istringstream fixture(test::read_fixture("ephemery-genesis/validators/ephemery-node1.txt"));
    std::string fixture_line;
    while (std::getline(fixture, fixture_line) && fixture_line.starts_with("#")) {
    }
    EXPECT_TRUE(std::regex_match(fixture_line, shape)) << fixture_line;
}

TEST(WithdrawalCredentials, PrefixElevenZeroBytesAndTheAddress) {
    const auto address = address_of("0x71c7656ec7ab88b098defb751b7401b5f6d8976f");
    EXPECT_EQ(to_hex(withdrawal_credentials(address, WithdrawalPrefix::execution)),
              "01000000000000000000000071c7656ec7ab88b098defb751b7401b5f6d8976f");
    EXPECT_EQ(to_hex(withdrawal_credentials(address, WithdrawalPrefix::compounding)),
              "02000000000000000000000071c7656ec7ab88b098defb751b7401b5f6d8976f");
}

TEST(ExecutionAddress, MalformedAddressesAreRefusedWithTheRule) {
    for (const std::string bad :
         {"", "0x", "71c7656ec7ab88b098defb751b7401b5f6d8976f", "0x71c7656ec7ab88b098defb751b7401b5f6d8976",
          "0x71c7656ec7ab88b098defb751b7401b5f6d8976f00", "0x71c7656ec7ab88b098defb751b7401b5f6d8976g",
          "0X71c7656ec7ab88b098defb751b7401b5f6d8976f"}) {
        const auto parsed = parse_execution_address(bad);
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.error().code, Errc::invalid_argument);
        EXPECT_THAT(parsed.error().message, HasSubstr("must be 0x followed by 40 hex digits")) << bad;
    }
}

TEST(ExecutionAddress, SingleCaseAddressesCarryNoChecksum) {
    EXPECT_EQ(address_of("0x71c7656ec7ab88b098defb751b7401b5f6d8976f").checksum, AddressChecksum::absent);
    const auto upper = address_of("0x71C7656EC7AB88B098DEFB751B7401B5F6D8976F");
    EXPECT_EQ(upper.checksum, AddressChecksum::absent);
    EXPECT_EQ(upper.bytes, address_of("0x71c7656ec7ab88b098defb751b7401b5f6d8976f").bytes);
}

// The EIP-55 examples. Debian 12's OpenSSL 3.0 has no Keccak-256: there the checksum cannot be checked, and the
// address is accepted and marked unverified (the command warns). With OpenSSL 3.2 on it must be checked.
TEST(ExecutionAddress, MixedCaseIsCheckedWithEip55WhenKeccakIsAvailable) {
    const std::vector<std::string> valid{
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"};
    const std::string mistyped = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";  // last letter's case flipped
    const auto expected = keccak256_available() ? AddressChecksum::verified : AddressChecksum::unverified;
    for (const auto& address : valid) {
        const auto parsed = parse_execution_address(address);
        ASSERT_TRUE(parsed.ok()) << address << ": " << parsed.error().message;
        EXPECT_EQ(parsed->checksum, expected) << address;
    }
    const auto parsed = parse_execution_address(mistyped);
    if (keccak256_available()) {
        ASSERT_FALSE(parsed.ok());
        EXPECT_THAT(parsed.error().message, HasSubstr("fails its EIP-55 checksum"));
    } else {
        ASSERT_TRUE(parsed.ok());
        EXPECT_EQ(parsed->checksum, AddressChecksum::unverified);
    }
}

TEST(DepositAmount, BetweenOneEthAndTheMaximumEffectiveBalance) {
    EXPECT_TRUE(check_deposit_amount(32'000'000'000, WithdrawalPrefix::execution).ok());
    EXPECT_TRUE(check_deposit_amount(1'000'000'000, WithdrawalPrefix::execution).ok());
    EXPECT_FALSE(check_deposit_amount(999'999'999, WithdrawalPrefix::execution).ok());
    const auto too_much = check_deposit_amount(1'024'000'000'000, WithdrawalPrefix::execution);
    ASSERT_FALSE(too_much.ok());
    EXPECT_THAT(too_much.error().message, HasSubstr("need compounding 0x02 credentials"));
    EXPECT_TRUE(check_deposit_amount(1'024'000'000'000, WithdrawalPrefix::compounding).ok());
    EXPECT_FALSE(check_deposit_amount(2'048'000'000'001, WithdrawalPrefix::compounding).ok());
}

TEST(ForkVersion, ParsesWithOrWithoutPrefix) {
    EXPECT_EQ(parse_fork_version("0x1000101b").value(), (ForkVersion{0x10, 0x00, 0x10, 0x1b}));
    EXPECT_EQ(parse_fork_version("1000101b").value(), (ForkVersion{0x10, 0x00, 0x10, 0x1b}));
    for (const std::string bad : {"", "0x", "0x1000101", "0x1000101b00", "ephemery"}) {
        const auto parsed = parse_fork_version(bad);
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_THAT(parsed.error().message, HasSubstr("GENESIS_FORK_VERSION"));
    }
}

}  // namespace
}  // namespace ephemery::keys
