#include "cli/command_docs.hpp"

#include "cli/app.hpp"
#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace ephemery::cli {
namespace {

using testing::HasSubstr;
using testing::Not;

// The program's real command tree, as `ephemery` builds it.
class CommandDocs : public testing::Test {
  protected:
    CommandDocs() { define_commands(app_, context_); }

    // Runs `shell` with `arguments` after writing `script` to a file ($1 of the shell's command).
    test::CommandOutput run_shell(const std::string& shell, const std::string& script,
                                  std::vector<std::string> arguments) {
        const auto program = test::find_on_path(shell);
        EXPECT_FALSE(program.empty()) << shell << " is not on PATH: scripts/bootstrap installs it";
        const auto file = dir_.write("script", script);
        std::vector<std::string> argv{program.string()};
        for (auto& argument : arguments) argv.push_back(argument == "SCRIPT" ? file.string() : std::move(argument));
        return test::run_command(argv, {{"HOME", dir_.path().string()}, {"PATH", "/usr/bin:/bin"}},
                                 dir_.path().string());
    }

    // What bash completes for the words typed so far (the last one is being typed).
    std::string bash_completes(const std::string& typed) {
        const std::string driver =
            "source \"$1\"\nread -ra COMP_WORDS <<<\"$2\"\n"
            "[[ \"$2\" == *' ' ]] && COMP_WORDS+=('')\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
            "_ephemery\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        const auto script = dir_.write("completion.bash", render_bash_completion(app_));
        const auto driver_file = dir_.write("driver.bash", driver);
        const auto output = test::run_command({"/bin/bash", driver_file.string(), script.string(), typed}, {}, ".");
        EXPECT_EQ(output.exit_code, 0) << output.err;
        return output.out;
    }

    CLI::App app_{program_description, "ephemery"};
    CommandContext context_;
    test::TempDir dir_;
};

TEST_F(CommandDocs, BashCompletesCommandsSubcommandsAndOptionsAtEachLevel) {
    EXPECT_EQ(run_shell("bash", render_bash_completion(app_), {"-n", "SCRIPT"}).exit_code, 0);
    const std::string top = bash_completes("ephemery ");
    for (const char* command : {"network", "config", "genesis", "keys", "reset", "up", "devnet", "checkpoint"}) {
        EXPECT_THAT(top, HasSubstr(std::string(command) + "\n")) << top;
    }
    EXPECT_THAT(top, Not(HasSubstr("completion"))) << "hidden commands stay hidden";
    EXPECT_EQ(bash_completes("ephemery genesis f"), "fetch\n");
    // A global option's value is skipped on the way to the command.
    EXPECT_EQ(bash_completes("ephemery --data-dir /tmp/x genesis ve"), "verify\n");
    const std::string fetch_options = bash_completes("ephemery genesis fetch --");
    EXPECT_THAT(fetch_options, HasSubstr("--tag\n"));
    EXPECT_THAT(fetch_options, HasSubstr("--config\n")) << "global options follow the command name too";
}

TEST_F(CommandDocs, ZshAndFishScriptsParseAndFishCompletesLikeBash) {
    const auto zsh = run_shell("zsh", render_zsh_completion(app_), {"-n", "SCRIPT"});
    EXPECT_EQ(zsh.exit_code, 0) << zsh.err;
    EXPECT_THAT(render_zsh_completion(app_), HasSubstr("#compdef ephemery"));
    const std::string fish_script = render_fish_completion(app_);
    const auto parsed = run_shell("fish", fish_script, {"--no-execute", "SCRIPT"});
    EXPECT_EQ(parsed.exit_code, 0) << parsed.err;
    const auto completed =
        run_shell("fish", fish_script, {"-c", "source $argv[1]; complete -C 'ephemery genesis f'", "SCRIPT"});
    EXPECT_EQ(completed.exit_code, 0) << completed.err;
    EXPECT_THAT(completed.out, HasSubstr("fetch\t")) << completed.out;
    const auto options =
        run_shell("fish", fish_script, {"-c", "source $argv[1]; complete -C 'ephemery reset plan --'", "SCRIPT"});
    EXPECT_THAT(options.out, HasSubstr("--iteration\t")) << options.out;
}

TEST_F(CommandDocs, ManPageNamesEveryCommandAndOptionAndFormatsWithoutWarnings) {
    const std::string page = render_man_page(app_, "9.9.9");
    EXPECT_THAT(page, HasSubstr(".TH EPHEMERY 1 \"\" \"ephemery 9.9.9\""));
    for (const char* section : {"ephemery genesis fetch", "ephemery reset run", "ephemery keys import",
                                "ephemery alerts silence", "ephemery devnet"}) {
        EXPECT_THAT(page, HasSubstr(".SS \"" + std::string(section) + "\"")) << section;
    }
    EXPECT_THAT(page, HasSubstr("\\fB\\-\\-port\\-base\\fR"));
    EXPECT_THAT(page, Not(HasSubstr("ephemery completion")));
    // groff itself judges the page: -ww turns on every warning, -z renders nothing.
    const auto checked = run_shell("groff", page, {"-man", "-Tutf8", "-ww", "-z", "SCRIPT"});
    EXPECT_EQ(checked.exit_code, 0);
    EXPECT_EQ(checked.err, "") << "groff warned";
}

}  // namespace
}  // namespace ephemery::cli
