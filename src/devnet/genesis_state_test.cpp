#include "devnet/genesis_state.hpp"

#include "bls/bls.hpp"
#include "core/text.hpp"
#include "devnet/spec_helpers.hpp"
#include "ssz/altair.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::devnet {
namespace {

// The oracle: the spike's make-genesis.mjs (research/devnet-spike, Lodestar 1.5.1's own packages) run once as
//   LODESTAR_PRESET=minimal node make-genesis.mjs --config config.yaml --genesis-time T --iteration N
//       --count C [--eth1-block-hash H --validators-file F] --out DIR
// Its genesis.json gave the state root and genesis validators root; sha256sum of its genesis.ssz the digest.
// Inputs are hard-coded here so the test needs no Lodestar.

// Signing keys m/12381/3600/i/0/0 of "test test test test test test test test test test test junk".
constexpr std::array<std::string_view, 18> mnemonic_pubkeys = {
    "a39882700ed7f72fcdbac07081b7c0c912cb8647ed8494926e6c9c2fc1a7415c7c60e3afcc3d3278fe25b50b851c3ad5",
    "8efdefbccd6479b9953a5ec6416e6d48201865968567379b213040dbf0be7efa00d66343c21a7e801d6bfd7403cfcfa7",
    "b7f682183f898daaf1b98f9e946c1ad58818fcf19d1922e867b8d54549d5551d39de3bba0b7d919e82b97f8dedbad03e",
    "a8a4c939ec0ee6ff6c58ace82cb82a603fd246defc10fdb37f6d66b5d1f2a1f9fa962547f87ec3aa611402f00bcec0a8",
    "af88318ed207829fe806e3a78499a64d13b0cf033812d949cf0f0446bba2fc38fc50a311156c3439f11885b05a340f74",
    "aacaf07d7ade408847d18ef8410f6da332ab0a370c337007e64ce98343369aac023e825f2b8e72e8ed34e2b064577a4b",
    "ae809a58eb62ac77b1a9c4b0ba4a3e3dc5024027de9f568cc91b66f1b7426feb4dfc61a5b8117c51c6a0c92f007a29ca",
    "980f54178ab1e2d21822e9cd7327acb170269e6215cc8151f5f9c74d3e9ed4fd8e2d5b03c0d5b187edf0b56b6d2fc2fc",
    "a86404df6d392d2ba08e01a3a967bfd58f081f45bec4e68bf91302f1918870f80719e78a33fa95c520e929e0d58bf38c",
    "a2794c3671f0520ffa1032dac4ef67b0a00a65255e522449bf8cabd775db13dd22871f64e710a09344739ef66c1f578f",
    "858b74656127a05134b7614d5fba180e97739c99cf60a42498f1e9c7eda0a88a5fce2d8bc8df5010a5260f96db1b132b",
    "b4a484c89a1f85c32773f80e915a1441d7e83db65e06382f5eb7660eee9ebff358fc1aa72a1d5b0df058247cd1ba3c00",
    "a90d4602211e30aa9f2d0fdb179bd113492028ca5e0da87871c18777fa8ecd3162a4085ddf7582f65803111715a22d01",
    "b22df594adad3ae08c339d6e2079ec7b4c69cab5e8f5fb55680221ba40ffcd384844639a8775af10f3d02d10a5b18dab",
    "89931c9f649137fe9a6d59a455bcc695af861fa080fef0d598cc2ae66ed193939d12e72cf0a6f081ada36b4090f864cc",
    "88091d52b099523e2717d3a526f8a41a7ff20ca4e4b4d153ebafe6f9265e58f8aa45f1e415d598c758e684bcb376577b",
    "a459e9ad0870b24aeb95d53b437014dc5dd97bbe38d78b51797da732e26e70e47ae97eb6d16ace2b7b21961fe9c27904",
    "b88c4324866296a28c22416988207436ec2878ec617c048ce44da43e97381a0960df8b5c53bdcb2692341776b1ada34e",
};

template <std::size_t size>
std::array<std::uint8_t, size> bytes_of(std::string_view hex) {
    const auto bytes = from_hex(hex).value();
    std::array<std::uint8_t, size> out{};
    EXPECT_EQ(bytes.size(), size) << hex;
    std::copy_n(bytes.begin(), std::min(bytes.size(), size), out.begin());
    return out;
}

Bytes32 filled(std::uint8_t byte) {
    Bytes32 out{};
    out.fill(byte);
    return out;
}

// ALTAIR_FORK_VERSION of the spike's config.yaml.
constexpr std::array<std::uint8_t, 4> altair_fork_version = {0x20, 0x00, 0x10, 0x1b};

// make-genesis.mjs's validators: the dummy, then `count` mnemonic keys with 0x00 credentials and 32 ETH.
GenesisParams spike_params(std::uint64_t iteration, std::size_t count) {
    GenesisParams params{.genesis_time = 1700000000,
                         .fork_version = altair_fork_version,
                         .eth1_block_hash = filled(0x42),
                         .validators = {dummy_validator(iteration)}};
    for (std::size_t i = 0; i < count; ++i) {
        const auto pubkey = bytes_of<48>(mnemonic_pubkeys.at(i));
        params.validators.push_back(GenesisValidator{.pubkey = pubkey,
                                                     .withdrawal_credentials = bls_withdrawal_credentials(pubkey),
                                                     .balance_gwei = 32 * 1'000'000'000ULL});
    }
    return params;
}

struct Oracle {
    std::string_view state_root;
    std::string_view genesis_validators_root;
    std::string_view ssz_sha256;
    std::size_t ssz_size;
};

void expect_oracle(const GenesisParams& params, const Oracle& oracle) {
    const auto genesis = make_altair_genesis(params);
    ASSERT_TRUE(genesis.ok()) << genesis.error().message;
    EXPECT_EQ(genesis->ssz.size(), oracle.ssz_size);
    EXPECT_EQ(to_hex(sha256(genesis->ssz)), oracle.ssz_sha256);
    EXPECT_EQ(to_hex(genesis->state_root), oracle.state_root);
    EXPECT_EQ(to_hex(genesis->genesis_validators_root), oracle.genesis_validators_root);
}

TEST(AltairGenesis, FourValidatorsIterationOneMatchesLodestar) {
    expect_oracle(spike_params(1, 3), {"4319e0ee792e26c806758f85a35569973e5b943bfbd8df724a83031743fab5fc",
                                       "b423a6bbd684042328869f5f41612fa582ffd8eb5496561a5b43622b1d7291e3",
                                       "9257d05b1940856fe17dd26bc81b2a805d748ea701f3a4d3d624f5825ccda9d1", 10785});
}

TEST(AltairGenesis, SixteenValidatorsIterationOneMatchesLodestar) {
    // 15 mnemonic keys plus the dummy.
    expect_oracle(spike_params(1, 15), {"ed6e3c0d48c60610dafd5c0805153dfaba98d280b5dc02e8b0ab55a1db1f6566",
                                        "40292cf29bc064700b8f216056e04219d6b1a458e56c3c29d28a8c9f8684e65b",
                                        "b5aba5a8f14af75c965192ca81e7c45807725b6ef17074516ce6f808cba233f0", 12453});
}

TEST(AltairGenesis, SeventeenValidatorsIterationTwoMatchesLodestar) {
    // Same validators as the spike's it2 network, whose GVR Lodestar served at /eth/v1/beacon/genesis.
    expect_oracle(spike_params(2, 16), {"0e2e894bde5bf99fa3e4a4832ee5ef84a0fb4e32a41b9ec2c51f3364379dd7ac",
                                        "6fab84d3cd602dcd40dac58e47353f325eebc24cc6a4dd6502ddf4a448be7e71",
                                        "426c33e805d2d2d4dd01343b830825d45091f6d7f96c3eef77944a22021c5f45", 12592});
}

TEST(AltairGenesis, SpikeIterationOneValidatorsGiveItsGenesisValidatorsRoot) {
    // REPORT.md's it1 network (16 keys plus the dummy): Lodestar served GVR 0x923d0b53…747c. The GVR does not
    // depend on the genesis time; the oracle run with T = 1700000000 gave the full values.
    const auto genesis = make_altair_genesis(spike_params(1, 16));
    ASSERT_TRUE(genesis.ok()) << genesis.error().message;
    EXPECT_EQ(to_hex(genesis->genesis_validators_root),
              "923d0b53984b110751c77a84aeea0e9e364f4a1ba59ce089c89a16c907cd747c");
    EXPECT_EQ(to_hex(genesis->state_root), "6d8d2a2b4d47a02a8398baff6917f95e93c271cd58ad5ffe4159c2016b242e0b");
}

TEST(AltairGenesis, UnevenBalancesAndCredentialsMatchLodestar) {
    // --iteration 7 --count 3 --genesis-time 1234567890 --eth1-block-hash 0x11..11 --validators-file with
    // key 16 at 20.000000005 ETH (not activated, effective 20 ETH) and key 17 at 40 ETH (effective 32 ETH).
    auto params = spike_params(7, 3);
    params.genesis_time = 1234567890;
    params.eth1_block_hash = filled(0x11);
    params.validators.push_back(GenesisValidator{
        .pubkey = bytes_of<48>(mnemonic_pubkeys[16]),
        .withdrawal_credentials = bytes_of<32>("0100000000000000000000005a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"),
        .balance_gwei = 20'000'000'005});
    params.validators.push_back(GenesisValidator{
        .pubkey = bytes_of<48>(mnemonic_pubkeys[17]),
        .withdrawal_credentials = bytes_of<32>("00aa00000000000000000000000000000000000000000000000000000000bbbb"),
        .balance_gwei = 40'000'000'000});
    expect_oracle(params, {"950c76fdf4a12a126615a7c879c40bd7ad3aea84ef306030fbe8fb7cef163ec1",
                           "22cc78647bf0f9c6eb2fac8fa2193f1c16a9e2cc362a0e1c27e9d5368e9cff57",
                           "7763a5da400cdd12991a2fa99308d02de64e943146bd90920fe6a5afd6585420", 11063});
}

TEST(AltairGenesis, SerializedStateHoldsTheInputs) {
    const auto genesis = make_altair_genesis(spike_params(1, 3)).value();
    const auto& bytes = genesis.ssz;
    EXPECT_EQ(bytes[0], 0x00);  // genesis_time 1700000000 = 0x6553f100, little-endian
    EXPECT_EQ(bytes[1], 0xf1);
    EXPECT_EQ(bytes[2], 0x53);
    EXPECT_EQ(bytes[3], 0x65);
    EXPECT_TRUE(
        std::equal(genesis.genesis_validators_root.begin(), genesis.genesis_validators_root.end(), bytes.begin() + 8));
    EXPECT_TRUE(std::equal(altair_fork_version.begin(), altair_fork_version.end(), bytes.begin() + 48));  // previous
    EXPECT_TRUE(std::equal(altair_fork_version.begin(), altair_fork_version.end(), bytes.begin() + 52));  // current
}

TEST(DummyValidator, CredentialsCarryTheIterationBigEndian) {
    const auto dummy = dummy_validator(0x0102030405060708ULL);
    EXPECT_EQ(to_hex(dummy.withdrawal_credentials), "0100000000000000000000000000000000000000000000000102030405060708");
    EXPECT_EQ(dummy.balance_gwei, 32'000'000'000ULL);
    EXPECT_EQ(to_hex(dummy_validator(2).withdrawal_credentials),
              "0100000000000000000000000000000000000000000000000000000000000002");
    EXPECT_EQ(dummy_validator(1).pubkey, dummy_validator(2).pubkey);
    EXPECT_EQ(to_hex(dummy.pubkey),
              "994760782bba591d4c078d77257ae7a2935ff7c28643cd27e83d4c4d6f4b4d912b429fc7b2fe02fe01db15086a532f68");
    EXPECT_TRUE(bls::is_valid_public_key(dummy.pubkey));
}

TEST(BlsWithdrawalCredentials, ZeroPrefixThenTheHashTail) {
    // sha256 of key 0 is 42c156a6…ae8a (node:crypto).
    EXPECT_EQ(to_hex(bls_withdrawal_credentials(bytes_of<48>(mnemonic_pubkeys[0]))),
              "00c156a65090d92a5d37b44715a72a8a038e67561e867101d6dd46fed657ae8a");
}

TEST(AltairGenesis, RefusesNoValidators) {
    GenesisParams params{
        .genesis_time = 1, .fork_version = altair_fork_version, .eth1_block_hash = {}, .validators = {}};
    const auto refused = make_altair_genesis(params);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("at least one validator"), std::string::npos) << refused.error().message;
}

TEST(AltairGenesis, RefusesAnInvalidPubkeyNamingItsIndex) {
    auto params = spike_params(1, 3);
    params.validators[2].pubkey[47] ^= 1U;
    const auto refused = make_altair_genesis(params);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
    EXPECT_NE(refused.error().message.find("validator 2"), std::string::npos) << refused.error().message;
}

TEST(AltairGenesis, RefusesWhenNoValidatorIsActive) {
    auto params = spike_params(1, 2);
    for (auto& validator : params.validators) validator.balance_gwei = 31'999'999'999;
    const auto refused = make_altair_genesis(params);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("no genesis validator is active"), std::string::npos)
        << refused.error().message;
}

}  // namespace
}  // namespace ephemery::devnet
