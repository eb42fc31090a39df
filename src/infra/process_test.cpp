#include "infra/process.hpp"

#include "test_support/background_process.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace ephemery::infra {
namespace {

using testing::HasSubstr;

TEST(RunProcess, CapturesOutputAndExitCodeWithoutAShell) {
    const auto echoed = run_process({"/bin/echo", "a;b", "$HOME"});
    ASSERT_TRUE(echoed.ok()) << echoed.error().message;
    EXPECT_EQ(echoed->exit_code, 0);
    EXPECT_EQ(echoed->output, "a;b $HOME\n") << "arguments reach the program as they are";
    const auto failed = run_process({"/bin/sh", "-c", "echo oops >&2; exit 7"});
    ASSERT_TRUE(failed.ok());
    EXPECT_EQ(failed->exit_code, 7);
    EXPECT_EQ(failed->output, "oops\n");
    const auto missing = run_process({"/no/such/program"});
    ASSERT_FALSE(missing.ok());
    EXPECT_THAT(missing.error().message, HasSubstr("cannot run /no/such/program"));
    EXPECT_FALSE(run_process({}).ok());
}

TEST(ProcessesUsing, FindsAProcessWorkingInTheDirectory) {
    const test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "data");
    EXPECT_TRUE(processes_using(dir.path() / "data").empty());
    test::BackgroundProcess sleeper({.argv = {"/bin/sleep", "30"},
                                     .env = {},
                                     .working_directory = dir.path() / "data",
                                     .log_file = dir.path() / "sleep.log"});
    const auto users = processes_using(dir.path() / "data");
    ASSERT_EQ(users.size(), 1U);
    EXPECT_EQ(users[0].pid, sleeper.pid());
    EXPECT_EQ(users[0].command, "sleep");
    sleeper.stop();
    EXPECT_TRUE(processes_using(dir.path() / "data").empty());
}

TEST(LastLines, CountsLinesWhetherOrNotTheTextEndsWithANewline) {
    EXPECT_EQ(last_lines("", 3), "");
    EXPECT_EQ(last_lines("\n", 3), "\n");
    EXPECT_EQ(last_lines("a\nb\nc\n", 3), "a\nb\nc\n");
    EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc\n");
    EXPECT_EQ(last_lines("a\nb\nc", 2), "b\nc");
    EXPECT_EQ(last_lines("a\nb\nc", 10), "a\nb\nc");
    EXPECT_EQ(last_lines("a\nb\nc\n", 0), "");
    std::string hundred;
    for (int line = 1; line <= 100; ++line) hundred += "line " + std::to_string(line) + "\n";
    EXPECT_EQ(last_lines(hundred, 3), "line 98\nline 99\nline 100\n");
}

}  // namespace
}  // namespace ephemery::infra
