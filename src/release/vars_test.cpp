#include "release/vars.hpp"

#include <gtest/gtest.h>

namespace ephemery::release {
namespace {

TEST(Vars, RetentionAndNodevarsForms) {
    const auto vars = parse_vars(
        "# comment\n\nexport ITERATION_NUMBER=\"160\"\nCHAIN_ID='39438160'\nGENESIS_DELAY=600 # seconds\n"
        "BOOTNODE_ENR_LIST=\"enr:-a,enr:-b\"\nEMPTY=\"\"\n",
        "retention.vars");
    ASSERT_TRUE(vars.ok()) << vars.error().message;
    EXPECT_EQ(vars->at("ITERATION_NUMBER"), "160");
    EXPECT_EQ(vars->at("CHAIN_ID"), "39438160");
    EXPECT_EQ(vars->at("GENESIS_DELAY"), "600");
    EXPECT_EQ(vars->at("BOOTNODE_ENR_LIST"), "enr:-a,enr:-b");
    EXPECT_EQ(vars->at("EMPTY"), "");
}

TEST(Vars, ErrorsNameFileAndLine) {
    auto vars = parse_vars("A=\"1\"\nnot a line\n", "nodevars_env.txt");
    ASSERT_FALSE(vars.ok());
    EXPECT_EQ(vars.error().message, "nodevars_env.txt:2: expected KEY=\"value\"");
    vars = parse_vars("A=\"open\n", "x");
    EXPECT_EQ(vars.error().message, "x:1: the quoted value is not closed");
    vars = parse_vars("A=$(rm -rf /)\n", "x");
    EXPECT_EQ(vars.error().message, "x:1: an unquoted value may not contain blanks, quotes, $ or `");
    vars = parse_vars("A=1\nA=2\n", "x");
    EXPECT_EQ(vars.error().message, "x:2: A is set twice");
    vars = parse_vars("1A=1\n", "x");
    EXPECT_FALSE(vars.ok());
}

}  // namespace
}  // namespace ephemery::release
