// fetch_checkpoint against fake providers on loopback (honest, stale, failing, lying, slow) with a real
// minimal-preset Altair state and block, then `serve` of what it installed.
#include "beacon/client.hpp"
#include "checkpoint/fetch.hpp"
#include "checkpoint/server.hpp"
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
using testing::HasSubstr;

constexpr std::uint64_t genesis_time = 1700000000;
constexpr std::uint64_t finalized_epoch = 2;
constexpr std::uint64_t slots_per_epoch = 8;

std::string as_string(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()),
            bytes.size()};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

std::span<const std::uint8_t> as_bytes(const std::string& text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()),
            text.size()};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

// A minimal-preset Altair chain at the first slot of epoch 2: the state, and a block committing to it.
struct Chain {
    std::string state;
    std::string block;
    beacon::Root block_root{};
    beacon::Root gvr{};
    NetworkFacts facts;
};

std::string altair_block(std::uint64_t slot, const ssz::Chunk& state_root) {
    ssz::Writer writer;
    writer.write_uint<std::uint32_t>(100);                 // offset of message
    writer.write_bytes(std::vector<std::uint8_t>(96, 0));  // signature
    writer.write_uint<std::uint64_t>(slot);
    writer.write_uint<std::uint64_t>(3);                   // proposer_index
    writer.write_bytes(std::vector<std::uint8_t>(32, 7));  // parent_root
    writer.write_bytes(state_root);
    writer.write_uint<std::uint32_t>(84);                                        // offset of body within the message
    writer.write_bytes(std::vector<std::uint8_t>(96 + 72 + 32, 0));              // randao_reveal, eth1_data, graffiti
    for (int list = 0; list < 5; ++list) writer.write_uint<std::uint32_t>(320);  // five empty operation lists
    writer.write_bytes(std::vector<std::uint8_t>(4 + 96, 0));                    // sync_aggregate
    return as_string(writer.bytes());
}

Chain make_chain(std::uint8_t flavour = 0) {
    Chain chain;
    chain.facts.config = {
        {"PRESET_BASE", "minimal"}, {"ALTAIR_FORK_EPOCH", "0"}, {"GENESIS_FORK_VERSION", "0x1000101b"}};
    chain.facts.forks = ssz::fork_schedule_from_config(chain.facts.config).value();
    chain.facts.preset = ssz::preset_by_name("minimal").value();
    chain.facts.preset_name = "minimal";
    chain.facts.slots_per_epoch = slots_per_epoch;
    const auto preset = ssz::altair::minimal_preset();
    auto state = ssz::altair::default_beacon_state(preset);
    state.genesis_time = genesis_time;
    state.genesis_validators_root.fill(0x42);
    state.slot = finalized_epoch * slots_per_epoch;
    state.balances = {32, 33, static_cast<std::uint64_t>(flavour)};
    state.validators.resize(3);
    state.previous_epoch_participation = {0, 0, 0};
    state.current_epoch_participation = {0, 0, 0};
    state.inactivity_scores = {0, 0, 0};
    chain.state = as_string(ssz::altair::serialize(state, preset).value());
    const auto state_root = ssz::altair::hash_tree_root(state, preset).value();
    chain.block = altair_block(state.slot, state_root);
    chain.block_root =
        ssz::inspect_signed_beacon_block(as_bytes(chain.block), ssz::ForkName::altair, chain.facts.preset).value().root;
    chain.gvr = state.genesis_validators_root;
    chain.facts.genesis = {.genesis_time = genesis_time, .genesis_validators_root = chain.gvr};
    return chain;
}

// A provider; each flag is one way to misbehave.
struct Behaviour {
    bool stale_genesis{false};
    bool server_error{false};
    bool truncated_state{false};
    const Chain* other_state{nullptr};      // serves this chain's state instead
    const Chain* other_finalized{nullptr};  // reports this chain's checkpoint
    std::chrono::milliseconds state_delay{0};
};

std::unique_ptr<test::HttpTestServer> provider(const Chain& chain, Behaviour behaviour) {
    return std::make_unique<test::HttpTestServer>([&chain, behaviour](httplib::Server& http) {
        http.Get("/eth/v1/beacon/genesis", [&chain, behaviour](const httplib::Request&, httplib::Response& response) {
            if (behaviour.server_error) {
                response.status = 500;
                return;
            }
            const auto time = behaviour.stale_genesis ? genesis_time - std::uint64_t{28} * 86400 : genesis_time;
            auto gvr = chain.gvr;
            if (behaviour.stale_genesis) gvr[0] ^= 0xff;
            response.set_content(
                fmt::format(
                    R"({{"data":{{"genesis_time":"{}","genesis_validators_root":"{}","genesis_fork_version":"0x1000101b"}}}})",
                    time, beacon::root_hex(gvr)),
                "application/json");
        });
        http.Get("/eth/v1/beacon/states/head/finality_checkpoints", [&chain, behaviour](const httplib::Request&,
                                                                                        httplib::Response& response) {
            const Chain& reported = behaviour.other_finalized != nullptr ? *behaviour.other_finalized : chain;
            const auto checkpoint =
                fmt::format(R"({{"epoch":"{}","root":"{}"}})", finalized_epoch, beacon::root_hex(reported.block_root));
            response.set_content(
                fmt::format(R"({{"data":{{"previous_justified":{0},"current_justified":{0},"finalized":{0}}}}})",
                            checkpoint),
                "application/json");
        });
        http.Get(R"(/eth/v2/beacon/blocks/(.+))",
                 [&chain](const httplib::Request& request, httplib::Response& response) {
                     if (request.matches[1] != beacon::root_hex(chain.block_root)) {
                         response.status = 404;
                         return;
                     }
                     response.set_header("Eth-Consensus-Version", "altair");
                     response.set_content(chain.block, "application/octet-stream");
                 });
        http.Get(R"(/eth/v2/debug/beacon/states/(.+))",
                 [&chain, behaviour](const httplib::Request&, httplib::Response& response) {
                     std::this_thread::sleep_for(behaviour.state_delay);
                     std::string state = behaviour.other_state != nullptr ? behaviour.other_state->state : chain.state;
                     if (behaviour.truncated_state) state.resize(state.size() / 2);
                     response.set_header("Eth-Consensus-Version", "altair");
                     response.set_content(state, "application/octet-stream");
                 });
    });
}

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
    EXPECT_EQ(header->slot, finalized_epoch * slots_per_epoch);
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

}  // namespace
}  // namespace ephemery::checkpoint
