#include "release/verify.hpp"

#include "test_support/release_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

namespace ephemery::release {
namespace {

using testing::HasSubstr;

Expectation expect_iteration(std::uint64_t n) {
    return Expectation{n, network::public_ephemery_schedule(), public_ephemery_fork_versions()};
}

std::string describe(const VerificationReport& report) {
    std::string text;
    for (const auto& failure : report.failures) text += failure.check + ": " + failure.message + "\n";
    return text;
}

// Replaces the first match of `pattern` in one file of the release.
void edit(ReleaseFiles& release, const std::string& name, const std::string& pattern, const std::string& replacement) {
    auto& text = release.files.at(path_of(release.layout, name));
    const std::string edited =
        std::regex_replace(text, std::regex(pattern), replacement, std::regex_constants::format_first_only);
    ASSERT_NE(edited, text) << "pattern " << pattern << " not found in " << name;
    text = edited;
}

// Exactly one check fails, and its message contains every fragment.
void expect_only_failure(const ReleaseFiles& release, const std::string& check,
                         const std::vector<std::string>& fragments, std::uint64_t n = 160) {
    const auto report = verify_release(release, expect_iteration(n));
    ASSERT_FALSE(report.ok());
    for (const auto& failure : report.failures) EXPECT_EQ(failure.check, check) << describe(report);
    for (const auto& fragment : fragments) EXPECT_THAT(describe(report), HasSubstr(fragment));
}

TEST(VerifyRelease, ConsistentReleasesPassInBothLayouts) {
    for (const auto layout : {Layout::network_config, Layout::testnet_all}) {
        for (const std::uint64_t n : {138U, 160U, 167U}) {
            const auto report = verify_release(test::make_release(n, layout), expect_iteration(n));
            EXPECT_TRUE(report.ok()) << describe(report);
            EXPECT_EQ(report.passed.size(), 10U);
        }
    }
}

TEST(VerifyRelease, DeclaredIteration) {
    EXPECT_EQ(declared_iteration(test::make_release(161)), 161U);
    EXPECT_EQ(declared_iteration(ReleaseFiles{}), std::nullopt);
}

TEST(VerifyRelease, MissingAndEmptyFiles) {
    auto release = test::make_release(160);
    release.files.erase("metadata/genesis.ssz");
    release.files["metadata/enodes.txt"] = "";
    const auto report = verify_release(release, expect_iteration(160));
    EXPECT_THAT(describe(report), HasSubstr("files: metadata/genesis.ssz is missing (network-config layout)"));
    EXPECT_THAT(describe(report), HasSubstr("files: metadata/enodes.txt is empty"));

    auto legacy = test::make_release(160, Layout::testnet_all);
    legacy.files.erase("boot_enr.txt");
    expect_only_failure(legacy, "files", {"boot_enr.txt is missing (testnet-all layout)"});
}

TEST(VerifyRelease, WrongIterationRequested) {
    const auto release = test::make_release(160);
    const auto report = verify_release(release, expect_iteration(161));
    EXPECT_THAT(describe(report), HasSubstr("iteration: retention.vars ITERATION_NUMBER is 160 but the requested "
                                            "iteration is 161"));
    EXPECT_THAT(describe(report), HasSubstr("release tag: retention.vars ITERATION_RELEASE is ephemery-160 but the "
                                            "requested tag is ephemery-161"));
}

TEST(VerifyRelease, NodevarsIterationDisagrees) {
    auto release = test::make_release(160);
    edit(release, "nodevars_env.txt", "ITERATION_NUMBER=\"160\"", "ITERATION_NUMBER=\"159\"");
    expect_only_failure(
        release, "iteration",
        {"metadata/nodevars_env.txt ITERATION_NUMBER is 159 but retention.vars ITERATION_NUMBER is 160"});
}

TEST(VerifyRelease, ChainIdConsistentButNotThisIteration) {
    auto release = test::make_release(160);
    for (const char* file : {"nodevars_env.txt", "genesis.json", "besu.json", "config.yaml", "retention.vars"}) {
        auto& text = release.files.at(path_of(release.layout, file));
        text = std::regex_replace(text, std::regex("39438160"), "39438170");
    }
    auto& chainspec = release.files.at("metadata/chainspec.json");
    chainspec = std::regex_replace(chainspec, std::regex("0x259c250"), "0x259c25a");
    expect_only_failure(release, "chain id", {"is 39438170 but 39438000 + 160 is 39438160"});
}

TEST(VerifyRelease, BeaconGenesisTimeInNodevarsDisagrees) {
    auto release = test::make_release(160);
    edit(release, "nodevars_env.txt", "GENESIS_TIME=\"1780600200\"", "GENESIS_TIME=\"1780599600\"");
    expect_only_failure(
        release, "beacon genesis time",
        {"metadata/nodevars_env.txt GENESIS_TIME is 1780599600 but metadata/genesis.ssz genesis_time is "
         "1780600200"});
}

// One inconsistency in one file: exactly that check fails, naming both sides.
struct SingleEdit {
    const char* name;
    const char* file;
    const char* pattern;
    const char* replacement;
    const char* check;
    const char* message;
};

class VerifySingleEdit : public testing::TestWithParam<SingleEdit> {};

TEST_P(VerifySingleEdit, FailsExactlyThatCheck) {
    const auto& row = GetParam();
    auto release = test::make_release(160);
    edit(release, row.file, row.pattern, row.replacement);
    expect_only_failure(release, row.check, {row.message});
}

INSTANTIATE_TEST_SUITE_P(
    CrossChecks, VerifySingleEdit,
    testing::Values(
        SingleEdit{"ChainIdInGenesisJsonDisagrees", "genesis.json", "\"chainId\":39438160", "\"chainId\":39438161",
                   "chain id", "metadata/genesis.json config.chainId is 39438161 but"},
        SingleEdit{"ChainIdInChainspecDisagrees", "chainspec.json", R"("networkID":"0x[0-9a-f]+")",
                   R"("networkID":"0x1")", "chain id", "metadata/chainspec.json params.networkID is 0x1 but"},
        SingleEdit{"ChainIdInConfigDisagrees", "config.yaml", "DEPOSIT_CHAIN_ID: 39438160",
                   "DEPOSIT_CHAIN_ID: 39438999", "chain id", "metadata/config.yaml DEPOSIT_CHAIN_ID is 39438999"},
        SingleEdit{"GenesisTimestampInGenesisJsonDisagrees", "genesis.json", R"("timestamp":"0x[0-9a-f]+")",
                   R"("timestamp":"0x1")", "genesis timestamp", "metadata/genesis.json timestamp is 0x1 but"},
        SingleEdit{"MinGenesisTimeDisagreesWithRetention", "retention.vars", "GENESIS_TIMESTAMP=\"1780599600\"",
                   "GENESIS_TIMESTAMP=\"1780599601\"", "genesis timestamp",
                   "retention.vars GENESIS_TIMESTAMP is 1780599601 but metadata/config.yaml MIN_GENESIS_TIME is "
                   "1780599600"},
        SingleEdit{"ResetIntervalDisagrees", "config.yaml", "EPHEMERY_RESET_PERIOD: 2419200",
                   "EPHEMERY_RESET_PERIOD: 604800", "reset interval",
                   "metadata/config.yaml EPHEMERY_RESET_PERIOD is 604800 but"},
        SingleEdit{"ForkVersionChanged", "config.yaml", "ELECTRA_FORK_VERSION: 0x6000101b",
                   "ELECTRA_FORK_VERSION: 0x60000000", "fork versions",
                   "metadata/config.yaml ELECTRA_FORK_VERSION is 0x60000000 but the network's "
                   "ELECTRA_FORK_VERSION is 0x6000101b"}),
    [](const testing::TestParamInfo<SingleEdit>& param_info) { return std::string(param_info.param.name); });

TEST(VerifyRelease, GenesisStateTimeDisagrees) {
    auto release = test::make_release(160);
    release.files.at("metadata/genesis.ssz")[0] = '\x01';
    expect_only_failure(release, "beacon genesis time", {"metadata/genesis.ssz genesis_time is"});
}

TEST(VerifyRelease, GenesisDelayDiffers) {
    auto release = test::make_release(160);
    edit(release, "config.yaml", "GENESIS_DELAY: 600", "GENESIS_DELAY: 300");
    const auto report = verify_release(release, expect_iteration(160));
    EXPECT_THAT(
        describe(report),
        HasSubstr("genesis delay: metadata/config.yaml GENESIS_DELAY is 300 but the schedule's genesis delay is 600"));
}

TEST(VerifyRelease, ValidatorsRootTextDisagrees) {
    auto release = test::make_release(160);
    release.files.at("metadata/genesis_validators_root.txt") = "0x" + std::string(64, 'a') + "\n";
    expect_only_failure(
        release, "genesis validators root",
        {"metadata/genesis_validators_root.txt is 0xaaaa", "but metadata/nodevars_env.txt GENESIS_VALROOT"});
}

TEST(VerifyRelease, ValidatorsRootInStateDisagrees) {
    auto release = test::make_release(160);
    release.files.at("metadata/genesis.ssz")[8] ^= '\x7f';
    expect_only_failure(release, "genesis validators root", {"metadata/genesis.ssz genesis_validators_root is 0x"});
}

TEST(VerifyRelease, TruncatedStateIsAFormatError) {
    auto release = test::make_release(160);
    release.files.at("metadata/genesis.ssz").resize(20);
    const auto report = verify_release(release, expect_iteration(160));
    EXPECT_THAT(describe(report), HasSubstr("format: metadata/genesis.ssz is too short for a BeaconState"));
}

TEST(VerifyRelease, MalformedFilesAreReportedNotThrown) {
    auto release = test::make_release(160);
    release.files.at("metadata/genesis.json") = "{not json";
    release.files.at("metadata/config.yaml") = "a: [";
    release.files.at("retention.vars") = "garbage line\n";
    const auto report = verify_release(release, expect_iteration(160));
    EXPECT_THAT(describe(report), HasSubstr("format: metadata/genesis.json is not valid JSON"));
    EXPECT_THAT(describe(report), HasSubstr("format: metadata/config.yaml:"));
    EXPECT_THAT(describe(report), HasSubstr("format: retention.vars:1: expected KEY=\"value\""));
}

TEST(VerifyRelease, GenesisStateFieldsAtFixedOffsets) {
    std::string ssz(40, '\0');
    ssz[0] = '\x88';
    ssz[1] = '\x13';  // 5000
    ssz[39] = '\x01';
    const auto fields = read_genesis_state_fields(ssz);
    ASSERT_TRUE(fields.has_value());
    EXPECT_EQ(fields->genesis_time, 5000U);
    EXPECT_EQ(fields->genesis_validators_root, "0x" + std::string(62, '0') + "01");
    EXPECT_EQ(read_genesis_state_fields(std::string(39, '\0')), std::nullopt);
}

}  // namespace
}  // namespace ephemery::release
