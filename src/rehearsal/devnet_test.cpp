#include "rehearsal/devnet.hpp"

#include "genesis/fetch.hpp"
#include "test_support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ephemery::rehearsal {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t created_at = 1'800'000'000;

Settings small_devnet(const fs::path& data_dir) {
    Settings settings;
    settings.data_dir = data_dir;
    settings.iteration_seconds = 120;
    settings.validators = 4;
    settings.lodestar = "/opt/lodestar/bin/lodestar";
    settings.port_base = 40000;
    settings.api.port = 0;
    return settings;
}

TEST(PrepareDevnet, MakesKeysOnceImportsThemForLodestarAndGivesTheDaemonADevnetNode) {
    const test::TempDir dir;
    const auto daemon = prepare_devnet(small_devnet(dir.path()), created_at);
    ASSERT_TRUE(daemon.ok()) << daemon.error().message;
    EXPECT_EQ(daemon->network.name, "devnet");
    EXPECT_EQ(daemon->network.schedule.base_genesis_time, created_at);
    EXPECT_EQ(daemon->network.schedule.genesis_interval, 120);
    EXPECT_EQ(daemon->node.edition, clients::Edition::devnet);
    EXPECT_FALSE(daemon->node.execution.enabled);
    EXPECT_EQ(daemon->node.consensus.client, clients::Client::lodestar);
    EXPECT_EQ(daemon->node.validator.binary, "/opt/lodestar/bin/lodestar");
    // --port-base numbers every port: the control API takes the first, the clients the ones after it.
    EXPECT_EQ(daemon->api.port, 40000);
    EXPECT_EQ(daemon->node.port_base, 40001);
    std::size_t installed = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path() / "validator-lodestar" / "keystores")) {
        ++installed;
    }
    EXPECT_EQ(installed, 4U);
    EXPECT_EQ(fs::status(dir.path() / "devnet" / "mnemonic.txt").permissions() & fs::perms::all, fs::perms(0600));

    // A validator client killed with SIGKILL leaves its keystore locks; the next start removes them.
    const fs::path first_key = fs::directory_iterator(dir.path() / "validator-lodestar" / "keystores")->path();
    const fs::path stale_lock = first_key / "voting-keystore.json.lock";
    { std::ofstream(stale_lock) << "lock"; }

    // Reopening keeps the keys and the schedule, whatever the clock says now.
    const auto keystore_time = fs::last_write_time(dir.path() / "devnet" / "keys" / "genesis-validators.txt");
    Settings again = small_devnet(dir.path());
    again.iteration_seconds.reset();
    again.validators.reset();
    const auto reopened = prepare_devnet(again, created_at + 5000);
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    EXPECT_EQ(reopened->network.schedule, daemon->network.schedule);
    EXPECT_EQ(fs::last_write_time(dir.path() / "devnet" / "keys" / "genesis-validators.txt"), keystore_time);
    EXPECT_FALSE(fs::exists(stale_lock));
    EXPECT_TRUE(fs::exists(first_key / "voting-keystore.json"));
}

TEST(PrepareDevnet, RefusesOtherParametersForAnExistingDevnetAndBadRanges) {
    const test::TempDir dir;
    ASSERT_TRUE(prepare_devnet(small_devnet(dir.path()), created_at).ok());
    Settings other = small_devnet(dir.path());
    other.iteration_seconds = 600;
    const auto refused = prepare_devnet(other, created_at);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("--iteration-seconds 120"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("new --data-dir"), std::string::npos);

    const test::TempDir fresh;
    Settings too_short = small_devnet(fresh.path());
    too_short.iteration_seconds = 30;
    EXPECT_FALSE(prepare_devnet(too_short, created_at).ok());
    Settings too_few = small_devnet(fresh.path());
    too_few.validators = 1;
    const auto few = prepare_devnet(too_few, created_at);
    ASSERT_FALSE(few.ok());
    EXPECT_NE(few.error().message.find("--validators 1"), std::string::npos);
}

TEST(PublishRelease, MakesAReleaseTheDaemonFetchesAndVerifiesLikeADownloadedOne) {
    const test::TempDir dir;
    auto daemon = prepare_devnet(small_devnet(dir.path()), created_at);
    ASSERT_TRUE(daemon.ok()) << daemon.error().message;
    ASSERT_TRUE(daemon->prepare_release(1).ok());
    ASSERT_TRUE(daemon->prepare_release(1).ok());  // already there: left as it is
    genesis::FetchRequest request;
    request.iteration = 1;
    request.tag = "devnet-1";
    request.source = daemon->network.release_base_url;
    request.data_dir = dir.path();
    request.expectation = {
        .iteration = 1, .schedule = daemon->network.schedule, .fork_versions = daemon->fork_versions};
    const auto fetched = genesis::fetch_release(request);
    ASSERT_TRUE(fetched.ok()) << fetched.error().message;
    EXPECT_TRUE(fs::exists(fetched->path / "metadata" / "genesis.ssz"));

    for (std::uint64_t iteration = 2; iteration <= 5; ++iteration) ASSERT_TRUE(daemon->prepare_release(iteration).ok());
    EXPECT_FALSE(fs::exists(dir.path() / "devnet" / "releases" / "devnet-2"));
    EXPECT_TRUE(fs::exists(dir.path() / "devnet" / "releases" / "devnet-3" / "network-config.tar.gz"));
}

}  // namespace
}  // namespace ephemery::rehearsal
