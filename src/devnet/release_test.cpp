#include "devnet/release.hpp"

#include "release/verify.hpp"

#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

namespace ephemery::devnet {
namespace {

std::vector<GenesisValidator> some_validators(std::size_t count) {
    std::vector<GenesisValidator> validators;
    // Valid public keys are needed (the genesis aggregates the sync committee's); the dummy key with other
    // credentials is one, and the release checks do not care that it repeats.
    for (std::size_t i = 0; i < count; ++i) validators.push_back(dummy_validator(1000 + i));
    return validators;
}

TEST(DevnetSchedule, ScalesTheGenesisDelayAndRefusesTooShortIterations) {
    const auto schedule = devnet_schedule(1'800'000'000, 120);
    ASSERT_TRUE(schedule.ok()) << schedule.error().message;
    EXPECT_EQ(schedule->genesis_delay, 20);
    EXPECT_EQ(schedule->chain_id_base, devnet_chain_id_base);
    EXPECT_EQ(network::release_tag(*schedule, 3), "devnet-3");
    EXPECT_EQ(devnet_schedule(1'800'000'000, 600)->genesis_delay, 60);
    const auto short_one = devnet_schedule(1'800'000'000, 60);
    ASSERT_FALSE(short_one.ok());
    EXPECT_NE(short_one.error().message.find("--iteration-seconds 60"), std::string::npos);
}

TEST(DevnetRelease, PassesEveryCrossCheckAndChangesItsRootEachIteration) {
    const auto schedule = devnet_schedule(1'800'000'000, 120).value();
    std::string previous_root;
    for (const std::uint64_t iteration : {1U, 2U}) {
        const auto files =
            make_release({.iteration = iteration, .schedule = schedule, .validators = some_validators(4)});
        ASSERT_TRUE(files.ok()) << files.error().message;
        const auto report = release::verify_release(
            *files, {.iteration = iteration, .schedule = schedule, .fork_versions = devnet_fork_versions()});
        for (const auto& failure : report.failures) ADD_FAILURE() << failure.check << ": " << failure.message;
        const std::string root = files->files.at("metadata/genesis_validators_root.txt");
        EXPECT_NE(root, previous_root);
        previous_root = root;
        const auto config = YAML::Load(files->files.at("metadata/config.yaml"));
        EXPECT_EQ(config["PRESET_BASE"].as<std::string>(), "minimal");
        EXPECT_EQ(config["ALTAIR_FORK_EPOCH"].as<std::string>(), "0");
        EXPECT_EQ(config["BELLATRIX_FORK_EPOCH"].as<std::string>(), "18446744073709551615");
        EXPECT_EQ(config["SECONDS_PER_SLOT"].as<int>(), 2);
        EXPECT_EQ(config["DEPOSIT_CHAIN_ID"].as<std::uint64_t>(), devnet_chain_id_base + iteration);
    }
}

TEST(GenesisValidatorsFile, ParsesKeysNewOutputAndNamesTheBadLine) {
    const std::string pubkey = "0x" + std::string(96, 'a');
    const std::string credentials = "01" + std::string(62, '0');  // as `keys new` writes them: no 0x
    const auto parsed =
        parse_genesis_validators("# comment\n\n" + pubkey + ":" + credentials + ":32000000000\n", "keys.txt");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 1U);
    EXPECT_EQ(parsed->front().balance_gwei, 32'000'000'000U);
    EXPECT_EQ(parsed->front().withdrawal_credentials[0], 0x01);

    const auto bad =
        parse_genesis_validators(pubkey + ":" + credentials + ":32000000000\n0x12:" + credentials + ":1\n", "keys.txt");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("keys.txt:2: the public key"), std::string::npos);
    EXPECT_FALSE(parse_genesis_validators("", "keys.txt").ok());
    EXPECT_FALSE(parse_genesis_validators(pubkey + ":" + credentials + ":x\n", "keys.txt").ok());
}

}  // namespace
}  // namespace ephemery::devnet
