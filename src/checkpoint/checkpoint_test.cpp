// fetch_checkpoint against fake providers on loopback (honest, stale, failing, lying, slow) with a real
// minimal-preset Altair state and block, then `serve` of what it installed.
#include "beacon/client.hpp"
#include "checkpoint/fetch.hpp"
#include "checkpoint/server.hpp"
#include "checkpoint/test_chain.hpp"
#include "core/text.hpp"
#include "ssz/altair.hpp"
#include "ssz/codec.hpp"
#include "test_support/files.hpp"
#include "test_support/http_server.hpp"
#include "test_support/temp_dir.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace ephemery::checkpoint {
namespace {

using namespace std::chrono_literals;
using test_chain::Chain;
using test_chain::make_chain;
using test_chain::provider;
using testing::HasSubstr;

beacon::HttpSettings quick_http() {
    beacon::HttpSettings http;
    http.connect_timeout = 1s;
    http.request_timeout = 2s;
    http.download_timeout = 5s;
    http.attempts = 1;
    return http;
}

class CheckpointFetch : public testing::Test {
  protected:
    FetchReport fetch(const std::vector<std::string>& providers, std::size_t quorum) {
        FetchRequest request{.providers = providers, .quorum = quorum, .facts = chain_.facts, .http = quick_http()};
        auto report = fetch_checkpoint(request, cache_);
        EXPECT_TRUE(report) << report.error().message;
        return report ? std::move(*report) : FetchReport{};
    }

    Chain chain_ = make_chain();
    Chain other_ = make_chain(9);
    test::TempDir dir_;
    CheckpointCache cache_{dir_.path() / "checkpoints", CacheLimits{}};
};

TEST_F(CheckpointFetch, InstallsTheVerifiedPairDespiteFaultyProviders) {
    auto stale = provider(chain_, {.stale_genesis = true});
    auto failing = provider(chain_, {.server_error = true});
    auto truncating = provider(chain_, {.truncated_state = true});
    auto lying = provider(chain_, {.other_state = &other_});
    auto honest = provider(chain_, {.state_delay = 300ms});  // the slowest: every faster one is wrong
    const auto report = fetch({stale->base_url(), failing->base_url(), truncating->base_url(), lying->base_url(),
                               honest->base_url(), "http://127.0.0.1:1"},
                              2);
    ASSERT_TRUE(report.installed.has_value()) << report.problem << "\n" << to_json(report);
    EXPECT_EQ(report.installed->served_by, honest->base_url());
    EXPECT_EQ(report.decision.providers[0].verdict, Verdict::stale);
    EXPECT_EQ(report.decision.providers[1].verdict, Verdict::unreachable);
    EXPECT_EQ(report.decision.providers[5].verdict, Verdict::unreachable);
    EXPECT_EQ(test::contents_of(report.installed->state_file()), chain_.state);
    EXPECT_EQ(test::contents_of(report.installed->block_file()), chain_.block);
    const auto json = to_json(report);
    EXPECT_THAT(json, HasSubstr("hash_tree_root"));  // the lying provider's rejection
    ASSERT_TRUE(cache_.latest(chain_.gvr).has_value());
}

TEST_F(CheckpointFetch, NeverInstallsAnUnverifiedState) {
    auto truncating = provider(chain_, {.truncated_state = true});
    auto lying = provider(chain_, {.other_state = &other_});
    const auto report = fetch({truncating->base_url(), lying->base_url()}, 2);
    EXPECT_FALSE(report.installed.has_value());
    EXPECT_THAT(report.problem, HasSubstr("state"));
    EXPECT_TRUE(cache_.entries().empty());
    // Nothing is left behind in the cache directory.
    EXPECT_TRUE(std::filesystem::is_empty(cache_.dir()));
}

TEST_F(CheckpointFetch, DisagreementBelowQuorumFetchesNothing) {
    auto honest = provider(chain_, {});
    auto other_view = provider(chain_, {.other_finalized = &other_});
    const auto report = fetch({honest->base_url(), other_view->base_url()}, 2);
    EXPECT_FALSE(report.installed.has_value());
    EXPECT_THAT(report.problem, HasSubstr("disagree"));
    EXPECT_TRUE(report.downloads.empty());
}

TEST_F(CheckpointFetch, ServeAnswersLikeABeaconNodeAndCanBeFetchedFromItself) {
    auto honest = provider(chain_, {});
    const auto report = fetch({honest->base_url()}, 1);
    ASSERT_TRUE(report.installed.has_value()) << report.problem;
    auto server = CheckpointServer::start(*report.installed, chain_.facts, {.listen_address = "127.0.0.1", .port = 0});
    ASSERT_TRUE(server) << server.error().message;
    const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());

    beacon::BeaconClient client(url, quick_http());
    const auto genesis = client.genesis();
    ASSERT_TRUE(genesis) << genesis.error().message;
    EXPECT_EQ(genesis->genesis_validators_root, chain_.gvr);
    const auto finality = client.finality_checkpoints("finalized");
    ASSERT_TRUE(finality);
    EXPECT_EQ(finality->finalized.root, chain_.block_root);
    const auto header = client.header("finalized");
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(header->slot, test_chain::chain_finalized_epoch * test_chain::chain_slots_per_epoch);
    EXPECT_TRUE(client.spec());
    EXPECT_FALSE(client.header("12345"));

    // A second cache fetching from the server gets the same verified pair.
    CheckpointCache second(dir_.path() / "second", CacheLimits{});
    FetchRequest request{.providers = {url}, .quorum = 1, .facts = chain_.facts, .http = quick_http()};
    const auto again = fetch_checkpoint(request, second);
    ASSERT_TRUE(again && again->installed) << (again ? again->problem : again.error().message);
    EXPECT_EQ(test::contents_of(again->installed->state_file()), chain_.state);
}

TEST(CheckpointCacheTest, KeepsTheNewestEntriesWithinItsLimits) {
    test::TempDir dir;
    CheckpointCache cache(dir.path(), CacheLimits{.max_entries = 2, .max_bytes = 1 << 20});
    for (std::uint64_t slot = 8; slot <= 32; slot += 8) {
        auto staging = cache.make_staging_dir().value();
        std::ofstream(staging / "block.ssz") << "b";
        std::ofstream(staging / "state.ssz") << "s";
        CacheEntryInfo entry;
        entry.slot = slot;
        entry.checkpoint.epoch = slot / 8;
        entry.checkpoint.root.fill(static_cast<std::uint8_t>(slot));
        entry.fetched_at = static_cast<std::int64_t>(slot);
        entry.fork = "altair";
        entry.block_bytes = 1;
        entry.state_bytes = 1;
        ASSERT_TRUE(cache.install(staging, entry));
    }
    const auto entries = cache.entries();
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].slot, 32U);
    EXPECT_EQ(entries[1].slot, 24U);
    EXPECT_EQ(cache.latest(beacon::Root{})->slot, 32U);
    const auto broken = entry_from_json("{}", dir.path() / "x");
    ASSERT_FALSE(broken);
    EXPECT_THAT(broken.error().message, HasSubstr("fetch again"));
}

// After a reset every entry of the previous iteration's chain is useless: they go, the live chain's stay.
TEST(CheckpointCacheTest, DropsTheEntriesOfEveryOtherChain) {
    test::TempDir dir;
    CheckpointCache cache(dir.path(), CacheLimits{});
    for (std::uint8_t chain = 1; chain <= 3; ++chain) {
        auto staging = cache.make_staging_dir().value();
        std::ofstream(staging / "block.ssz") << "b";
        std::ofstream(staging / "state.ssz") << "s";
        CacheEntryInfo entry;
        entry.genesis_validators_root.fill(chain);
        entry.slot = std::uint64_t{8} * chain;
        entry.checkpoint.epoch = chain;
        entry.checkpoint.root.fill(chain);
        entry.fetched_at = chain;
        entry.fork = "altair";
        ASSERT_TRUE(cache.install(staging, entry));
    }
    beacon::Root live{};
    live.fill(2);
    EXPECT_EQ(cache.drop_other_chains(live), 2U);
    const auto left = cache.entries();
    ASSERT_EQ(left.size(), 1U);
    EXPECT_EQ(left[0].genesis_validators_root, live);
    EXPECT_EQ(cache.drop_other_chains(live), 0U);
}

}  // namespace
}  // namespace ephemery::checkpoint
