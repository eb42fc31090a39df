// Checkpoint sync against a real Lodestar v1.5.1 dev chain (phase0 for two epochs, then Altair), on loopback:
//  - our hash_tree_root of the blocks and states Lodestar serves equals the roots Lodestar reports;
//  - `ephemery checkpoint fetch` through faulty proxies in front of it installs only a verified pair;
//  - a second Lodestar node checkpoint-syncs from `ephemery checkpoint serve` and then follows the chain;
//  - the event stream delivers its head and finalized_checkpoint events.
// One Lodestar chain serves every test of the suite (started once; ctest runs this binary as one test).
#include "beacon/client.hpp"
#include "beacon/events.hpp"
#include "checkpoint/json_ssz.hpp"
#include "checkpoint/verify.hpp"
#include "core/text.hpp"
#include "release/layout.hpp"
#include "ssz/beacon.hpp"
#include "test_support/background_process.hpp"
#include "test_support/files.hpp"
#include "test_support/http_server.hpp"
#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

namespace ephemery::checkpoint {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;

const std::filesystem::path lodestar_dir = EPHEMERY_LODESTAR_DIR;
const std::filesystem::path lodestar_script = lodestar_dir / "node_modules" / ".bin" / "lodestar";
constexpr std::uint64_t altair_epoch = 2;
constexpr std::uint64_t slots_per_epoch = 8;  // minimal preset

beacon::HttpSettings quick_http() {
    beacon::HttpSettings http;
    http.connect_timeout = 2s;
    http.request_timeout = 20s;
    http.attempts = 2;
    return http;
}

// The Lodestar chain every test reads, with a release directory describing it (what `genesis fetch` would
// have installed: config.yaml and genesis.ssz).
class LodestarChain : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        ASSERT_TRUE(std::filesystem::exists(lodestar_script))
            << "Lodestar is not installed in " << lodestar_dir.string()
            << ": run scripts/install-lodestar (make test does)";
        node_program = test::find_on_path("node");
        ASSERT_FALSE(node_program.empty()) << "node is not on PATH; Lodestar needs Node.js 20";
        workspace = std::make_unique<test::TempDir>();
        source_rest_port = test::free_loopback_port();
        chain_genesis_time = static_cast<std::uint64_t>(std::time(nullptr)) + 6;
        source_node = start_lodestar("source", {"--startValidators", "0..7", "--beaconNodes", url()}, source_rest_port);
        // Checkpoint sync needs a finalized state whose own finalized checkpoint is not genesis (epoch >= 3).
        const bool finalized = test::wait_until(
            [] {
                if (!source_node->running()) return true;
                beacon::BeaconClient client(url(), quick_http());
                const auto checkpoints = client.finality_checkpoints("head");
                return checkpoints && checkpoints->finalized.epoch >= 4;
            },
            240s, 1s);
        ASSERT_TRUE(finalized && source_node->running())
            << "the Lodestar chain did not finalize epoch 4" << source_node->log_tail();
        write_release();
    }

    static void TearDownTestSuite() {
        if (source_node) source_node->stop();
        source_node.reset();
        workspace.reset();
    }

    static std::string url(std::uint16_t port = source_rest_port) { return "http://127.0.0.1:" + std::to_string(port); }

    static std::unique_ptr<test::BackgroundProcess> start_lodestar(const std::string& name,
                                                                   const std::vector<std::string>& extra,
                                                                   std::uint16_t rest_port) {
        const auto directory = workspace->path() / name;
        std::filesystem::create_directories(directory);
        test::BackgroundProcessOptions options;
        options.argv = {node_program.string(),
                        lodestar_script.string(),
                        "dev",
                        "--genesisValidators",
                        "8",
                        "--genesisTime",
                        std::to_string(chain_genesis_time),
                        "--params.SECONDS_PER_SLOT",
                        "2",
                        "--params.ALTAIR_FORK_EPOCH",
                        std::to_string(altair_epoch),
                        "--dataDir",
                        (directory / "data").string(),
                        "--rest.address",
                        "127.0.0.1",
                        "--rest.port",
                        std::to_string(rest_port),
                        "--rest.namespace",
                        "*",
                        "--listenAddress",
                        "127.0.0.1",
                        "--port",
                        std::to_string(test::free_loopback_port()),
                        "--logFile",
                        "none"};
        options.argv.insert(options.argv.end(), extra.begin(), extra.end());
        options.env = {{"HOME", workspace->path().string()},
                       {"PATH", node_program.parent_path().string() + ":/usr/bin:/bin"}};
        options.working_directory = directory;  // `lodestar dev` writes genesis.ssz here
        options.log_file = workspace->path() / (name + ".log");
        return std::make_unique<test::BackgroundProcess>(std::move(options));
    }

    // metadata/config.yaml from the node's spec, metadata/genesis.ssz from `lodestar dev`.
    static void write_release() {
        beacon::BeaconClient client(url(), quick_http());
        const auto spec = client.spec();
        ASSERT_TRUE(spec) << spec.error().message;
        release_dir = workspace->path() / "release";
        std::filesystem::create_directories(release_dir / "metadata");
        std::ofstream config(release_dir / "metadata" / "config.yaml");
        for (const auto& [key, value] : *spec) {
            if (value.find_first_of("[{:") == std::string::npos) config << key << ": " << value << "\n";
        }
        config.close();
        std::filesystem::copy_file(workspace->path() / "source" / "genesis.ssz",
                                   release_dir / "metadata" / "genesis.ssz");
        std::ofstream(release_dir / "metadata" / "genesis.json") << "{}\n";
        // What `ephemery checkpoint fetch --release` reads from that directory.
        release::ReleaseFiles files;
        files.layout = release::Layout::network_config;
        for (const char* name : {"config.yaml", "genesis.ssz"}) {
            files.files[release::path_of(files.layout, name)] = test::contents_of(release_dir / "metadata" / name);
        }
        auto facts = network_facts(files);
        ASSERT_TRUE(facts) << facts.error().message;
        chain_facts = *facts;
        ASSERT_EQ(chain_facts.slots_per_epoch, slots_per_epoch);
        ASSERT_EQ(ssz::fork_at_epoch(chain_facts.forks, altair_epoch), ssz::ForkName::altair);
    }

    static test::CommandOutput ephemery(std::vector<std::string> args) {
        args.insert(args.begin(), {EPHEMERY_BINARY, "--data-dir", (workspace->path() / "ephemery").string()});
        return test::run_command(args, {{"HOME", workspace->path().string()}, {"PATH", "/usr/bin:/bin"}},
                                 workspace->path().string());
    }

    static inline std::filesystem::path node_program;
    static inline std::unique_ptr<test::TempDir> workspace;
    static inline std::unique_ptr<test::BackgroundProcess> source_node;
    static inline std::uint16_t source_rest_port{0};
    static inline std::uint64_t chain_genesis_time{0};
    static inline std::filesystem::path release_dir;
    static inline NetworkFacts chain_facts;
};

TEST_F(LodestarChain, OurRootsOfBlocksAndStatesEqualLodestars) {
    beacon::BeaconClient client(url(), quick_http());
    const auto head = client.header("head");
    ASSERT_TRUE(head) << head.error().message;
    ASSERT_GE(head->slot, 4 * slots_per_epoch);

    // The genesis state (phase0) is the one the genesis block commits to.
    const auto genesis_header = client.header("0");
    ASSERT_TRUE(genesis_header) << genesis_header.error().message;
    const auto genesis_state = test::contents_of(release_dir / "metadata" / "genesis.ssz");
    const auto genesis_summary =
        ssz::inspect_beacon_state(as_bytes(genesis_state), ssz::ForkName::phase0, chain_facts.preset);
    ASSERT_TRUE(genesis_summary) << genesis_summary.error().message;
    EXPECT_EQ(genesis_summary->root, genesis_header->state_root);

    // Every block from slot 1 to the head, phase0 and Altair, by our hash against Lodestar's header root.
    std::size_t blocks = 0;
    std::size_t converted_from_json = 0;
    std::set<ssz::ForkName> block_forks;
    for (std::uint64_t slot = 1; slot <= head->slot; ++slot) {
        const auto header = client.header(std::to_string(slot));
        if (!header) continue;  // an empty slot
        const auto file = workspace->path() / "block.ssz";
        const auto downloaded = client.download_block(std::to_string(slot), file);
        ASSERT_TRUE(downloaded) << downloaded.error().message;
        const auto fork = fork_at_slot(chain_facts, slot);
        if (!downloaded->consensus_version.empty()) {
            EXPECT_EQ(downloaded->consensus_version, ssz::fork_name(fork)) << "slot " << slot;
        }
        std::string bytes = test::contents_of(file);
        if (downloaded->json) {  // Lodestar 1.5.1 serves blocks only as JSON
            const auto converted = signed_block_ssz_from_json(bytes, chain_facts.preset);
            ASSERT_TRUE(converted) << "slot " << slot << ": " << converted.error().message;
            bytes.assign(converted->begin(), converted->end());
            ++converted_from_json;
        }
        const auto summary = ssz::inspect_signed_beacon_block(as_bytes(bytes), fork, chain_facts.preset);
        ASSERT_TRUE(summary) << "slot " << slot << ": " << summary.error().message;
        EXPECT_EQ(summary->root, header->root) << "slot " << slot;
        EXPECT_EQ(summary->state_root, header->state_root) << "slot " << slot;
        ++blocks;
        block_forks.insert(fork);
    }
    EXPECT_GE(blocks, 3 * slots_per_epoch);
    EXPECT_EQ(block_forks.size(), 2U) << "phase0 and Altair blocks";
    std::cout << blocks << " blocks checked (" << converted_from_json << " answered in JSON and converted)\n";

    // Recent states (Lodestar regenerates them), across an epoch transition, against the headers' state roots.
    std::size_t states = 0;
    bool boundary = false;
    const std::uint64_t newest = head->slot;
    for (std::uint64_t slot = newest - slots_per_epoch - 1; slot <= newest; ++slot) {
        const auto header = client.header(std::to_string(slot));
        if (!header) continue;
        const auto file = workspace->path() / "state.ssz";
        if (!client.download_state(std::to_string(slot), file)) continue;  // pruned from Lodestar's caches
        const auto bytes = test::contents_of(file);
        const auto summary =
            ssz::inspect_beacon_state(as_bytes(bytes), fork_at_slot(chain_facts, slot), chain_facts.preset);
        ASSERT_TRUE(summary) << "slot " << slot << ": " << summary.error().message;
        EXPECT_EQ(summary->root, header->state_root) << "state at slot " << slot;
        ++states;
        boundary = boundary || slot % slots_per_epoch == 0;
    }
    EXPECT_GE(states, 4U);
    EXPECT_TRUE(boundary) << "a state right after an epoch transition";
}

TEST_F(LodestarChain, TheEventStreamDeliversHeadsAndFinalizedCheckpoints) {
    beacon::BeaconClient client(url(), quick_http());
    const auto version = client.version();
    ASSERT_TRUE(version) << version.error().message;
    beacon::EventStreamSettings settings;
    settings.topics_style = beacon::event_topics_style(*version);  // Lodestar 1.5.1: the repeated form
    std::atomic<bool> stop{false};
    std::set<std::string> topics;
    std::uint64_t heads = 0;
    std::thread deadline([&stop] {
        for (int waited = 0; waited < 400 && !stop.load(); ++waited) std::this_thread::sleep_for(100ms);
        stop = true;
    });
    const auto stats = beacon::stream_events(
        url(), {"head", "finalized_checkpoint"},
        [&](const beacon::Event& event) {
            topics.insert(event.topic);
            const auto data = nlohmann::json::parse(event.data, nullptr, false);
            EXPECT_FALSE(data.is_discarded()) << event.data;
            if (event.topic == "head") ++heads;
            // Two epochs of heads (16 slots) include an epoch transition, hence a finalized checkpoint.
            if (topics.size() == 2 && heads >= 2) stop = true;
        },
        stop, settings);
    deadline.join();
    EXPECT_TRUE(topics.contains("head")) << stats.last_error;
    EXPECT_TRUE(topics.contains("finalized_checkpoint")) << stats.last_error;
}

// A proxy in front of the Lodestar node that misbehaves in one way.
enum class Fault { none, stale_genesis, server_error, hangs, truncated_state, wrong_state, other_finalized };

std::unique_ptr<test::HttpTestServer> proxy(std::uint16_t upstream_port, Fault fault) {
    return std::make_unique<test::HttpTestServer>([upstream_port, fault](httplib::Server& http) {
        http.Get(R"(/(.*))", [upstream_port, fault](const httplib::Request& request, httplib::Response& response) {
            if (fault == Fault::server_error) {
                response.status = 500;
                return;
            }
            if (fault == Fault::hangs) {
                std::this_thread::sleep_for(5s);
                response.status = 504;
                return;
            }
            httplib::Client upstream("127.0.0.1", upstream_port);
            upstream.set_read_timeout(30s);
            std::string path = request.path;
            const bool is_state = path.starts_with("/eth/v2/debug/beacon/states/");
            if (is_state && fault == Fault::wrong_state) path = "/eth/v2/debug/beacon/states/head";
            httplib::Headers headers;
            if (request.has_header("Accept")) headers.emplace("Accept", request.get_header_value("Accept"));
            const auto answer = upstream.Get(path, headers);
            if (!answer) {
                response.status = 502;
                return;
            }
            std::string body = answer->body;
            if (path == "/eth/v1/beacon/genesis" && fault == Fault::stale_genesis) {
                auto document = nlohmann::json::parse(body);
                document["data"]["genesis_time"] = "1";
                document["data"]["genesis_validators_root"] = "0x" + std::string(64, '1');
                body = document.dump();
            }
            if (path.ends_with("/finality_checkpoints") && fault == Fault::other_finalized) {
                auto document = nlohmann::json::parse(body);
                document["data"]["finalized"]["root"] = "0x" + std::string(64, '2');
                body = document.dump();
            }
            if (is_state && fault == Fault::truncated_state) body.resize(body.size() / 2);
            response.status = answer->status;
            if (answer->has_header("Eth-Consensus-Version")) {
                response.set_header("Eth-Consensus-Version", answer->get_header_value("Eth-Consensus-Version"));
            }
            response.set_content(body, answer->get_header_value("Content-Type"));
        });
    });
}

TEST_F(LodestarChain, FetchThroughFaultyProxiesInstallsOnlyAVerifiedState) {
    std::vector<std::unique_ptr<test::HttpTestServer>> proxies;
    for (const auto fault : {Fault::stale_genesis, Fault::server_error, Fault::hangs, Fault::truncated_state,
                             Fault::wrong_state, Fault::other_finalized, Fault::none, Fault::none}) {
        proxies.push_back(proxy(source_rest_port, fault));
    }
    const auto fetch_with = [&](const std::vector<std::size_t>& which, const std::string& quorum) {
        std::vector<std::string> args{"checkpoint", "fetch", "--release", release_dir.string(), "--quorum", quorum,
                                      "--timeout",  "3",     "--json"};
        for (const auto index : which) {
            args.emplace_back("--provider");
            args.push_back(proxies[index]->base_url());
        }
        return ephemery(args);
    };

    // Only liars and failures: nothing may be installed, whatever the quorum.
    const auto refused = fetch_with({0, 1, 3, 4}, "1");
    EXPECT_NE(refused.exit_code, 0) << refused.out << refused.err;
    auto report = nlohmann::json::parse(refused.out, nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << refused.out << refused.err;
    EXPECT_FALSE(report.value("ok", true));
    EXPECT_FALSE(report.contains("installed"));
    EXPECT_FALSE(std::filesystem::exists(workspace->path() / "ephemery" / "checkpoints") &&
                 !std::filesystem::is_empty(workspace->path() / "ephemery" / "checkpoints"))
        << "nothing unverified in the cache";

    // Every kind of fault plus two honest proxies and a quorum of 2: the honest pair wins.
    const auto fetched = fetch_with({0, 1, 2, 3, 4, 5, 6, 7}, "2");
    report = nlohmann::json::parse(fetched.out, nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << fetched.out << fetched.err;
    ASSERT_EQ(fetched.exit_code, 0) << report.dump(2) << fetched.err;
    const auto& providers = report.at("providers");
    EXPECT_EQ(providers[0].at("verdict"), "stale");
    EXPECT_EQ(providers[1].at("verdict"), "unreachable");
    EXPECT_EQ(providers[2].at("verdict"), "unreachable");
    EXPECT_EQ(providers[5].at("verdict"), "disagreeing");
    EXPECT_EQ(providers[6].at("verdict"), "agreeing");
    EXPECT_EQ(providers[7].at("verdict"), "agreeing");
    const auto& installed = report.at("installed");
    EXPECT_THAT(
        installed.at("served_by").get<std::string>(),
        testing::AnyOf(proxies[6]->base_url(), proxies[7]->base_url(), proxies[3]->base_url(), proxies[4]->base_url()));
    // What was installed hashes to what Lodestar says the finalized block committed to.
    beacon::BeaconClient client(url(), quick_http());
    const auto header = client.header(installed.at("block_root").get<std::string>());
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(beacon::root_hex(header->state_root), installed.at("state_root"));
    const auto state = test::contents_of(std::filesystem::path(installed.at("dir").get<std::string>()) / "state.ssz");
    const auto slot = installed.at("slot").get<std::uint64_t>();
    const auto summary =
        ssz::inspect_beacon_state(as_bytes(state), fork_at_slot(chain_facts, slot), chain_facts.preset);
    ASSERT_TRUE(summary) << summary.error().message;
    EXPECT_EQ(summary->root, header->state_root);
}

TEST_F(LodestarChain, ALodestarNodeCheckpointSyncsFromCheckpointServe) {
    const auto fetched = ephemery(
        {"checkpoint", "fetch", "--release", release_dir.string(), "--quorum", "1", "--provider", url(), "--json"});
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    const auto report = nlohmann::json::parse(fetched.out);
    const auto checkpoint_epoch = report.at("installed").at("finalized_epoch").get<std::uint64_t>();

    const auto serve_port = test::free_loopback_port();
    test::BackgroundProcessOptions options;
    options.argv = {EPHEMERY_BINARY,      "--data-dir", (workspace->path() / "ephemery").string(),
                    "checkpoint",         "serve",      "--release",
                    release_dir.string(), "--port",     std::to_string(serve_port)};
    options.env = {{"HOME", workspace->path().string()}, {"PATH", "/usr/bin:/bin"}};
    options.working_directory = workspace->path();
    options.log_file = workspace->path() / "serve.log";
    test::BackgroundProcess serve(std::move(options));
    ASSERT_TRUE(test::wait_until(
        [&] {
            beacon::BeaconClient client(url(serve_port), quick_http());
            return !serve.running() || client.genesis().ok();
        },
        20s))
        << serve.log();
    ASSERT_TRUE(serve.running()) << serve.log();

    const auto follower_port = test::free_loopback_port();
    auto follower = start_lodestar("follower", {"--checkpointSyncUrl", url(serve_port)}, follower_port);
    beacon::BeaconClient follower_client(url(follower_port), quick_http());
    ASSERT_TRUE(test::wait_until([&] { return !follower->running() || follower_client.version().ok(); }, 90s))
        << follower->log_tail();
    ASSERT_TRUE(follower->running()) << follower->log_tail();
    // It started from our checkpoint: Lodestar logs the state it initialised from, and that is ours.
    const auto installed_slot = report.at("installed").at("slot").get<std::uint64_t>();
    const auto installed_state_root = report.at("installed").at("state_root").get<std::string>();
    ASSERT_TRUE(test::wait_until(
        [&] {
            return follower->plain_log().find("Initializing beacon from a valid checkpoint state") != std::string::npos;
        },
        30s))
        << follower->log_tail();
    const std::string follower_log = follower->plain_log();
    EXPECT_THAT(follower_log, HasSubstr("checkpointSyncUrl=" + url(serve_port)));
    EXPECT_THAT(follower_log, HasSubstr(fmt::format("valid checkpoint state slot={}, epoch={}, stateRoot={}",
                                                    installed_slot, checkpoint_epoch, installed_state_root)))
        << follower->log_tail();

    // Then it follows the source chain (Lodestar 1.5.1 needs the peer dialled, and re-dialled when its first
    // Status exchange stalls: docs/lodestar-notes.md).
    beacon::BeaconClient source_client(url(), quick_http());
    httplib::Client source_http("127.0.0.1", source_rest_port);
    const auto identity = nlohmann::json::parse(source_http.Get("/eth/v1/node/identity")->body);
    const auto peer_id = identity["data"]["peer_id"].get<std::string>();
    auto address = identity["data"]["p2p_addresses"][0].get<std::string>();
    address = address.substr(0, address.find("/p2p/"));
    httplib::Client follower_http("127.0.0.1", follower_port);
    const auto dial = [&] {
        (void)follower_http.Post("/eth/v1/lodestar/disconnect_peer?peerId=" + peer_id);
        (void)follower_http.Post("/eth/v1/lodestar/connect_peer?peerId=" + peer_id + "&multiaddr=" + address);
    };
    dial();
    auto last_dial = std::chrono::steady_clock::now();
    const bool synced = test::wait_until(
        [&] {
            const auto status = follower_client.syncing();
            const auto source_head = source_client.header("head");
            if (status && !status->is_syncing && source_head && status->head_slot + 2 >= source_head->slot) return true;
            if (std::chrono::steady_clock::now() - last_dial > 10s) {
                dial();
                last_dial = std::chrono::steady_clock::now();
            }
            return !follower->running();
        },
        150s, 1s);
    ASSERT_TRUE(synced && follower->running()) << follower->log_tail();
    const auto follower_finalized = follower_client.finality_checkpoints("head");
    ASSERT_TRUE(follower_finalized);
    EXPECT_GE(follower_finalized->finalized.epoch, checkpoint_epoch);
    follower->stop();
    serve.stop();
}

}  // namespace
}  // namespace ephemery::checkpoint
