#include "core/text.hpp"

#include <gtest/gtest.h>

#include <array>

namespace ephemery {
namespace {

TEST(Text, EditDistance) {
    EXPECT_EQ(edit_distance("", ""), 0U);
    EXPECT_EQ(edit_distance("network", "network"), 0U);
    EXPECT_EQ(edit_distance("netwrok", "network"), 2U);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
    EXPECT_EQ(edit_distance("", "abc"), 3U);
}

TEST(Text, ClosestMatchSuggestsNearKeysOnly) {
    const std::array<std::string, 4> keys{"network", "data_dir", "clients", "api"};
    EXPECT_EQ(closest_match("netwrok", keys), "network");
    EXPECT_EQ(closest_match("data-dir", keys), "data_dir");
    EXPECT_EQ(closest_match("client", keys), "clients");
    EXPECT_EQ(closest_match("monitoring", keys), std::nullopt);
    EXPECT_EQ(closest_match("x", std::span<const std::string>{}), std::nullopt);
}

TEST(Text, SplitListTrimsAndDropsEmptyItems) {
    EXPECT_EQ(split_list(" a, b,,c ,", ','), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(split_list("", ',').empty());
    EXPECT_TRUE(split_list(" , ", ',').empty());
}

TEST(Text, Hex) {
    EXPECT_EQ(from_hex("00ff"), (std::vector<std::uint8_t>{0, 255}));
    EXPECT_EQ(from_hex("0"), std::nullopt);
    EXPECT_EQ(from_hex("0g"), std::nullopt);
    EXPECT_EQ(from_hex("ABcd"), (std::vector<std::uint8_t>{0xab, 0xcd}));
    const std::vector<std::uint8_t> bytes{0x00, 0x1b, 0xff};
    EXPECT_EQ(to_hex(bytes), "001bff");
}

TEST(Text, TrimAndLower) {
    EXPECT_EQ(trim(" \t0xAB\n"), "0xAB");
    EXPECT_EQ(trim("   "), "");
    EXPECT_EQ(to_lower("0xAB-Geth"), "0xab-geth");
}

TEST(Text, Join) {
    const std::array<std::string, 3> items{"geth", "besu", "reth"};
    EXPECT_EQ(join(items, ", "), "geth, besu, reth");
    EXPECT_EQ(join(std::span<const std::string>{}, ", "), "");
}

}  // namespace
}  // namespace ephemery
