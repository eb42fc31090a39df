#include "daemon/checkpoint_source.hpp"

#include "beacon/client.hpp"
#include "checkpoint/test_chain.hpp"
#include "daemon/node_daemon.hpp"
#include "release/layout.hpp"
#include "test_support/background_process.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace ephemery::daemon {
namespace {

using namespace std::chrono_literals;
namespace chain_test = checkpoint::test_chain;

// A release directory of the test chain: config.yaml and a genesis.ssz with its genesis fields (the state's
// first 40 bytes are what the checkpoint code reads from it).
std::filesystem::path write_release(const std::filesystem::path& dir, const chain_test::Chain& chain) {
    const auto metadata = dir / "metadata";
    std::filesystem::create_directories(metadata);
    std::ofstream(metadata / "config.yaml") << chain_test::config_yaml(chain);
    std::ofstream(metadata / "genesis.ssz", std::ios::binary) << chain.state;
    std::ofstream(metadata / "genesis.json") << "{}\n";
    return dir;
}

checkpoint::Settings settings_for(const std::vector<std::string>& providers, std::size_t quorum) {
    checkpoint::Settings settings;
    settings.providers = providers;
    settings.quorum = static_cast<std::int64_t>(quorum);
    settings.serve_port = test::free_loopback_port();
    return settings;
}

TEST(CheckpointSource, ServesAVerifiedCheckpointOnLoopbackAndReusesIt) {
    const auto chain = chain_test::make_chain();
    auto honest = chain_test::provider(chain, {});
    auto other = chain_test::provider(chain, {});
    test::TempDir dir;
    const auto release = write_release(dir.path() / "release", chain);
    CheckpointSource source(settings_for({honest->base_url(), other->base_url()}, 2), dir.path());

    const auto url = source.url_for(release);
    ASSERT_FALSE(url.empty()) << source.status().last_problem;
    EXPECT_THAT(url, testing::StartsWith("http://127.0.0.1:"));
    beacon::BeaconClient client(url);
    const auto finality = client.finality_checkpoints("head");
    ASSERT_TRUE(finality) << finality.error().message;
    EXPECT_EQ(finality->finalized.root, chain.block_root);

    // The next start uses the cache: no provider is asked again, even with all of them gone.
    honest.reset();
    other.reset();
    EXPECT_EQ(source.url_for(release), url);
    EXPECT_EQ(source.status().fetches, 1U);
    EXPECT_EQ(source.status().failures, 0U);
    source.stop();
}

TEST(CheckpointSource, WithoutAVerifiedCheckpointTheClientStartsWithoutOneAndItIsCounted) {
    const auto chain = chain_test::make_chain();
    const auto other = chain_test::make_chain(7);
    auto lying = chain_test::provider(chain, {.other_state = &other});
    test::TempDir dir;
    const auto release = write_release(dir.path() / "release", chain);
    CheckpointSource source(settings_for({lying->base_url()}, 1), dir.path());
    EXPECT_EQ(source.url_for(release), "");
    EXPECT_EQ(source.status().failures, 1U);
    EXPECT_THAT(source.status().last_problem, testing::HasSubstr("state"));
    // Asked again within retry_after: the providers are left alone.
    EXPECT_EQ(source.url_for(release), "");
    EXPECT_EQ(source.status().fetches, 1U);
}

TEST(CheckpointSource, DisabledOrWithoutProvidersItDoesNothing) {
    test::TempDir dir;
    CheckpointSource off(checkpoint_sync_off(), dir.path());
    EXPECT_EQ(off.url_for(dir.path() / "missing"), "");
    EXPECT_EQ(off.status().fetches, 0U);
    EXPECT_FALSE(DaemonSettings{}.checkpoint.enabled) << "a daemon made without the config never asks providers";
}

}  // namespace
}  // namespace ephemery::daemon
