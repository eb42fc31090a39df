#include "collector/collector.hpp"

#include "core/text.hpp"
#include "ssz/altair.hpp"
#include "ssz/beacon.hpp"
#include "ssz/codec.hpp"
#include "ssz/schema.hpp"
#include "test_support/background_process.hpp"
#include "test_support/http_server.hpp"
#include "test_support/temp_dir.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>

namespace ephemery::collector {
namespace {

constexpr std::uint64_t far_future = ~std::uint64_t{0};
constexpr std::uint64_t gwei_32_eth = 32'000'000'000;
constexpr std::int64_t genesis_time = 1'700'000'000;

std::string hex_of_key(std::uint8_t key) {
    return "0x" + to_hex(std::vector<std::uint8_t>(48, key));
}

// A fake beacon node: one chain (genesis root, validators in some order, participation) served with the
// beacon-APIs shapes, the state as SSZ.
struct FakeNode {
    std::mutex mutex;
    std::uint8_t genesis_root_byte{1};
    std::vector<std::uint8_t> keys{1, 2, 3, 4};   // validator i has pubkey 48 x keys[i]
    std::vector<std::uint8_t> flags{7, 7, 0, 7};  // previous_epoch_participation
    std::uint64_t head_slot{28};
    bool rewards_api{false};
    std::vector<std::string> state_ids;

    std::string state_ssz(std::uint64_t slot) {
        const auto preset = ssz::altair::minimal_preset();
        auto state = ssz::altair::default_beacon_state(preset);
        state.slot = slot;
        for (const auto key : keys) {
            ssz::altair::Validator v;
            v.pubkey.fill(key);
            v.effective_balance = gwei_32_eth;
            v.exit_epoch = far_future;
            v.withdrawable_epoch = far_future;
            state.validators.push_back(v);
            state.balances.push_back(gwei_32_eth + key);
            state.inactivity_scores.push_back(0);
            state.current_epoch_participation.push_back(0);
        }
        state.previous_epoch_participation = flags;
        state.finalized_checkpoint.epoch = 1;
        // Sync committee position i is validator i % 4.
        for (std::size_t position = 0; position < state.current_sync_committee.pubkeys.size(); ++position) {
            state.current_sync_committee.pubkeys[position].fill(keys[position % keys.size()]);
        }
        const auto bytes = ssz::altair::serialize(state, preset);
        return bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
    }

    // Epoch 2's blocks: slot 17 includes slot 16's attestation by validators 0 and 1 (delay 1), slot 20 slot 17's
    // by validator 3 (delay 3); validator 2's vote is in no block. Both carry sync bits of every position but
    // validator 2's.
    static std::string block_ssz(std::uint64_t slot) {
        const auto preset = *ssz::preset_by_name("minimal");
        const auto schemas = ssz::beacon_schemas(ssz::ForkName::altair, preset);
        auto block = ssz::default_value(*schemas.signed_beacon_block);
        auto& message = block.items[0];
        message.items[schemas.beacon_block->field_index("slot")].bytes = ssz::uint64_bytes(slot);
        auto& body = message.items[schemas.beacon_block->field_index("body")];
        const auto& body_type = *schemas.beacon_block_body;
        const auto& attestations_type = *body_type.fields()[body_type.field_index("attestations")].type;
        auto attestation = ssz::default_value(*attestations_type.element());
        attestation.items[0].bytes = {slot == 17 ? std::uint8_t{0x07} : std::uint8_t{0x06}};  // aggregation_bits
        attestation.items[1].items[0].bytes = ssz::uint64_bytes(slot == 17 ? 16 : 17);        // data.slot
        body.items[body_type.field_index("attestations")].items.push_back(std::move(attestation));
        body.items[body_type.field_index("sync_aggregate")].items[0].bytes.assign(4, 0xbb);
        const auto bytes = ssz::encode(*schemas.signed_beacon_block, block);
        return bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
    }

    void routes(httplib::Server& server) {
        const auto json = [](httplib::Response& response, const std::string& body) {
            response.set_content(body, "application/json");
        };
        server.Get("/eth/v1/beacon/genesis", [this, json](const httplib::Request&, httplib::Response& response) {
            const std::scoped_lock lock(mutex);
            json(response, fmt::format(R"({{"data":{{"genesis_time":"{}","genesis_validators_root":"0x{}",)"
                                       R"("genesis_fork_version":"0x00000001"}}}})",
                                       genesis_time + std::int64_t{genesis_root_byte - 1} * 1000,
                                       to_hex(std::vector<std::uint8_t>(32, genesis_root_byte))));
        });
        server.Get("/eth/v1/config/spec", [json](const httplib::Request&, httplib::Response& response) {
            json(response, R"({"data":{"SECONDS_PER_SLOT":"2","SLOTS_PER_EPOCH":"8","PRESET_BASE":"minimal",)"
                           R"("ALTAIR_FORK_EPOCH":"0","EPOCHS_PER_SYNC_COMMITTEE_PERIOD":"8"}})");
        });
        server.Get("/eth/v1/node/syncing", [this, json](const httplib::Request&, httplib::Response& response) {
            const std::scoped_lock lock(mutex);
            json(response,
                 fmt::format(R"({{"data":{{"head_slot":"{}","sync_distance":"0","is_syncing":false}}}})", head_slot));
        });
        server.Get("/eth/v1/node/peer_count", [json](const httplib::Request&, httplib::Response& response) {
            json(response, R"({"data":{"connected":"3","connecting":"0","disconnected":"1","disconnecting":"0"}})");
        });
        server.Get("/eth/v1/beacon/states/head/finality_checkpoints",
                   [json](const httplib::Request&, httplib::Response& response) {
                       const std::string root = "0x" + std::string(64, '0');
                       json(response, fmt::format(R"({{"data":{{"previous_justified":{{"epoch":"1","root":"{0}"}},)"
                                                  R"("current_justified":{{"epoch":"2","root":"{0}"}},)"
                                                  R"("finalized":{{"epoch":"1","root":"{0}"}}}}}})",
                                                  root));
                   });
        server.Get(R"(/eth/v1/validator/duties/proposer/(\d+))",
                   [this, json](const httplib::Request& request, httplib::Response& response) {
                       const auto epoch = std::stoull(request.matches[1]);
                       if (epoch != 2) {
                           response.status = 400;
                           return;
                       }
                       const std::scoped_lock lock(mutex);
                       json(response, fmt::format(R"({{"dependent_root":"0x{}","data":[)"
                                                  R"({{"pubkey":"{}","validator_index":"0","slot":"17"}},)"
                                                  R"({{"pubkey":"{}","validator_index":"2","slot":"18"}}]}})",
                                                  std::string(64, '0'), hex_of_key(keys[0]), hex_of_key(keys[2])));
                   });
        server.Get(
            R"(/eth/v1/beacon/headers/(\d+))", [json](const httplib::Request& request, httplib::Response& response) {
                if (request.matches[1] != "17") {
                    response.status = 404;
                    json(response, R"({"code":404,"message":"not found"})");
                    return;
                }
                const std::string root = "0x" + std::string(64, '1');
                json(response, fmt::format(R"({{"data":{{"root":"{0}","canonical":true,"header":{{"message":{{)"
                                           R"("slot":"17","proposer_index":"0","parent_root":"{0}","state_root":"{0}",)"
                                           R"("body_root":"{0}"}},"signature":"0x{1}"}}}}}})",
                                           root, std::string(192, '0')));
            });
        server.Get(R"(/eth/v2/debug/beacon/states/(.+))", [this](const httplib::Request& request,
                                                                 httplib::Response& response) {
            const std::scoped_lock lock(mutex);
            state_ids.push_back(request.matches[1]);
            const std::string id = request.matches[1];
            response.set_header("Eth-Consensus-Version", "altair");
            response.set_content(state_ssz(id == "head" ? head_slot : std::stoull(id)), "application/octet-stream");
        });
        server.Get(R"(/eth/v2/beacon/blocks/(\d+))", [](const httplib::Request& request, httplib::Response& response) {
            const auto slot = std::stoull(request.matches[1]);
            if (slot != 17 && slot != 20) {
                response.status = 404;
                response.set_content(R"({"code":404,"message":"not found"})", "application/json");
                return;
            }
            response.set_header("Eth-Consensus-Version", "altair");
            response.set_content(block_ssz(slot), "application/octet-stream");
        });
        server.Get(R"(/eth/v1/beacon/states/([^/]+)/committees)", [json](const httplib::Request& request,
                                                                         httplib::Response& response) {
            if (request.get_param_value("epoch") != "2") {
                json(response, R"({"execution_optimistic":false,"finalized":false,"data":[]})");
                return;
            }
            // One committee per slot; the four validators attest in slots 16 and 17.
            std::string committees = R"({"index":"0","slot":"16","validators":["0","1"]},)"
                                     R"({"index":"0","slot":"17","validators":["2","3"]})";
            for (int slot = 18; slot < 24; ++slot) {
                committees += fmt::format(R"(,{{"index":"0","slot":"{}","validators":[]}})", slot);
            }
            json(response, R"({"execution_optimistic":false,"finalized":false,"data":[)" + committees + "]}");
        });
        // The rewards API as beacon-APIs defines it; absent (404) unless switched on.
        server.Post(R"(/eth/v1/beacon/rewards/attestations/(\d+))", [this, json](const httplib::Request&,
                                                                                 httplib::Response& response) {
            const std::scoped_lock lock(mutex);
            if (!rewards_api) {
                response.status = 404;
                json(response, R"({"code":404,"message":"Route not found"})");
                return;
            }
            json(
                response,
                R"({"execution_optimistic":false,"finalized":true,"data":{"ideal_rewards":[)"
                R"({"effective_balance":"32000000000","head":"313048","target":"1162752","source":"626097",)"
                R"("inclusion_delay":"0","inactivity":"0"}],"total_rewards":[)"
                R"({"validator_index":"0","head":"313048","target":"1162752","source":"626097","inclusion_delay":"0","inactivity":"0"},)"
                R"({"validator_index":"1","head":"313048","target":"1162752","source":"626097","inclusion_delay":"0","inactivity":"0"},)"
                R"({"validator_index":"2","head":"0","target":"-2325505","source":"-1252195","inclusion_delay":"0","inactivity":"0"},)"
                R"({"validator_index":"3","head":"313048","target":"1162752","source":"626097","inclusion_delay":"0","inactivity":"0"}]}})");
        });
    }
};

class CollectorTest : public testing::Test {
  protected:
    CollectorSettings settings() {
        CollectorSettings settings;
        settings.monitoring.mode = monitoring::Mode::head;
        settings.monitoring.validators = {monitoring::ValidatorGroup{"mine", {hex_of_key(1), hex_of_key(3)}, ""},
                                          monitoring::ValidatorGroup{"ranged", {}, "3"}};
        settings.beacon_url = server_.base_url();
        settings.data_dir = dir_.path();
        settings.database = dir_.path() / "monitoring.db";
        settings.iteration_of = [](std::int64_t time) { return std::uint64_t(10 + (time - genesis_time) / 1000); };
        settings.clock = [] { return genesis_time + std::int64_t{29} * 2; };  // slot 29
        settings.backfill_epochs = 1;
        return settings;
    }

    std::vector<monitoring::ValidatorEpoch> stored(std::uint64_t iteration) {
        auto store = history::HistoryStore::open(dir_.path() / "monitoring.db");
        EXPECT_TRUE(store);
        history::ValidatorQuery query;
        query.iteration = iteration;
        auto rows = store->validators(query);
        EXPECT_TRUE(rows);
        return rows ? *rows : std::vector<monitoring::ValidatorEpoch>{};
    }

    FakeNode node_;
    test::HttpTestServer server_{[this](httplib::Server& server) { node_.routes(server); }};
    test::TempDir dir_;
};

TEST_F(CollectorTest, DerivesFiguresFromTheStateWhenTheNodeHasNoRewardsApi) {
    std::vector<monitoring::Sample> alerted;
    auto collector =
        Collector::create(settings(), [&](const auto& samples, std::uint64_t, std::uint64_t) { alerted = samples; });
    ASSERT_TRUE(collector) << collector.error().message;
    const auto judged = (*collector)->poll();
    ASSERT_TRUE(judged) << judged.error().message;
    EXPECT_EQ(*judged, 1U);  // head slot 28: epoch 2 (epoch 3 is half-way)

    const auto rows = stored(10);
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[0].pubkey, hex_of_key(1));
    EXPECT_EQ(rows[0].label, "mine");
    EXPECT_EQ(rows[0].epoch, 2U);
    EXPECT_EQ(rows[0].source, monitoring::FigureSource::participation_flags);
    EXPECT_EQ(rows[0].attestation_reward, 3622420);  // 3 of 4 voted: 939146 + 1744128 + 939146
    EXPECT_EQ(rows[0].proposals_made, 1U);
    EXPECT_EQ(rows[1].index, 2U);
    EXPECT_EQ(rows[1].missed_attestations_in_row, 1U);
    EXPECT_EQ(rows[1].proposals_missed, 1U);
    EXPECT_EQ(rows[2].label, "ranged");
    EXPECT_EQ(rows[2].balance, gwei_32_eth + 4);
    // From the blocks: inclusion delays and sync-committee signatures (each validator holds 8 of the 32 positions).
    EXPECT_EQ(rows[0].inclusion_delay, std::optional<std::uint32_t>(1));
    EXPECT_EQ(rows[1].inclusion_delay, std::nullopt);
    EXPECT_EQ(rows[2].inclusion_delay, std::optional<std::uint32_t>(3));
    EXPECT_EQ(rows[0].sync_participated, std::optional<std::uint32_t>(2));
    EXPECT_EQ(rows[0].sync_missed, std::optional<std::uint32_t>(0));
    EXPECT_EQ(rows[1].sync_participated, std::optional<std::uint32_t>(0));
    EXPECT_EQ(rows[1].sync_missed, std::optional<std::uint32_t>(2));
    // No liveness API here: liveness follows the votes.
    EXPECT_EQ(rows[0].live, std::optional<bool>(true));
    EXPECT_EQ(rows[1].live, std::optional<bool>(false));

    const auto text = monitoring::render_prometheus((*collector)->metric_families());
    EXPECT_NE(text.find("ephemery_validators_missed_attestations{label=\"mine\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("ephemery_node_peers 3\n"), std::string::npos);
    EXPECT_NE(text.find("ephemery_validators_sync_committee_blocks{label=\"mine\",outcome=\"missed\"} 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("ephemery_validators_mean_inclusion_delay_slots{label=\"mine\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("ephemery_monitor_epochs_judged_total 1\n"), std::string::npos);
    EXPECT_FALSE(alerted.empty());
    EXPECT_EQ((*collector)->counters().derived_epochs, 1U);

    const auto again = (*collector)->poll();  // nothing new to judge
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0U);
}

TEST_F(CollectorTest, TakesTheNodesOwnRewardsWhenItHasTheApi) {
    node_.rewards_api = true;
    auto collector = Collector::create(settings());
    ASSERT_TRUE(collector);
    ASSERT_TRUE((*collector)->poll());
    const auto rows = stored(10);
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[0].source, monitoring::FigureSource::rewards_api);
    EXPECT_EQ(rows[1].source, monitoring::FigureSource::rewards_api);
    EXPECT_EQ(rows[1].attestation_reward, -2325505 - 1252195);
    EXPECT_EQ(rows[1].source_hit, std::optional<bool>(false));
    EXPECT_EQ(rows[0].ideal_attestation_reward, 3622420);
    EXPECT_EQ((*collector)->counters().rewards_api_epochs, 1U);
}

TEST_F(CollectorTest, FollowsAResetAndRemapsIndicesByPubkey) {
    auto collector = Collector::create(settings());
    ASSERT_TRUE(collector);
    ASSERT_TRUE((*collector)->poll());
    {
        const std::scoped_lock lock(node_.mutex);
        node_.genesis_root_byte = 2;  // the next iteration
        node_.keys = {3, 1, 2, 5};    // pubkey 0x0303.. is validator 0 now; 0x0404.. is gone
        node_.flags = {7, 7, 7, 7};
    }
    const auto judged = (*collector)->poll();
    ASSERT_TRUE(judged) << judged.error().message;
    EXPECT_EQ(*judged, 1U);
    const auto rows = stored(11);
    ASSERT_EQ(rows.size(), 3U);  // the two pubkeys, and whoever holds index 3 in this iteration
    EXPECT_EQ(rows[0].pubkey, hex_of_key(3));
    EXPECT_EQ(rows[0].index, 0U);
    EXPECT_EQ(rows[0].balance_delta, 0);                // no delta across the reset
    EXPECT_EQ(rows[0].missed_attestations_in_row, 0U);  // the streak does not cross iterations
    EXPECT_EQ(rows[1].pubkey, hex_of_key(1));
    EXPECT_EQ(rows[1].index, 1U);
    EXPECT_EQ(rows[1].label, "mine");
    EXPECT_EQ(rows[2].pubkey, hex_of_key(5));
    EXPECT_EQ(rows[2].label, "ranged");
    auto store = history::HistoryStore::open(dir_.path() / "monitoring.db");
    ASSERT_TRUE(store);
    EXPECT_EQ(store->missing(11)->size(), 0U);  // configured by pubkey: 1 and 3 are both there
    EXPECT_EQ(stored(10).size(), 3U);           // the previous iteration's history stays
}

TEST_F(CollectorTest, BackfillsEarlierEpochsOfTheIterationFromTheirOwnStates) {
    auto with_backfill = settings();
    with_backfill.backfill_epochs = 4;
    auto collector = Collector::create(with_backfill);
    ASSERT_TRUE(collector);
    const auto judged = (*collector)->poll();
    ASSERT_TRUE(judged) << judged.error().message;
    EXPECT_EQ(*judged, 3U);                                                      // epochs 0, 1 and 2
    EXPECT_EQ(node_.state_ids, (std::vector<std::string>{"15", "23", "head"}));  // the last slots of 1 and 2
    const auto rows = stored(10);
    ASSERT_EQ(rows.size(), 9U);
    EXPECT_EQ(rows.back().missed_attestations_in_row, 0U);
    EXPECT_EQ(rows[7].missed_attestations_in_row, 3U);  // validator 2, three epochs without a vote
}

TEST(Collector, CountsFailedPollsWhileTheNodeIsUnreachable) {
    test::TempDir dir;
    CollectorSettings settings;
    settings.beacon_url = "http://127.0.0.1:" + std::to_string(test::free_loopback_port());
    settings.data_dir = dir.path();
    auto collector = Collector::create(std::move(settings));
    ASSERT_TRUE(collector);
    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto polled = (*collector)->poll();
        ASSERT_FALSE(polled);
        (*collector)->record_failure(polled.error());
    }
    EXPECT_EQ((*collector)->counters().errors, 2U);
    const auto text = monitoring::render_prometheus((*collector)->metric_families());
    EXPECT_NE(text.find("ephemery_monitor_errors_total 2\n"), std::string::npos) << text;
}

TEST_F(CollectorTest, JudgeOnceRefusesAnEpochThatIsNotReady) {
    auto collector = Collector::create(settings());
    ASSERT_TRUE(collector);
    const auto early = (*collector)->judge_once(3);
    ASSERT_FALSE(early);
    EXPECT_NE(early.error().message.find("newest judgeable epoch is 2"), std::string::npos) << early.error().message;
    const auto once = (*collector)->judge_once(std::nullopt);
    ASSERT_TRUE(once) << once.error().message;
    EXPECT_EQ(once->validators.size(), 3U);
    EXPECT_TRUE(stored(10).empty());  // once writes no history
    EXPECT_EQ(to_json(*once)["validators"][0]["figures_from"], "participation_flags");
}

}  // namespace
}  // namespace ephemery::collector
