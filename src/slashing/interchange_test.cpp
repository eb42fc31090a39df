#include "slashing/interchange.hpp"
#include "slashing/test_values.hpp"

#include "test_support/fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ephemery::slashing {
namespace {

using testing::HasSubstr;

using test_values::chain_root;
using test_values::pubkey_a;
using test_values::pubkey_b;
using test_values::root_x;
using test_values::root_y;

// The example of the EIP-3076 text.
nlohmann::json example() {
    return nlohmann::json::parse(R"({
      "metadata": {
        "interchange_format_version": "5",
        "genesis_validators_root": "0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673"
      },
      "data": [
        {
          "pubkey": "0xb845089a1457f811bfc000588fbb4e713669be8ce060ea6be3c6ece09afc3794106c91ca73acda5e5457122d58723bed",
          "signed_blocks": [
            {"slot": "81952", "signing_root": "0x4ff6f743a43f3b4f95350831aeaf0a122a1a392922c45d804280284a69eb850b"},
            {"slot": "81951"}
          ],
          "signed_attestations": [
            {"source_epoch": "2290", "target_epoch": "3007",
             "signing_root": "0x587d6a4f59a58fe24f406e0502413e77fe1babddee641fda30034ed37ecc884d"},
            {"source_epoch": "2290", "target_epoch": "3008"}
          ]
        }
      ]
    })");
}

TEST(Interchange, ParsesTheEipExample) {
    const auto parsed = parse_interchange(example().dump(), "example.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->genesis_validators_root, "0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673");
    ASSERT_EQ(parsed->data.size(), 1U);
    const auto& history = parsed->data[0];
    EXPECT_EQ(history.pubkey.size(), 98U);
    ASSERT_EQ(history.signed_blocks.size(), 2U);
    EXPECT_EQ(history.signed_blocks[0],
              (SignedBlock{81952, "0x4ff6f743a43f3b4f95350831aeaf0a122a1a392922c45d804280284a69eb850b"}));
    EXPECT_EQ(history.signed_blocks[1], (SignedBlock{81951, std::nullopt}));
    ASSERT_EQ(history.signed_attestations.size(), 2U);
    EXPECT_EQ(history.signed_attestations[1], (SignedAttestation{2290, 3008, std::nullopt}));
}

TEST(Interchange, RoundTripsThroughJson) {
    const auto parsed = parse_interchange(example().dump(), "example.json");
    ASSERT_TRUE(parsed.ok());
    const auto written = to_json(*parsed);
    EXPECT_EQ(nlohmann::json::parse(written), example());  // the same document, field for field
    const auto again = parse_interchange(written, "written.json");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *parsed);
}

TEST(Interchange, EverySharedFixtureParsesAndRoundTrips) {
    for (const auto& entry : std::filesystem::directory_iterator(test::fixtures_dir() / "eip3076")) {
        if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
        const auto test_case = nlohmann::json::parse(test::read_fixture("eip3076/" + entry.path().filename().string()));
        for (const auto& step : test_case.at("steps")) {
            const auto parsed = parse_interchange(step.at("interchange").dump(), entry.path().filename().string());
            ASSERT_TRUE(parsed.ok()) << parsed.error().message;
            EXPECT_EQ(nlohmann::json::parse(to_json(*parsed)), step.at("interchange")) << entry.path();
        }
    }
}

TEST(Interchange, HexIsNormalisedToLowerCase) {
    auto json = example();
    json["metadata"]["genesis_validators_root"] = "0x" + std::string(64, 'A');
    json["data"][0]["pubkey"] = "0x" + std::string(96, 'F');
    const auto parsed = parse_interchange(json.dump(), "upper.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->genesis_validators_root, "0x" + std::string(64, 'a'));
    EXPECT_EQ(parsed->data[0].pubkey, "0x" + std::string(96, 'f'));
}

// Each malformed field is refused with its JSON path and a way to fix it.
struct Malformed {
    const char* name;
    const char* pointer;  // JSON pointer to change; a null value removes the field
    nlohmann::json value;
    const char* message;
};

class MalformedInterchange : public testing::TestWithParam<Malformed> {};

TEST_P(MalformedInterchange, NamesThePathAndTheFix) {
    auto json = example();
    const auto& row = GetParam();
    const nlohmann::json::json_pointer pointer(row.pointer);
    if (row.value.is_null()) {
        json[pointer.parent_pointer()].erase(pointer.back());
    } else {
        json[pointer] = row.value;
    }
    const auto parsed = parse_interchange(json.dump(), "f.json");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, Errc::parse_error);
    EXPECT_EQ(parsed.error().message, std::string("f.json: ") + row.message);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, MalformedInterchange,
    testing::Values(
        Malformed{"no_metadata", "/metadata", nullptr,
                  "metadata: is missing; add \"metadata\": {\"interchange_format_version\": \"5\", "
                  "\"genesis_validators_root\": \"0x...\"}"},
        Malformed{"metadata_type", "/metadata", 5,
                  "metadata: 5 (a number) is not an object; write {\"interchange_format_version\": \"5\", "
                  "\"genesis_validators_root\": \"0x...\"}"},
        Malformed{"no_version", "/metadata/interchange_format_version", nullptr,
                  "metadata.interchange_format_version: is missing; add \"interchange_format_version\": \"5\""},
        Malformed{"old_version", "/metadata/interchange_format_version", "4",
                  "metadata.interchange_format_version: \"4\" is not supported; only \"5\" (EIP-3076) is: export "
                  "the file again with a client that writes format version 5"},
        Malformed{"numeric_version", "/metadata/interchange_format_version", 5,
                  "metadata.interchange_format_version: 5 (a number) is not supported; only \"5\" (EIP-3076) is: "
                  "export the file again with a client that writes format version 5"},
        Malformed{"no_root", "/metadata/genesis_validators_root", nullptr,
                  "metadata.genesis_validators_root: is missing; add the chain's genesis validators root (0x + 64 "
                  "hex digits)"},
        Malformed{"short_root", "/metadata/genesis_validators_root", "0x1234",
                  "metadata.genesis_validators_root: \"0x1234\" is not a genesis validators root: write \"0x\" "
                  "followed by 64 hex digits (32 bytes)"},
        Malformed{"unprefixed_root", "/metadata/genesis_validators_root", std::string(64, '0'),
                  "metadata.genesis_validators_root: \"0000000000000000000000000000000000000000...\" is not a "
                  "genesis validators root: write \"0x\" followed by 64 hex digits (32 bytes)"},
        Malformed{"no_data", "/data", nullptr, "data: is missing; add \"data\": [] (one entry per validator)"},
        Malformed{"data_type", "/data", nlohmann::json::object(),
                  "data: an object is not an array; write one entry per validator in \"data\": [...]"},
        Malformed{"entry_type", "/data/0", "validator",
                  "data[0]: \"validator\" is not an object; each entry of data is {\"pubkey\": \"0x...\", "
                  "\"signed_blocks\": [...], \"signed_attestations\": [...]}"},
        Malformed{"no_pubkey", "/data/0/pubkey", nullptr,
                  "data[0].pubkey: is missing; add the validator's BLS public key"},
        Malformed{"bad_pubkey", "/data/0/pubkey", "0xzz",
                  "data[0].pubkey: \"0xzz\" is not a BLS public key: write \"0x\" followed by 96 hex digits (48 "
                  "bytes)"},
        Malformed{"no_blocks", "/data/0/signed_blocks", nullptr,
                  "data[0].signed_blocks: is missing; write [] when the validator signed no blocks"},
        Malformed{"blocks_type", "/data/0/signed_blocks", "none",
                  "data[0].signed_blocks: \"none\" is not an array; write [] when the validator signed no blocks"},
        Malformed{"no_attestations", "/data/0/signed_attestations", nullptr,
                  "data[0].signed_attestations: is missing; write [] when the validator signed no attestations"},
        Malformed{"block_type", "/data/0/signed_blocks/1", 81951,
                  "data[0].signed_blocks[1]: 81951 (a number) is not an object; write {\"slot\": \"123\"}"},
        Malformed{"no_slot", "/data/0/signed_blocks/1/slot", nullptr,
                  "data[0].signed_blocks[1].slot: is missing; write the block's slot as \"slot\": \"123\""},
        Malformed{"numeric_slot", "/data/0/signed_blocks/1/slot", 81951,
                  "data[0].signed_blocks[1].slot: 81951 (a number) is not a decimal uint64 string; EIP-3076 "
                  "numbers are strings: write a quoted whole number from \"0\" to \"18446744073709551615\""},
        Malformed{"negative_slot", "/data/0/signed_blocks/1/slot", "-1",
                  "data[0].signed_blocks[1].slot: \"-1\" is not a decimal uint64; write a quoted whole number from "
                  "\"0\" to \"18446744073709551615\""},
        Malformed{"huge_slot", "/data/0/signed_blocks/1/slot", "18446744073709551616",
                  "data[0].signed_blocks[1].slot: \"18446744073709551616\" is not a decimal uint64 (too large); "
                  "write a quoted whole number from \"0\" to \"18446744073709551615\""},
        Malformed{"hex_slot", "/data/0/signed_blocks/1/slot", "0x10",
                  "data[0].signed_blocks[1].slot: \"0x10\" is not a decimal uint64; write a quoted whole number "
                  "from \"0\" to \"18446744073709551615\""},
        Malformed{"empty_slot", "/data/0/signed_blocks/1/slot", "",
                  "data[0].signed_blocks[1].slot: \"\" is not a decimal uint64; write a quoted whole number from "
                  "\"0\" to \"18446744073709551615\""},
        Malformed{"block_root", "/data/0/signed_blocks/0/signing_root", "0x4ff6",
                  "data[0].signed_blocks[0].signing_root: \"0x4ff6\" is not a signing root: write \"0x\" followed "
                  "by 64 hex digits (32 bytes)"},
        Malformed{"array_block_root", "/data/0/signed_blocks/1/signing_root", nlohmann::json::array(),
                  "data[0].signed_blocks[1].signing_root: an array is not a signing root: write \"0x\" followed by "
                  "64 hex digits (32 bytes)"},
        Malformed{"attestation_type", "/data/0/signed_attestations/0", true,
                  "data[0].signed_attestations[0]: true (a boolean) is not an object; write {\"source_epoch\": "
                  "\"1\", \"target_epoch\": \"2\"}"},
        Malformed{"no_source", "/data/0/signed_attestations/0/source_epoch", nullptr,
                  "data[0].signed_attestations[0].source_epoch: is missing; write the attestation's source_epoch "
                  "as \"source_epoch\": \"123\""},
        Malformed{"bad_target", "/data/0/signed_attestations/1/target_epoch", "x",
                  "data[0].signed_attestations[1].target_epoch: \"x\" is not a decimal uint64; write a quoted whole "
                  "number from \"0\" to \"18446744073709551615\""},
        Malformed{"attestation_root", "/data/0/signed_attestations/0/signing_root", "0xgg",
                  "data[0].signed_attestations[0].signing_root: \"0xgg\" is not a signing root: write \"0x\" "
                  "followed by 64 hex digits (32 bytes)"}),
    [](const testing::TestParamInfo<Malformed>& param_info) { return std::string(param_info.param.name); });

TEST(Interchange, NullSigningRootIsRefusedWithTheFix) {
    auto json = example();
    json["data"][0]["signed_blocks"][1]["signing_root"] = nullptr;
    const auto parsed = parse_interchange(json.dump(), "f.json");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message,
              "f.json: data[0].signed_blocks[1].signing_root: is null; omit the field when the signing root is "
              "unknown");
}

TEST(Interchange, ReportsEveryProblemAtOnce) {
    auto json = example();
    json["metadata"]["interchange_format_version"] = "4";
    json["data"][0]["signed_blocks"][0]["slot"] = "x";
    json["data"][0]["signed_attestations"][1]["target_epoch"] = "y";
    json["data"].push_back({{"pubkey", "0x00"}, {"signed_blocks", nlohmann::json::array()}});
    const auto parsed = parse_interchange(json.dump(), "f.json");
    ASSERT_FALSE(parsed.ok());
    const auto& message = parsed.error().message;
    EXPECT_THAT(message, HasSubstr("f.json: metadata.interchange_format_version: \"4\" is not supported"));
    EXPECT_THAT(message, HasSubstr("\nf.json: data[0].signed_blocks[0].slot: \"x\" is not a decimal uint64"));
    EXPECT_THAT(message, HasSubstr("\nf.json: data[0].signed_attestations[1].target_epoch: \"y\" is not a decimal"));
    EXPECT_THAT(message, HasSubstr("\nf.json: data[1].pubkey: \"0x00\" is not a BLS public key"));
    EXPECT_THAT(message, HasSubstr("\nf.json: data[1].signed_attestations: is missing"));
}

TEST(Interchange, ManyProblemsAreCapped) {
    auto json = example();
    for (int i = 0; i < 80; ++i) json["data"][0]["signed_blocks"].push_back({{"slot", "bad"}});
    const auto parsed = parse_interchange(json.dump(), "f.json");
    ASSERT_FALSE(parsed.ok());
    EXPECT_THAT(parsed.error().message, HasSubstr("\nf.json: ... and 30 more problems"));
}

TEST(Interchange, NotAnInterchange) {
    for (const auto* text : {"", "{", "[]", "\"5\"", "{\"metadata\": {}} trailing"}) {
        const auto parsed = parse_interchange(text, "f.json");
        ASSERT_FALSE(parsed.ok()) << text;
        EXPECT_EQ(parsed.error().message,
                  "f.json: not a JSON object; an EIP-3076 interchange is {\"metadata\": {...}, \"data\": [...]}");
    }
}

TEST(Interchange, UnknownFieldsAreAllowedAsTheSchemaDoes) {
    auto json = example();
    json["metadata"]["interchange_format"] = "complete";
    json["data"][0]["comment"] = "moved from another client";
    EXPECT_TRUE(parse_interchange(json.dump(), "f.json").ok());
}

TEST(Merge, KeepsTheMaximumPerKeyWithoutRoots) {
    const auto first =
        Interchange{chain_root,
                    {ValidatorHistory{pubkey_a, {{10, root_x}, {30, root_y}}, {{2, 9, root_x}, {5, 6, std::nullopt}}},
                     ValidatorHistory{pubkey_b, {}, {}}}};
    const auto second = Interchange{chain_root,
                                    {ValidatorHistory{pubkey_b, {{7, std::nullopt}}, {{1, 2, std::nullopt}}},
                                     ValidatorHistory{pubkey_a, {{20, std::nullopt}}, {{6, 8, root_y}}}}};
    const std::vector<Interchange> inputs{first, second};
    const auto merged = merge(inputs);
    ASSERT_TRUE(merged.ok()) << merged.error().message;
    EXPECT_EQ(merged->genesis_validators_root, chain_root);
    ASSERT_EQ(merged->data.size(), 2U);
    EXPECT_EQ(merged->data[0], (ValidatorHistory{pubkey_a, {{30, std::nullopt}}, {{6, 9, std::nullopt}}}));
    EXPECT_EQ(merged->data[1], (ValidatorHistory{pubkey_b, {{7, std::nullopt}}, {{1, 2, std::nullopt}}}));
    // The merge of merges is the same: the minimal form is a fixed point.
    const std::vector<Interchange> again{*merged};
    EXPECT_EQ(*merge(again), *merged);
}

TEST(Merge, ValidatorWithNoMessagesStaysEmpty) {
    const auto minimal = to_minimal(Interchange{chain_root, {ValidatorHistory{pubkey_a, {}, {}}}});
    ASSERT_EQ(minimal.data.size(), 1U);
    EXPECT_TRUE(minimal.data[0].signed_blocks.empty());
    EXPECT_TRUE(minimal.data[0].signed_attestations.empty());
}

TEST(Merge, RefusesDifferentChainsAndNothing) {
    const std::vector<Interchange> inputs{Interchange{chain_root, {}}, Interchange{"0x" + std::string(64, '2'), {}}};
    const auto merged = merge(inputs);
    ASSERT_FALSE(merged.ok());
    EXPECT_EQ(merged.error().code, Errc::invalid_argument);
    EXPECT_THAT(merged.error().message,
                HasSubstr("interchange 2 is for genesis validators root 0x2222222222222222222222222222222222222222222"
                          "222222222222222222222 but the first is for 0x1111"));
    EXPECT_FALSE(merge({}).ok());
}

TEST(SlashableData, FindsEachKind) {
    const auto interchange =
        Interchange{chain_root,
                    {ValidatorHistory{pubkey_a,
                                      {{10, root_x}, {10, root_x}, {11, root_x}, {11, root_y}, {12, std::nullopt}},
                                      {{1, 5, root_x}, {2, 4, std::nullopt}, {3, 3, root_x}, {7, 6, std::nullopt}}},
                     ValidatorHistory{pubkey_a, {{12, std::nullopt}}, {{4, 5, root_y}}},
                     ValidatorHistory{pubkey_b, {{10, root_y}}, {{1, 5, root_y}}}}};
    const auto findings = find_slashable_data(interchange);
    std::vector<std::string> described;
    for (const auto& finding : findings) {
        EXPECT_EQ(finding.pubkey, pubkey_a);  // pubkey_b's messages do not clash with pubkey_a's
        described.push_back(std::string(slashable_kind_name(finding.kind)) + ": " + finding.message);
    }
    EXPECT_THAT(described, testing::UnorderedElementsAre(
                               "double_proposal: two blocks at slot 11 (" + root_x + " and " + root_y + ")",
                               "double_proposal: two blocks at slot 12 (no signing root and no signing root)",
                               "source_after_target: attestation with source epoch 7 after its target epoch 6",
                               "double_vote: two attestations with target epoch 5 (sources 1 and 4; " + root_x +
                                   " and " + root_y + ")",
                               "surround_vote: attestation 1->5 surrounds attestation 2->4",
                               "surround_vote: attestation 1->5 surrounds attestation 3->3"));
    EXPECT_EQ(find_slashable_data(interchange, 2).size(), 2U);
}

TEST(SlashableData, CleanHistoryHasNone) {
    const auto parsed = parse_interchange(example().dump(), "example.json");
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(find_slashable_data(*parsed).empty());
}

TEST(Roots, OperatorGivenRoot) {
    EXPECT_EQ(*parse_genesis_validators_root("0x" + std::string(64, 'B'), "--genesis-validators-root"),
              "0x" + std::string(64, 'b'));
    const auto bad = parse_genesis_validators_root("0x12", "--genesis-validators-root");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message,
              "--genesis-validators-root \"0x12\" is not a genesis validators root: write \"0x\" followed by 64 hex "
              "digits (32 bytes)");
}

}  // namespace
}  // namespace ephemery::slashing
