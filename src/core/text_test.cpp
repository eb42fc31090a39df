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

TEST(Text, PrintableEscapesWhatCouldHideOrRewriteText) {
    EXPECT_EQ(printable("data_dir: /var/lib/ephemery\n\tok"), "data_dir: /var/lib/ephemery\n\tok");
    EXPECT_EQ(printable("gr\xc3\xbc\xc3\x9f"
                        "e \xe2\x9c\x93"),
              "gr\xc3\xbc\xc3\x9f"
              "e \xe2\x9c\x93")
        << "letters and symbols stay";
    EXPECT_EQ(printable("\x1b[2Jcleared\r"), "\\x1b[2Jcleared\\x0d");
    EXPECT_EQ(printable(std::string("nul\0here", 8)), "nul\\x00here");
    // U+202E spelled byte by byte: a string literal holding it would itself mislead a reader (and clang-tidy).
    const std::string right_to_left_override{'\xe2', '\x80', '\xae'};
    EXPECT_EQ(printable("key" + right_to_left_override + "lmx.exe"), "key\\u{202E}lmx.exe") << "right-to-left override";
    const std::string left_to_right_isolate{'\xe2', '\x81', '\xa6'};
    const std::string pop_directional_isolate{'\xe2', '\x81', '\xa9'};
    EXPECT_EQ(printable("a" + left_to_right_isolate + "b" + pop_directional_isolate +
                        "c\xe2\x80\x8b"
                        "d"),
              "a\\u{2066}b\\u{2069}c\\u{200B}d");
    EXPECT_EQ(printable("line\xe2\x80\xa8sep\xc2\x85"), "line\\u{2028}sep\\u{0085}");
    EXPECT_EQ(printable("bad \xff\xc3 utf8"), "bad \\xff\\xc3 utf8");
    EXPECT_EQ(printable("\x7f"), "\\x7f");
    EXPECT_EQ(printable(""), "");
}

TEST(Text, ShellWordQuotesOnlyWhatAShellWouldRead) {
    EXPECT_EQ(shell_word("/var/lib/ephemery-1.0"), "/var/lib/ephemery-1.0");
    EXPECT_EQ(shell_word("/tmp/my data"), "'/tmp/my data'");
    EXPECT_EQ(shell_word("it's $HOME"), "'it'\\''s $HOME'");
    EXPECT_EQ(shell_word(""), "''");
    EXPECT_EQ(shell_word("~/x"), "'~/x'");
}

TEST(Text, CountedTakesThePluralOnlyForOtherThanOne) {
    EXPECT_EQ(counted(1, "validator"), "1 validator");
    EXPECT_EQ(counted(0, "validator"), "0 validators");
    EXPECT_EQ(counted(48, "attestation"), "48 attestations");
}

}  // namespace
}  // namespace ephemery
