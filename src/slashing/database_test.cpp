#include "slashing/database.hpp"
#include "slashing/test_values.hpp"

#include "test_support/fixtures.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include <array>
#include <fstream>
#include <limits>
#include <set>

namespace ephemery::slashing {
namespace {

using testing::HasSubstr;

// Every case of eth-clients/slashing-protection-interchange-tests v5.3.0 in tests/fixtures/eip3076;
// AllFixturesAreListed fails when the directory gains or loses one, so none is skipped silently. (Listed here so
// that each case is a test of its own, named at discovery.)
constexpr std::array<const char*, 38> fixture_names{
    "duplicate_pubkey_not_slashable",
    "duplicate_pubkey_slashable_attestation",
    "duplicate_pubkey_slashable_block",
    "multiple_interchanges_multiple_validators_repeat_idem",
    "multiple_interchanges_overlapping_validators_merge_stale",
    "multiple_interchanges_overlapping_validators_repeat_idem",
    "multiple_interchanges_single_validator_fail_iff_imported",
    "multiple_interchanges_single_validator_first_surrounds_second",
    "multiple_interchanges_single_validator_multiple_blocks_out_of_order",
    "multiple_interchanges_single_validator_second_surrounds_first",
    "multiple_interchanges_single_validator_single_att_out_of_order",
    "multiple_interchanges_single_validator_single_block_out_of_order",
    "multiple_interchanges_single_validator_single_message_gap",
    "multiple_validators_multiple_blocks_and_attestations",
    "multiple_validators_same_slot_blocks",
    "single_validator_genesis_attestation",
    "single_validator_import_only",
    "single_validator_multiple_block_attempts",
    "single_validator_multiple_blocks_and_attestations",
    "single_validator_out_of_order_attestations",
    "single_validator_out_of_order_blocks",
    "single_validator_resign_attestation",
    "single_validator_resign_block",
    "single_validator_single_attestation",
    "single_validator_single_block",
    "single_validator_single_block_and_attestation",
    "single_validator_single_block_and_attestation_signing_root",
    "single_validator_slashable_attestations_double_vote",
    "single_validator_slashable_attestations_surrounded_by_existing",
    "single_validator_slashable_attestations_surrounds_existing",
    "single_validator_slashable_blocks",
    "single_validator_slashable_blocks_no_root",
    "single_validator_source_greater_than_target",
    "single_validator_source_greater_than_target_sensible_iff_minified",
    "single_validator_source_greater_than_target_surrounded",
    "single_validator_source_greater_than_target_surrounding",
    "single_validator_two_blocks_no_signing_root",
    "wrong_genesis_validators_root",
};

using test_values::chain_root;
using test_values::pubkey_a;
using test_values::pubkey_b;
const std::string other_root = "0x" + std::string(64, '2');
using test_values::root_x;
using test_values::root_y;

std::uint64_t decimal(const nlohmann::json& value) {
    return std::stoull(value.get<std::string>());
}

std::optional<std::string> optional_root(const nlohmann::json& message) {
    if (!message.contains("signing_root")) return std::nullopt;
    return message.at("signing_root").get<std::string>();
}

Database open_database(const std::filesystem::path& path, const std::optional<std::string>& root) {
    auto database = Database::open(path, OpenMode::create_if_missing, root);
    if (!database) {
        ADD_FAILURE() << database.error().message;
        std::abort();
    }
    return std::move(database).value();
}

TEST(Eip3076Fixtures, AllFixturesAreListed) {
    std::set<std::string> on_disk;
    for (const auto& entry : std::filesystem::directory_iterator(test::fixtures_dir() / "eip3076")) {
        if (entry.path().extension() == ".json" && entry.path().filename() != "schema.json") {
            on_disk.insert(entry.path().stem().string());
        }
    }
    const std::set<std::string> listed(fixture_names.begin(), fixture_names.end());
    EXPECT_EQ(on_disk, listed);
    EXPECT_EQ(listed.size(), 38U);
}

class Eip3076Fixture : public testing::TestWithParam<const char*> {
  protected:
    static nlohmann::json fixture() {
        return nlohmann::json::parse(test::read_fixture(std::string("eip3076/") + GetParam() + ".json"));
    }
    test::TempDir dir_;
};

// Runs the case as the suite prescribes (import each step, then attempt its blocks and attestations) against
// the expectations for a minimal database (`should_succeed`).
TEST_P(Eip3076Fixture, MinimalDatabaseMeetsEveryExpectation) {
    const auto test_case = fixture();
    auto database =
        open_database(dir_.path() / "slashing.sqlite", test_case.at("genesis_validators_root").get<std::string>());
    for (std::size_t step_index = 0; step_index < test_case.at("steps").size(); ++step_index) {
        const auto& step = test_case.at("steps")[step_index];
        SCOPED_TRACE(testing::Message() << "step " << step_index);
        const auto interchange = parse_interchange(step.at("interchange").dump(), GetParam());
        ASSERT_TRUE(interchange.ok()) << interchange.error().message;
        const auto report = database.import_interchange(*interchange);
        ASSERT_EQ(report.ok(), step.at("should_succeed").get<bool>())
            << (report.ok() ? std::string("imported") : report.error().message);
        if (report.ok()) {
            // Slashable within the file, or against what the database already held: imported all the same.
            const bool slashable = !find_slashable_data(*interchange).empty() || !report->conflicts.empty();
            EXPECT_EQ(slashable, step.at("contains_slashable_data").get<bool>());
        } else {
            EXPECT_EQ(report.error().code, Errc::verification_failed);
            EXPECT_THAT(report.error().message, HasSubstr(interchange->genesis_validators_root));
        }
        for (const auto& block : step.at("blocks")) {
            const auto status = database.check_and_insert_block(block.at("pubkey").get<std::string>(),
                                                                decimal(block.at("slot")), optional_root(block));
            EXPECT_EQ(status.ok(), block.at("should_succeed").get<bool>()) << block.dump();
            if (!status.ok()) {
                EXPECT_EQ(status.error().code, Errc::verification_failed) << status.error().message;
            }
        }
        for (const auto& attestation : step.at("attestations")) {
            const auto status = database.check_and_insert_attestation(
                attestation.at("pubkey").get<std::string>(), decimal(attestation.at("source_epoch")),
                decimal(attestation.at("target_epoch")), optional_root(attestation));
            EXPECT_EQ(status.ok(), attestation.at("should_succeed").get<bool>()) << attestation.dump();
            if (!status.ok()) {
                EXPECT_EQ(status.error().code, Errc::verification_failed) << status.error().message;
            }
        }
    }
}

// What a database exports, another imports to the same watermarks.
TEST_P(Eip3076Fixture, ExportImportsIntoAFreshDatabaseUnchanged) {
    const auto test_case = fixture();
    auto database =
        open_database(dir_.path() / "first.sqlite", test_case.at("genesis_validators_root").get<std::string>());
    for (const auto& step : test_case.at("steps")) {
        const auto interchange = parse_interchange(step.at("interchange").dump(), GetParam());
        ASSERT_TRUE(interchange.ok());
        (void)database.import_interchange(*interchange);
    }
    const auto exported = database.export_interchange(ExportForm::complete);
    ASSERT_TRUE(exported.ok()) << exported.error().message;
    auto fresh = open_database(dir_.path() / "second.sqlite", std::nullopt);
    const auto report = fresh.import_interchange(*exported);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_TRUE(report->conflicts.empty());
    const auto again = fresh.export_interchange(ExportForm::minimal);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *database.export_interchange(ExportForm::minimal));
    EXPECT_EQ(to_json(*again), to_json(to_minimal(*exported)));
}

INSTANTIATE_TEST_SUITE_P(Interchange, Eip3076Fixture, testing::ValuesIn(fixture_names),
                         [](const testing::TestParamInfo<const char*>& param_info) {
                             return std::string(param_info.param);
                         });

class SlashingDatabase : public testing::Test {
  protected:
    [[nodiscard]] std::filesystem::path path() const { return dir_.path() / "slashing-protection.sqlite"; }
    test::TempDir dir_;
};

TEST_F(SlashingDatabase, CreatesAPrivateWalDatabaseThatKeepsItsRoot) {
    {
        auto database = open_database(path(), chain_root);
        ASSERT_TRUE(database.check_and_insert_block(pubkey_a, 5, root_x).ok());
        struct stat info {};
        ASSERT_EQ(::stat(path().c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777U, 0600U);
        const auto wal = path().string() + "-wal";
        ASSERT_EQ(::stat(wal.c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777U, 0600U);

        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(path().c_str(), &raw), SQLITE_OK);
        sqlite3_stmt* statement = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &statement, nullptr), SQLITE_OK);
        ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
        EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)),  // NOLINT
                     "wal");
        sqlite3_finalize(statement);
        sqlite3_close(raw);
    }
    auto reopened = Database::open(path(), OpenMode::existing_only, std::nullopt);
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    EXPECT_EQ(reopened->genesis_validators_root(), chain_root);
    // The block signed before the reopen still counts.
    EXPECT_FALSE(reopened->check_and_insert_block(pubkey_a, 5, root_y).ok());

    const auto wrong = Database::open(path(), OpenMode::existing_only, other_root);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, Errc::verification_failed);
    EXPECT_THAT(wrong.error().message, HasSubstr("protects the chain with genesis validators root " + chain_root));
    EXPECT_THAT(wrong.error().message, HasSubstr(other_root));
}

TEST_F(SlashingDatabase, MissingAndForeignFiles) {
    const auto missing = Database::open(path(), OpenMode::existing_only, std::nullopt);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_THAT(missing.error().message, HasSubstr("there is no slashing-protection database at " + path().string()));
    EXPECT_FALSE(std::filesystem::exists(path()));

    std::ofstream(path()) << "this is not a database, but it is long enough to have a header page of sorts......\n";
    const auto foreign = Database::open(path(), OpenMode::create_if_missing, std::nullopt);
    ASSERT_FALSE(foreign.ok());
    EXPECT_THAT(foreign.error().message, HasSubstr("not an SQLite database"));

    const auto bad_root = Database::open(dir_.path() / "x.sqlite", OpenMode::create_if_missing, "0x12");
    ASSERT_FALSE(bad_root.ok());
    EXPECT_EQ(bad_root.error().code, Errc::invalid_argument);
}

TEST_F(SlashingDatabase, RefusesASchemaFromTheFuture) {
    { (void)open_database(path(), std::nullopt); }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "UPDATE schema_version SET version = 7", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    const auto newer = Database::open(path(), OpenMode::existing_only, std::nullopt);
    ASSERT_FALSE(newer.ok());
    EXPECT_EQ(newer.error().code, Errc::unsupported);
    EXPECT_THAT(newer.error().message, HasSubstr("has schema version 7, and this ephemery reads version 1"));
}

TEST_F(SlashingDatabase, BlocksOnlyMoveForwardAndTheSameBlockMayBeSignedAgain) {
    auto database = open_database(path(), chain_root);
    EXPECT_TRUE(database.check_and_insert_block(pubkey_a, 10, root_x).ok());
    EXPECT_TRUE(database.check_and_insert_block(pubkey_a, 10, root_x).ok());  // re-broadcast of the same block
    const auto double_proposal = database.check_and_insert_block(pubkey_a, 10, root_y);
    ASSERT_FALSE(double_proposal.ok());
    EXPECT_EQ(double_proposal.error().code, Errc::verification_failed);
    EXPECT_THAT(double_proposal.error().message, HasSubstr("double proposal"));
    EXPECT_FALSE(database.check_and_insert_block(pubkey_a, 10, std::nullopt).ok());
    EXPECT_FALSE(database.check_and_insert_block(pubkey_a, 9, root_x).ok());
    EXPECT_TRUE(database.check_and_insert_block(pubkey_b, 9, std::nullopt).ok());  // other validators unaffected
    // A block signed without a root can never be signed again: nothing shows it is the same block.
    EXPECT_FALSE(database.check_and_insert_block(pubkey_b, 9, std::nullopt).ok());
    EXPECT_TRUE(database.check_and_insert_block(pubkey_a, 11, std::nullopt).ok());

    constexpr auto last_slot = std::numeric_limits<std::uint64_t>::max();
    EXPECT_TRUE(database.check_and_insert_block(pubkey_a, last_slot, root_x).ok());
    EXPECT_FALSE(database.check_and_insert_block(pubkey_a, last_slot - 1, root_x).ok());
    const auto exported = database.export_interchange(ExportForm::complete);
    ASSERT_TRUE(exported.ok());
    ASSERT_EQ(exported->data.size(), 2U);
    EXPECT_EQ(exported->data[0].signed_blocks.at(0), (SignedBlock{last_slot, root_x}));
    EXPECT_EQ(database.export_interchange(ExportForm::minimal)->data[0].signed_blocks.at(0),
              (SignedBlock{last_slot, std::nullopt}));
}

TEST_F(SlashingDatabase, AttestationRules) {
    auto database = open_database(path(), chain_root);
    const auto backwards = database.check_and_insert_attestation(pubkey_a, 5, 4, root_x);
    ASSERT_FALSE(backwards.ok());
    EXPECT_THAT(backwards.error().message, HasSubstr("source epoch is after its target epoch"));
    ASSERT_TRUE(database.check_and_insert_attestation(pubkey_a, 5, 10, root_x).ok());
    EXPECT_TRUE(database.check_and_insert_attestation(pubkey_a, 5, 10, root_x).ok());  // the same vote again
    const auto double_vote = database.check_and_insert_attestation(pubkey_a, 5, 10, root_y);
    ASSERT_FALSE(double_vote.ok());
    EXPECT_THAT(double_vote.error().message, HasSubstr("not after 10, the highest target already signed"));
    EXPECT_FALSE(database.check_and_insert_attestation(pubkey_a, 5, 10, std::nullopt).ok());
    const auto surrounding = database.check_and_insert_attestation(pubkey_a, 4, 11, root_y);
    ASSERT_FALSE(surrounding.ok());
    EXPECT_THAT(surrounding.error().message, HasSubstr("before 5, the highest source already signed"));
    EXPECT_FALSE(database.check_and_insert_attestation(pubkey_a, 6, 9, root_y).ok());  // surrounded
    EXPECT_TRUE(database.check_and_insert_attestation(pubkey_a, 5, 11, root_y).ok());
    EXPECT_FALSE(database.check_and_insert_attestation(pubkey_a, 5, 10, root_x).ok());  // no longer the latest
    EXPECT_TRUE(database.check_and_insert_attestation(pubkey_a, 11, 12, std::nullopt).ok());

    const auto bad_key = database.check_and_insert_attestation("0x1234", 20, 21, std::nullopt);
    ASSERT_FALSE(bad_key.ok());
    EXPECT_EQ(bad_key.error().code, Errc::invalid_argument);
    const auto bad_root = database.check_and_insert_block(pubkey_a, 30, std::string("0xzz"));
    ASSERT_FALSE(bad_root.ok());
    EXPECT_EQ(bad_root.error().code, Errc::invalid_argument);
}

TEST_F(SlashingDatabase, ImportRaisesWatermarksAndDropsRoots) {
    auto database = open_database(path(), std::nullopt);
    const auto first = Interchange{
        chain_root, {ValidatorHistory{pubkey_a, {{15, root_x}, {17, root_y}}, {{3, 4, root_x}, {2, 6, std::nullopt}}}}};
    const auto report = database.import_interchange(first);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->validators, 1U);
    EXPECT_EQ(report->blocks, 2U);
    EXPECT_EQ(report->attestations, 2U);
    EXPECT_TRUE(report->conflicts.empty());
    EXPECT_EQ(database.genesis_validators_root(), chain_root);  // adopted from the first import

    // Imported messages carry no root here, so even the identical block is refused: minimal semantics.
    EXPECT_FALSE(database.check_and_insert_block(pubkey_a, 17, root_y).ok());
    EXPECT_FALSE(database.check_and_insert_attestation(pubkey_a, 2, 6, std::nullopt).ok());
    EXPECT_FALSE(database.check_and_insert_attestation(pubkey_a, 3, 6, root_x).ok());
    EXPECT_TRUE(database.check_and_insert_attestation(pubkey_a, 3, 7, root_x).ok());

    // An older file imports without lowering anything, and says what in it was already passed.
    const auto stale = Interchange{chain_root, {ValidatorHistory{pubkey_a, {{16, std::nullopt}}, {{1, 2, {}}}}}};
    const auto stale_report = database.import_interchange(stale);
    ASSERT_TRUE(stale_report.ok());
    ASSERT_EQ(stale_report->conflicts.size(), 2U);
    EXPECT_EQ(stale_report->conflicts[0],
              pubkey_a + ": block at slot 16 is not after slot 17, the latest already held");
    EXPECT_EQ(stale_report->conflicts[1],
              pubkey_a + ": attestation 1->2 is not after source 3 and target 7, the highest already held");
    EXPECT_TRUE(database.check_and_insert_attestation(pubkey_a, 3, 7, root_x).ok());  // local root survived
    EXPECT_TRUE(database.check_and_insert_block(pubkey_a, 18, root_x).ok());
}

TEST_F(SlashingDatabase, ImportOfAnotherChainChangesNothing) {
    auto database = open_database(path(), chain_root);
    const auto foreign = Interchange{other_root, {ValidatorHistory{pubkey_a, {{15, std::nullopt}}, {}}}};
    const auto refused = database.import_interchange(foreign);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::verification_failed);
    EXPECT_THAT(refused.error().message, HasSubstr("protects the chain with genesis validators root " + chain_root +
                                                   ", not " + other_root + " (the root of the interchange)"));
    EXPECT_TRUE(database.check_and_insert_block(pubkey_a, 1, std::nullopt).ok());
}

TEST_F(SlashingDatabase, ImportOfSeveralFilesIsAllOrNothing) {
    auto database = open_database(path(), std::nullopt);
    const std::vector<Interchange> files{
        Interchange{chain_root, {ValidatorHistory{pubkey_a, {{15, std::nullopt}}, {}}}},
        Interchange{other_root, {ValidatorHistory{pubkey_b, {{15, std::nullopt}}, {}}}},
    };
    const auto refused = database.import_interchanges(files);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message, HasSubstr(", not " + other_root + " (the root of interchange 2)"));
    // The first file's root and data were rolled back with the rest.
    EXPECT_EQ(database.genesis_validators_root(), std::nullopt);
    auto reopened = Database::open(path(), OpenMode::existing_only, std::nullopt);
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(reopened->genesis_validators_root(), std::nullopt);
    EXPECT_TRUE(reopened->check_and_insert_block(pubkey_a, 1, std::nullopt).ok());
    EXPECT_FALSE(reopened->export_interchange(ExportForm::complete).ok());  // still no root to export under

    const auto bad_key =
        database.import_interchange(Interchange{chain_root, {ValidatorHistory{"0xabc", {{15, std::nullopt}}, {}}}});
    ASSERT_FALSE(bad_key.ok());
    EXPECT_EQ(bad_key.error().code, Errc::invalid_argument);
}

TEST_F(SlashingDatabase, TwoConnectionsShareTheWatermarks) {
    auto first = open_database(path(), chain_root);
    auto second = open_database(path(), chain_root);
    ASSERT_TRUE(first.check_and_insert_attestation(pubkey_a, 1, 2, root_x).ok());
    EXPECT_FALSE(second.check_and_insert_attestation(pubkey_a, 1, 2, root_y).ok());
    EXPECT_TRUE(second.check_and_insert_attestation(pubkey_a, 1, 2, root_x).ok());
}

}  // namespace
}  // namespace ephemery::slashing
