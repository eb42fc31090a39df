#include "history/store.hpp"

#include "infra/sqlite.hpp"
#include "test_support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace ephemery::history {
namespace {

monitoring::ValidatorEpoch record(std::uint64_t iteration, std::uint64_t epoch, std::string pubkey, std::int64_t time) {
    monitoring::ValidatorEpoch row;
    row.iteration = iteration;
    row.epoch = epoch;
    row.time = time;
    row.label = "mine";
    row.pubkey = std::move(pubkey);
    row.index = epoch + 3;
    row.status = "active_ongoing";
    row.balance = 32'000'000'000 + epoch;
    row.balance_delta = 1;
    row.effective_balance = 32'000'000'000;
    row.source = monitoring::FigureSource::participation_flags;
    row.source_hit = true;
    row.target_hit = false;
    row.attestation_reward = 10;
    row.ideal_attestation_reward = 20;
    row.missed_attestations_in_row = epoch % 2 == 0 ? 0 : 1;
    row.inclusion_delay = 1;
    return row;
}

monitoring::NodeEpoch node(std::uint64_t iteration, std::uint64_t epoch, std::int64_t time) {
    monitoring::NodeEpoch row;
    row.iteration = iteration;
    row.epoch = epoch;
    row.time = time;
    row.head_slot = epoch * 8;
    row.peers = 3;
    row.el_peers = 5;
    row.cpu_seconds = 1.5;
    return row;
}

TEST(HistoryStore, CreatesAPrivateDatabaseAndRoundTripsEpochs) {
    test::TempDir dir;
    const auto path = dir.path() / std::string(database_file);
    {
        auto store = HistoryStore::open(path);
        ASSERT_TRUE(store) << store.error().message;
        ASSERT_TRUE(store->record_epoch(node(5, 1, 1000), {record(5, 1, "0xaa", 1000), record(5, 1, "0xbb", 1000)},
                                        std::nullopt));
        ASSERT_TRUE(store->record_epoch(node(5, 2, 1016), {record(5, 2, "0xaa", 1016)}, std::nullopt));
        ASSERT_TRUE(store->record_epoch(node(6, 0, 2000), {record(6, 0, "0xaa", 2000)}, std::nullopt));
        ASSERT_TRUE(store->record_missing(6, {monitoring::MissingValidator{"mine", "0xcc"}}));
    }
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);

    auto store = HistoryStore::open(path);  // reopened: no migration runs twice
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(**store->last_epoch(5), 2U);
    EXPECT_FALSE(store->last_epoch(7)->has_value());
    const auto latest = store->latest_validator_records(5);
    ASSERT_TRUE(latest);
    ASSERT_EQ(latest->size(), 2U);
    EXPECT_EQ(latest->at("0xaa").epoch, 2U);
    EXPECT_EQ(latest->at("0xbb").epoch, 1U);
    const auto row = latest->at("0xaa");
    EXPECT_EQ(row.source, monitoring::FigureSource::participation_flags);
    EXPECT_EQ(row.source_hit, std::optional<bool>(true));
    EXPECT_EQ(row.target_hit, std::optional<bool>(false));
    EXPECT_FALSE(row.head_hit.has_value());
    EXPECT_EQ(row.inclusion_delay, std::optional<std::uint32_t>(1));
    EXPECT_EQ(row.index, 5U);

    ValidatorQuery by_pubkey;
    by_pubkey.pubkey = "0xaa";
    const auto across = store->validators(by_pubkey);
    ASSERT_TRUE(across);
    ASSERT_EQ(across->size(), 3U);  // both iterations, one pubkey
    EXPECT_EQ(across->back().iteration, 6U);
    ValidatorQuery newest;
    newest.iteration = 5;
    newest.last_epochs = 1;
    EXPECT_EQ(store->validators(newest)->size(), 1U);
    EXPECT_EQ(*store->iterations(), (std::vector<std::uint64_t>{5, 6}));
    EXPECT_EQ(store->missing(6)->size(), 1U);
    const auto nodes = store->nodes(std::nullopt, 5);
    ASSERT_TRUE(nodes);
    ASSERT_EQ(nodes->size(), 2U);
    EXPECT_EQ(nodes->front().el_peers, std::optional<std::uint64_t>(5));
    EXPECT_FALSE(nodes->front().el_syncing.has_value());
}

TEST(HistoryStore, RefusesASchemaFromANewerEphemery) {
    test::TempDir dir;
    const auto path = dir.path() / "monitoring.db";
    {
        auto database = infra::SqliteDatabase::open(path);
        ASSERT_TRUE(database);
        ASSERT_TRUE(database->execute("PRAGMA user_version = 99", "set"));
    }
    const auto store = HistoryStore::open(path);
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message.find("schema version 99"), std::string::npos) << store.error().message;
}

TEST(HistoryStore, RollsOldEpochsIntoDaysAndExpiresTheOldest) {
    test::TempDir dir;
    auto store = HistoryStore::open(dir.path() / "monitoring.db");
    ASSERT_TRUE(store);
    constexpr std::int64_t day = 86400;
    const std::int64_t now = 100 * day + 3600;
    // Epochs 40 days ago (rolled up into a day), 2 days ago (kept raw); an alert 100 days ago (expired).
    for (std::uint64_t epoch = 0; epoch < 4; ++epoch) {
        const auto when = 60 * day + static_cast<std::int64_t>(epoch) * 384;
        ASSERT_TRUE(store->record_epoch(node(1, epoch, when), {record(1, epoch, "0xaa", when)}, std::nullopt));
    }
    ASSERT_TRUE(store->record_epoch(node(2, 0, 98 * day), {record(2, 0, "0xaa", 98 * day)}, std::nullopt));
    ASSERT_TRUE(store->record_alert(AlertEvent{50, 0, 0, "old", "firing", "warning", "{}", 1, "old", "console"}));
    const auto result = store->apply_retention(now, 30, 90);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->rolled_up_rows, 4U);
    EXPECT_EQ(result->deleted_rows, 1U);  // the alert of day 0: older than 90 days
    const auto days = store->validator_days(std::nullopt);
    ASSERT_TRUE(days);
    ASSERT_EQ(days->size(), 1U);
    EXPECT_EQ(days->front().day, 60 * day);
    EXPECT_EQ(days->front().epochs, 4U);
    EXPECT_EQ(days->front().missed_epochs, 2U);
    EXPECT_EQ(days->front().attestation_reward, 40);
    EXPECT_EQ(store->validators(ValidatorQuery{})->size(), 1U);
    EXPECT_TRUE(store->put_value("alerts", "{\"a\":1}"));
    EXPECT_EQ(**store->get_value("alerts"), "{\"a\":1}");
    EXPECT_FALSE(store->get_value("other")->has_value());
}

}  // namespace
}  // namespace ephemery::history
