#include "ssz/beacon.hpp"

#include "ssz/altair.hpp"
#include "ssz/test_helpers.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace ephemery::ssz {
namespace {

using testing::hex;

// ---- the oracle's fixtures (tests/ssz, made by tools/ssz-oracle with @lodestar/types) -------------------------

struct Fixture {
    std::map<std::string, std::string> fields;  // file, preset, fork, kind, size, root, slot, ...
    [[nodiscard]] const std::string& at(const std::string& key) const { return fields.at(key); }
};

std::vector<Fixture> load_fixtures() {
    std::ifstream list(std::string(EPHEMERY_SSZ_FIXTURES) + "/fixtures.txt");
    std::vector<Fixture> fixtures;
    std::string line;
    while (std::getline(list, line)) {
        if (line.empty() || line[0] == '#') continue;
        Fixture fixture;
        std::istringstream words(line);
        std::string word;
        while (words >> word) {
            const auto equals = word.find('=');
            fixture.fields[word.substr(0, equals)] = word.substr(equals + 1);
        }
        fixtures.push_back(std::move(fixture));
    }
    return fixtures;
}

std::vector<std::uint8_t> read_gzip(const std::string& name) {
    const std::string path = std::string(EPHEMERY_SSZ_FIXTURES) + "/" + name;
    gzFile file = gzopen(path.c_str(), "rb");
    EXPECT_NE(file, nullptr) << path;
    std::vector<std::uint8_t> bytes;
    if (file == nullptr) return bytes;
    std::array<std::uint8_t, 65536> buffer{};
    int got = 0;
    while ((got = gzread(file, buffer.data(), buffer.size())) > 0) {
        bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + got);
    }
    gzclose(file);
    return bytes;
}

std::string prefixed(const Chunk& chunk) {
    return "0x" + hex(chunk);
}

ForkName fork_of(const Fixture& fixture) {
    return parse_fork_name(fixture.at("fork")).value();
}

ConsensusPreset preset_of(const Fixture& fixture) {
    return preset_by_name(fixture.at("preset")).value();
}

TEST(BeaconFixtures, CoverEveryForkPresetAndKind) {
    const auto fixtures = load_fixtures();
    ASSERT_EQ(fixtures.size(), fork_count * 2 * 2);
    std::map<std::string, int> seen;
    for (const auto& fixture : fixtures)
        ++seen[fixture.at("preset") + "/" + fixture.at("fork") + "/" + fixture.at("kind")];
    EXPECT_EQ(seen.size(), fixtures.size());
}

TEST(BeaconFixtures, StatesMatchLodestar) {
    for (const auto& fixture : load_fixtures()) {
        if (fixture.at("kind") != "state") continue;
        SCOPED_TRACE(fixture.at("file"));
        const auto bytes = read_gzip(fixture.at("file"));
        ASSERT_EQ(std::to_string(bytes.size()), fixture.at("size"));
        const auto summary = inspect_beacon_state(bytes, fork_of(fixture), preset_of(fixture));
        ASSERT_TRUE(summary.ok()) << summary.error().message;
        EXPECT_EQ(prefixed(summary->root), fixture.at("root"));
        EXPECT_EQ(std::to_string(summary->slot), fixture.at("slot"));
        EXPECT_EQ(std::to_string(summary->validator_count), fixture.at("validators"));
        EXPECT_EQ(peek_state_slot(bytes).value(), summary->slot);
    }
}

TEST(BeaconFixtures, SignedBlocksMatchLodestar) {
    for (const auto& fixture : load_fixtures()) {
        if (fixture.at("kind") != "block") continue;
        SCOPED_TRACE(fixture.at("file"));
        const auto bytes = read_gzip(fixture.at("file"));
        const auto summary = inspect_signed_beacon_block(bytes, fork_of(fixture), preset_of(fixture));
        ASSERT_TRUE(summary.ok()) << summary.error().message;
        EXPECT_EQ(prefixed(summary->root), fixture.at("block_root"));
        EXPECT_EQ(std::to_string(summary->slot), fixture.at("slot"));
        EXPECT_EQ(peek_signed_block_slot(bytes).value(), summary->slot);
        // The whole SignedBeaconBlock's root too, through the generic engine.
        const auto schemas = beacon_schemas(fork_of(fixture), preset_of(fixture));
        EXPECT_EQ(prefixed(hash_tree_root(*schemas.signed_beacon_block, bytes).value()), fixture.at("root"));
    }
}

TEST(BeaconFixtures, DecodeEncodeRoundTrips) {
    for (const auto& fixture : load_fixtures()) {
        SCOPED_TRACE(fixture.at("file"));
        const auto bytes = read_gzip(fixture.at("file"));
        const auto schemas = beacon_schemas(fork_of(fixture), preset_of(fixture));
        const auto& type = fixture.at("kind") == "state" ? *schemas.beacon_state : *schemas.signed_beacon_block;
        const auto value = decode(type, bytes);
        ASSERT_TRUE(value.ok()) << value.error().message;
        const auto encoded = encode(type, *value);
        ASSERT_TRUE(encoded.ok()) << encoded.error().message;
        EXPECT_TRUE(*encoded == bytes);
    }
}

// Another fork's or preset's schema refuses the bytes (the shapes differ), with the context in the message.
TEST(BeaconFixtures, WrongForkOrPresetIsRefused) {
    const auto bytes = read_gzip("minimal-electra-state.ssz.gz");
    const auto as_deneb = inspect_beacon_state(bytes, ForkName::deneb, preset_by_name("minimal").value());
    ASSERT_FALSE(as_deneb.ok());
    EXPECT_NE(as_deneb.error().message.find("(deneb, minimal preset)"), std::string::npos) << as_deneb.error().message;
    EXPECT_FALSE(inspect_beacon_state(bytes, ForkName::electra, preset_by_name("mainnet").value()).ok());
}

// ---- negative cases on a real state and block ---------------------------------------------------------------------

class BrokenState : public ::testing::Test {
  protected:
    void SetUp() override {
        bytes_ = read_gzip("minimal-phase0-state.ssz.gz");
        schemas_ = beacon_schemas(ForkName::phase0, preset_);
        ASSERT_TRUE(inspect_beacon_state(bytes_, ForkName::phase0, preset_).ok());
    }
    // Offset of a top-level field's bytes within the state.
    std::size_t offset_of(std::string_view name) {
        const auto view = field(*schemas_.beacon_state, bytes_, name).value();
        return static_cast<std::size_t>(view.bytes.data() - bytes_.data());
    }
    std::string error_of(const std::vector<std::uint8_t>& bytes) {
        const auto summary = inspect_beacon_state(bytes, ForkName::phase0, preset_);
        return summary.ok() ? std::string("(accepted)") : summary.error().message;
    }

    ConsensusPreset preset_ = preset_by_name("minimal").value();
    BeaconSchemas schemas_;
    std::vector<std::uint8_t> bytes_;
};

TEST_F(BrokenState, BooleanByteTwo) {
    auto bytes = bytes_;
    bytes[offset_of("validators") + 121 + 88] = 2;  // validators[1].slashed: after pubkey, credentials, balance
    EXPECT_EQ(error_of(bytes),
              "invalid SSZ (phase0, minimal preset): state.validators[1].slashed: boolean byte is 0x02, not 0x00 or "
              "0x01");
}

TEST_F(BrokenState, Truncated) {
    // (Cutting a few bytes off the end can leave valid SSZ: the last list just gets shorter.)
    auto bytes = bytes_;
    bytes.resize(offset_of("validators") + 60);
    EXPECT_NE(error_of(bytes).find("state.balances: offset"), std::string::npos) << error_of(bytes);
    EXPECT_NE(error_of(bytes).find("past the end"), std::string::npos) << error_of(bytes);
    bytes.resize(100);
    EXPECT_NE(error_of(bytes).find("shorter than the fixed part of BeaconState"), std::string::npos) << error_of(bytes);
    EXPECT_NE(error_of({}).find("0 bytes"), std::string::npos);
}

TEST_F(BrokenState, TrailingBytes) {
    auto bytes = bytes_;
    bytes.push_back(0);
    // Trailing bytes land in the last variable field; there a byte too many breaks its element size or offsets.
    EXPECT_NE(error_of(bytes).find("state.current_epoch_attestations"), std::string::npos) << error_of(bytes);
}

TEST_F(BrokenState, BadOffset) {
    // The offset of `validators` in the fixed part: point it past the end.
    const auto schema = schemas_.beacon_state;
    std::size_t at = 0;
    for (const auto& f : schema->fields()) {
        if (f.name == "validators") break;
        at += f.type->is_fixed_size() ? f.type->size() : 4;
    }
    auto bytes = bytes_;
    bytes[at + 3] = 0x7f;
    EXPECT_NE(error_of(bytes).find("state.validators: offset"), std::string::npos) << error_of(bytes);
    EXPECT_NE(error_of(bytes).find("out of order or past the end"), std::string::npos) << error_of(bytes);
}

TEST_F(BrokenState, ListOverLimit) {
    // A minimal preset with a validator registry limit of 1: the fixture's 2 validators are too many.
    preset_.validator_registry_limit = 1;
    const auto message = error_of(bytes_);
    EXPECT_NE(message.find("state.validators: 2 elements, more than the limit 1"), std::string::npos) << message;
}

TEST(BrokenBlock, BitlistWithoutDelimiterAndBadMessageOffset) {
    const auto preset = preset_by_name("minimal").value();
    const auto bytes = read_gzip("minimal-phase0-block.ssz.gz");
    ASSERT_TRUE(inspect_signed_beacon_block(bytes, ForkName::phase0, preset).ok());

    auto bad_offset = bytes;
    bad_offset[0] = 99;
    const auto summary = inspect_signed_beacon_block(bad_offset, ForkName::phase0, preset);
    ASSERT_FALSE(summary.ok());
    EXPECT_NE(summary.error().message.find("signed_block.message: offset is 99, not the end of the fixed part (100)"),
              std::string::npos)
        << summary.error().message;
    EXPECT_FALSE(peek_signed_block_slot(bad_offset).ok());
}

// ---- forks, schedules and presets ---------------------------------------------------------------------------------

TEST(ForkNames, RoundTripCaseInsensitively) {
    for (std::size_t i = 0; i < fork_count; ++i) {
        const auto fork = static_cast<ForkName>(i);
        EXPECT_EQ(parse_fork_name(fork_name(fork)), fork);
    }
    EXPECT_EQ(fork_name(ForkName::fulu), "fulu");
    EXPECT_EQ(parse_fork_name("ELECTRA"), ForkName::electra);
    EXPECT_EQ(parse_fork_name("Bellatrix"), ForkName::bellatrix);
    EXPECT_FALSE(parse_fork_name("gloas").has_value());
    EXPECT_FALSE(parse_fork_name("").has_value());
}

TEST(ForkSchedules, FromConfigWithMissingKeysInTheFarFuture) {
    const std::map<std::string, std::string, std::less<>> config = {
        {"ALTAIR_FORK_EPOCH", "0"}, {"BELLATRIX_FORK_EPOCH", "0"}, {"CAPELLA_FORK_EPOCH", " 0"},
        {"DENEB_FORK_EPOCH", "10"}, {"ELECTRA_FORK_EPOCH", "20"},  {"PRESET_BASE", "mainnet"}};
    const auto schedule = fork_schedule_from_config(config);
    ASSERT_TRUE(schedule.ok()) << schedule.error().message;
    EXPECT_EQ(schedule->epochs[0], 0U);
    EXPECT_EQ(schedule->epochs[4], 10U);
    EXPECT_EQ(schedule->epochs[6], far_future_epoch);
    EXPECT_EQ(fork_at_epoch(*schedule, 0), ForkName::capella);
    EXPECT_EQ(fork_at_epoch(*schedule, 9), ForkName::capella);
    EXPECT_EQ(fork_at_epoch(*schedule, 10), ForkName::deneb);
    EXPECT_EQ(fork_at_epoch(*schedule, far_future_epoch), ForkName::electra);

    const auto empty = fork_schedule_from_config({});
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(fork_at_epoch(*empty, 1000), ForkName::phase0);
}

TEST(ForkSchedules, RefusesBadValuesAndDisorder) {
    const auto bad = fork_schedule_from_config({{"ALTAIR_FORK_EPOCH", "ten"}});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("ALTAIR_FORK_EPOCH is 'ten'"), std::string::npos);
    EXPECT_FALSE(fork_schedule_from_config({{"ALTAIR_FORK_EPOCH", "18446744073709551616"}}).ok());
    EXPECT_FALSE(fork_schedule_from_config({{"ALTAIR_FORK_EPOCH", "-1"}}).ok());
    const auto disorder = fork_schedule_from_config({{"ALTAIR_FORK_EPOCH", "5"}, {"BELLATRIX_FORK_EPOCH", "4"}});
    ASSERT_FALSE(disorder.ok());
    EXPECT_NE(disorder.error().message.find("BELLATRIX_FORK_EPOCH (4) is before"), std::string::npos);
}

TEST(Presets, ByNameWithTheSpecsValues) {
    EXPECT_FALSE(preset_by_name("gnosis").has_value());
    const auto mainnet = preset_by_name("MAINNET").value();
    EXPECT_EQ(mainnet.name, "mainnet");
    EXPECT_EQ(mainnet.slots_per_historical_root, 8192U);
    EXPECT_EQ(mainnet.pending_consolidations_limit, 262144U);
    const auto minimal = preset_by_name("minimal").value();
    EXPECT_EQ(minimal.slots_per_epoch, 8U);
    EXPECT_EQ(minimal.max_withdrawals_per_payload, 4U);
    EXPECT_EQ(minimal.max_blob_commitments_per_block, 4096U);
    EXPECT_EQ(minimal.max_deposit_requests_per_payload, 8192U);

    // The altair module's presets agree where they overlap.
    const auto altair_minimal = altair::minimal_preset();
    EXPECT_EQ(minimal.epochs_per_historical_vector, altair_minimal.epochs_per_historical_vector);
    EXPECT_EQ(minimal.sync_committee_size, altair_minimal.sync_committee_size);
    EXPECT_EQ(mainnet.validator_registry_limit, altair::mainnet_preset().validator_registry_limit);
}

// The typed Altair state of the devnet module and the schema engine agree on bytes and root.
TEST(BeaconSchemas, AgreeWithTheTypedAltairState) {
    for (const char* name : {"minimal", "mainnet"}) {
        const auto typed_preset = std::string(name) == "minimal" ? altair::minimal_preset() : altair::mainnet_preset();
        auto state = altair::default_beacon_state(typed_preset);
        state.slot = 77;
        state.validators.resize(3);
        state.validators[1].slashed = true;
        state.validators[2].exit_epoch = altair::far_future_epoch;
        state.balances = {1, 2, 3};
        state.previous_epoch_participation = {1, 2, 3};
        state.current_epoch_participation = {0, 0, 7};
        state.inactivity_scores = {9, 8, 7};
        state.justification_bits = 0b0101;
        const auto bytes = altair::serialize(state, typed_preset).value();
        const auto summary = inspect_beacon_state(bytes, ForkName::altair, preset_by_name(name).value());
        ASSERT_TRUE(summary.ok()) << summary.error().message;
        EXPECT_EQ(summary->root, altair::hash_tree_root(state, typed_preset).value());
        EXPECT_EQ(summary->slot, 77U);
        EXPECT_EQ(summary->validator_count, 3U);
    }
}

TEST(Peeks, RefuseShortInput) {
    EXPECT_FALSE(peek_state_slot(std::vector<std::uint8_t>(47)).ok());
    std::vector<std::uint8_t> state(48);
    state[40] = 5;
    EXPECT_EQ(peek_state_slot(state).value(), 5U);
    EXPECT_FALSE(peek_signed_block_slot(std::vector<std::uint8_t>(107)).ok());
}

}  // namespace
}  // namespace ephemery::ssz

namespace ephemery::ssz {
namespace {

TEST(BeaconDefaults, TheDefaultValueOfEveryForksBlockAndStateEncodesAndDecodesBack) {
    const auto preset = *preset_by_name("minimal");
    for (const auto fork : {ForkName::phase0, ForkName::altair, ForkName::deneb, ForkName::electra}) {
        const auto schemas = beacon_schemas(fork, preset);
        for (const auto& type : {schemas.signed_beacon_block, schemas.beacon_state}) {
            const auto value = default_value(*type);
            auto bytes = encode(*type, value);
            ASSERT_TRUE(bytes) << fork_name(fork) << ": " << bytes.error().message;
            auto decoded = decode(*type, *bytes);
            ASSERT_TRUE(decoded) << decoded.error().message;
            EXPECT_EQ(*decoded, value) << fork_name(fork);
        }
    }
    // The typed Altair default state is the same bytes.
    const auto typed =
        altair::serialize(altair::default_beacon_state(altair::minimal_preset()), altair::minimal_preset());
    ASSERT_TRUE(typed);
    EXPECT_EQ(*encode(*beacon_schemas(ForkName::altair, preset).beacon_state,
                      default_value(*beacon_schemas(ForkName::altair, preset).beacon_state)),
              *typed);
}

}  // namespace
}  // namespace ephemery::ssz
