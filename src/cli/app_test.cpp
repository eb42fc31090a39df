#include "cli/app.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ephemery::cli {
namespace {

using testing::HasSubstr;

// The program's real command tree, as `ephemery` builds it.
class CommandWords : public testing::Test {
  protected:
    CommandWords() { define_commands(app_, context_); }
    std::optional<std::string> explain(const std::vector<std::string>& words) {
        return explain_command_words(app_, words);
    }

    CLI::App app_{program_description, "ephemery"};
    CommandContext context_;
};

TEST_F(CommandWords, AnUnknownCommandIsNamedWithTheNearestOne) {
    const auto top = explain({"statuz"});
    ASSERT_TRUE(top.has_value());
    EXPECT_THAT(*top, HasSubstr("`statuz` is not an ephemery command; did you mean `status`?"));
    EXPECT_THAT(*top, HasSubstr("`ephemery --help`"));
    EXPECT_THAT(*top, testing::Not(HasSubstr("manpage"))) << "hidden commands are not offered";

    const auto nested = explain({"--data-dir", "/srv/eph", "keys", "chek"});
    ASSERT_TRUE(nested.has_value());
    EXPECT_THAT(*nested, HasSubstr("`chek` is not a subcommand of `ephemery keys`; did you mean `check`?"));
    EXPECT_THAT(*nested, HasSubstr("`ephemery keys --help`"));
}

TEST_F(CommandWords, AMissingCommandListsTheChoices) {
    const auto nothing = explain({});
    ASSERT_TRUE(nothing.has_value());
    EXPECT_THAT(*nothing, HasSubstr("`ephemery` needs a command: "));
    EXPECT_THAT(*nothing, HasSubstr("status"));
    const auto keys = explain({"--log-level=debug", "keys"});
    ASSERT_TRUE(keys.has_value());
    EXPECT_THAT(*keys, HasSubstr("`ephemery keys` needs a command: "));
}

TEST_F(CommandWords, CorrectCommandsAndTheirArgumentsNeedNoExplanation) {
    EXPECT_FALSE(explain({"status"}).has_value());
    EXPECT_FALSE(explain({"-c", "keys", "status"}).has_value()) << "`keys` here is the config file's name";
    EXPECT_FALSE(explain({"keys", "check", "some-dir", "--json"}).has_value());
    EXPECT_FALSE(explain({"status", "--", "anything"}).has_value());
}

}  // namespace
}  // namespace ephemery::cli
