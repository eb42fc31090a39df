#include "node/systemd.hpp"
#include "node/test_inputs.hpp"

#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <sstream>

namespace ephemery::node {
namespace {

namespace fs = std::filesystem;
using clients::Client;
using testing::ElementsAre;
using testing::HasSubstr;

NodeInputs native_inputs(const fs::path& data_dir) {
    return example_node_inputs(Backend::systemd, Client::geth, Client::lighthouse, true, data_dir);
}

NodePlan checked_plan(const NodeInputs& in) {
    auto plan = make_node_plan(in);
    EXPECT_TRUE(plan.ok()) << plan.error().message;
    return plan.ok() ? std::move(plan).value() : NodePlan{};
}

std::vector<UnitFile> render(const NodePlan& plan, const SystemdInputs& inputs) {
    auto units = render_systemd(plan, inputs);
    EXPECT_TRUE(units.ok()) << units.error().message;
    return units.ok() ? std::move(units).value() : std::vector<UnitFile>{};
}

// The value of the first `key=` line of a unit; continuation lines are not joined.
std::string setting(const std::string& unit, const std::string& key) {
    std::istringstream lines(unit);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
    }
    return "<missing>";
}

// ExecStart= read back the way systemd reads it (systemd.syntax(7), systemd.service(5) "Command lines"):
// continuation lines joined, specifiers expanded (only "%%" may occur), the line split into words with double
// or single quotes and C escapes, then "$$" turned into '$' in each word (environment variable expansion).
std::string joined_exec_start(const std::string& unit) {
    std::istringstream lines(unit);
    std::string value;
    bool inside = false;
    for (std::string line; std::getline(lines, line);) {
        if (!inside) {
            if (!line.starts_with("ExecStart=")) continue;
            line.erase(0, std::string_view("ExecStart=").size());
            inside = true;
        }
        // A trailing backslash continues the setting on the next line and is replaced by a blank.
        if (!line.empty() && line.back() == '\\') {
            line.back() = ' ';
            value += line;
            continue;
        }
        value += line;
        break;
    }
    return value;
}

std::string expand_specifiers(const std::string& text) {
    std::string expanded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%') {
            EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '%') << "a specifier in " << text;
            ++i;
        }
        expanded += text[i];
    }
    return expanded;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    ADD_FAILURE() << "not a hex digit: " << c;
    return 0;
}

// The C escape starting at text[at] == '\\'; returns the index of its last character.
std::size_t unescape(const std::string& text, std::size_t at, std::string& word) {
    if (at + 1 >= text.size()) {
        ADD_FAILURE() << "a backslash at the end";
        return at;
    }
    const char c = text[at + 1];
    static const std::map<char, char> simple{{'a', '\a'}, {'b', '\b'},  {'f', '\f'}, {'n', '\n'},
                                             {'r', '\r'}, {'t', '\t'},  {'v', '\v'}, {'\\', '\\'},
                                             {'"', '"'},  {'\'', '\''}, {'s', ' '}};
    if (const auto found = simple.find(c); found != simple.end()) {
        word += found->second;
        return at + 1;
    }
    if (c == 'x' && at + 3 < text.size()) {
        word += static_cast<char>(hex_digit(text[at + 2]) * 16 + hex_digit(text[at + 3]));
        return at + 3;
    }
    if (c >= '0' && c <= '7' && at + 3 < text.size()) {
        word += static_cast<char>((text[at + 1] - '0') * 64 + (text[at + 2] - '0') * 8 + (text[at + 3] - '0'));
        return at + 3;
    }
    ADD_FAILURE() << "an escape systemd does not know: \\" << c;
    return at + 1;
}

std::vector<std::string> split_words(const std::string& text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    std::vector<std::string> words;
    std::size_t i = 0;
    while (true) {
        while (i < text.size() && blank(text[i])) ++i;
        if (i == text.size()) break;
        std::string word;
        char quote = 0;
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (quote == 0 && blank(c)) break;
            if (c == '\\') {
                i = unescape(text, i, word);
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else {
                word += c;
            }
        }
        EXPECT_EQ(quote, 0) << "an unterminated quote in " << text;
        words.push_back(std::move(word));
    }
    return words;
}

std::string expand_environment(const std::string& word) {
    std::string expanded;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (word[i] == '$') {
            EXPECT_TRUE(i + 1 < word.size() && word[i + 1] == '$') << "an environment variable in " << word;
            ++i;
        }
        expanded += word[i];
    }
    return expanded;
}

std::vector<std::string> parse_exec_start(const std::string& unit) {
    std::vector<std::string> argv;
    for (const std::string& word : split_words(expand_specifiers(joined_exec_start(unit)))) {
        argv.push_back(expand_environment(word));
    }
    return argv;
}

std::vector<std::string> command_line(const ServicePlan& service) {
    std::vector<std::string> argv{service.program};
    argv.insert(argv.end(), service.arguments.begin(), service.arguments.end());
    return argv;
}

TEST(Systemd, EveryRoleGetsAUnitOrderedAfterItsDependenciesAndTheTargetGroupsThem) {
    const NodePlan plan = checked_plan(native_inputs("/var/lib/ephemery"));
    ASSERT_EQ(plan.services.size(), 3U);
    const auto units = render(plan, {.user = "ephemery", .group = "ephemery"});
    ASSERT_EQ(units.size(), 4U);
    std::vector<std::string> names;
    names.reserve(units.size());
    for (const UnitFile& unit : units) names.push_back(unit.name);
    EXPECT_THAT(names, ElementsAre("ephemery-execution-geth.service", "ephemery-consensus-lighthouse.service",
                                   "ephemery-validator-lighthouse.service", "ephemery-ephemery.target"));

    for (std::size_t i = 0; i < plan.services.size(); ++i) {
        const ServicePlan& service = plan.services[i];
        const std::string& text = units[i].text;
        SCOPED_TRACE(service.name);
        EXPECT_EQ(parse_exec_start(text), command_line(service));
        EXPECT_EQ(setting(text, "WorkingDirectory"), service.data_dir.string());
        EXPECT_EQ(setting(text, "ReadWritePaths"), "\"" + service.data_dir.string() + "\"");
        EXPECT_EQ(setting(text, "User"), "ephemery");
        EXPECT_EQ(setting(text, "Group"), "ephemery");
        EXPECT_EQ(setting(text, "PartOf"), "ephemery-ephemery.target");
        EXPECT_EQ(setting(text, "Restart"), "on-failure");
        EXPECT_EQ(setting(text, "RestartSec"), "5");
        EXPECT_EQ(setting(text, "KillSignal"), "SIGINT");
        EXPECT_EQ(setting(text, "TimeoutStopSec"), "120");
        EXPECT_EQ(setting(text, "NoNewPrivileges"), "yes");
        EXPECT_EQ(setting(text, "PrivateTmp"), "yes");
        EXPECT_EQ(setting(text, "ProtectSystem"), "full");
        EXPECT_EQ(setting(text, "StandardOutput"), "journal");
        EXPECT_EQ(setting(text, "WantedBy"), "multi-user.target");
    }
    EXPECT_EQ(setting(units[0].text, "After"), "network-online.target");
    EXPECT_EQ(setting(units[1].text, "After"), "network-online.target ephemery-execution-geth.service");
    EXPECT_EQ(setting(units[2].text, "Wants"),
              "network-online.target ephemery-execution-geth.service ephemery-consensus-lighthouse.service");
    EXPECT_EQ(setting(units[3].text, "Wants"),
              "ephemery-execution-geth.service ephemery-consensus-lighthouse.service "
              "ephemery-validator-lighthouse.service");
    EXPECT_EQ(setting(units[3].text, "WantedBy"), "multi-user.target");

    const auto without_user = render(plan, {});
    ASSERT_EQ(without_user.size(), 4U);
    EXPECT_EQ(setting(without_user[0].text, "User"), "<missing>");
}

// A user's manager (ephemery not run as root): its units are wanted by default.target, which it reaches at login or,
// for a lingering user, at boot. multi-user.target exists only in the system manager: a user unit wanted by it
// never starts.
TEST(Systemd, UserUnitsAreWantedByTheUserManagersDefaultTarget) {
    const NodePlan plan = checked_plan(native_inputs("/home/op/.ephemery"));
    const auto units = render(plan, {.user = {}, .group = {}, .scope = SystemdScope::user});
    ASSERT_EQ(units.size(), 4U);
    for (const UnitFile& unit : units) {
        SCOPED_TRACE(unit.name);
        EXPECT_EQ(setting(unit.text, "WantedBy"), "default.target");
        EXPECT_EQ(unit.text.find("network-online.target"), std::string::npos) << "no such unit in a user manager";
        EXPECT_EQ(unit.text.find("multi-user.target"), std::string::npos);
        EXPECT_EQ(setting(unit.text, "PrivateTmp"), "<missing>") << "needs a mount namespace a user manager lacks";
        EXPECT_EQ(setting(unit.text, "User"), "<missing>");
    }
    EXPECT_EQ(setting(units[1].text, "After"), "ephemery-execution-geth.service");
    EXPECT_EQ(setting(units[0].text, "After"), "<missing>");

    const auto with_user = render_systemd(plan, {.user = "ephemery", .group = {}, .scope = SystemdScope::user});
    ASSERT_FALSE(with_user.ok());
    EXPECT_THAT(with_user.error().message, testing::HasSubstr("cannot name a User="));
}

const std::vector<std::string>& tricky_arguments() {
    static const std::vector<std::string> arguments{
        "--graffiti=say \"hi\" 'there'",
        "--x=$HOME ${HOME} $$ $",
        "--y=50% %n %%",
        "back\\slash",
        "trailing\\",
        "",
        " blanks ",
        ";",
        "a;b",
        "#not a comment",
        "line\nbreak\ttab\rreturn",
        std::string("\x01\x7f", 2),
        "-leading-dash",
        "@at",
        "\xc3\xbcnicode",
    };
    return arguments;
}

TEST(Systemd, ExecStartGivesTheProgramExactlyItsArguments) {
    NodePlan plan = checked_plan(native_inputs("/var/lib/ephemery"));
    ASSERT_FALSE(plan.services.empty());
    plan.services[0].program = "/opt/my tools/ge\"th%";
    plan.services[0].arguments.insert(plan.services[0].arguments.end(), tricky_arguments().begin(),
                                      tricky_arguments().end());
    const auto units = render(plan, {});
    ASSERT_FALSE(units.empty());
    EXPECT_EQ(parse_exec_start(units[0].text), command_line(plan.services[0]));
    // One setting per line: an argument's newline must not end it.
    EXPECT_THAT(units[0].text, HasSubstr("\"line\\x0abreak\\x09tab\\x0dreturn\""));
}

TEST(Systemd, OneArgumentIsQuotedWithSpecifiersAndVariablesDoubled) {
    const auto quoted = [](std::string_view argument) {
        const auto result = systemd_exec_argument(argument);
        EXPECT_TRUE(result.ok());
        return result.ok() ? result.value() : std::string{};
    };
    EXPECT_EQ(quoted("a b"), "\"a b\"");
    EXPECT_EQ(quoted("50%"), "\"50%%\"");
    EXPECT_EQ(quoted("$HOME"), "\"$$HOME\"");
    EXPECT_EQ(quoted("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    EXPECT_EQ(quoted("a\nb"), "\"a\\x0ab\"");
    EXPECT_EQ(quoted(""), "\"\"");
    EXPECT_FALSE(systemd_exec_argument(std::string("a\0b", 3)).ok()) << "no program can receive a NUL byte";
}

TEST(Systemd, PathsWithSpecifierCharactersAreEscapedAndUnwritableOnesRefused) {
    NodePlan plan = checked_plan(native_inputs("/var/lib/ephemery"));
    ASSERT_FALSE(plan.services.empty());
    plan.services[0].data_dir = "/srv/100% \"full\"/./geth/";
    const auto units = render(plan, {});
    ASSERT_FALSE(units.empty());
    EXPECT_EQ(setting(units[0].text, "WorkingDirectory"), "/srv/100%% \"full\"/geth");
    EXPECT_EQ(setting(units[0].text, "ReadWritePaths"), "\"/srv/100%% \\\"full\\\"/geth\"");

    plan.services[0].data_dir = "relative/geth";
    const auto relative = render_systemd(plan, {});
    ASSERT_FALSE(relative.ok());
    EXPECT_THAT(relative.error().message, HasSubstr("ephemery-execution-geth"));
    EXPECT_THAT(relative.error().message, HasSubstr("relative/geth"));

    plan.services[0].data_dir = "/srv/line\nbreak";
    EXPECT_FALSE(render_systemd(plan, {}).ok());

    NodePlan spaced = checked_plan(native_inputs("/var/lib/ephemery"));
    spaced.network = "my net";
    EXPECT_FALSE(render_systemd(spaced, {}).ok());
    const auto bad_user =
        render_systemd(checked_plan(native_inputs("/var/lib/ephemery")), {.user = "a b", .group = {}});
    ASSERT_FALSE(bad_user.ok());
    EXPECT_THAT(bad_user.error().message, HasSubstr("user"));
}

TEST(Systemd, SystemdAnalyzeVerifiesTheUnits) {
    const fs::path analyze = test::find_on_path("systemd-analyze");
    if (analyze.empty()) GTEST_SKIP() << "systemd-analyze is not installed: the units were checked by parsing only";
    const fs::path program = test::find_on_path("true");
    ASSERT_FALSE(program.empty());

    const test::TempDir root;
    NodePlan plan = checked_plan(native_inputs(root.path() / "data 100%"));
    ASSERT_EQ(plan.services.size(), 3U);
    // systemd-analyze checks that the program exists and is executable: run an existing one.
    for (ServicePlan& service : plan.services) {
        service.program = program.string();
        fs::create_directories(service.data_dir);
    }
    plan.services[0].arguments.insert(plan.services[0].arguments.end(), tricky_arguments().begin(),
                                      tricky_arguments().end());
    for (const SystemdScope scope : {SystemdScope::system, SystemdScope::user}) {
        const bool user = scope == SystemdScope::user;
        SCOPED_TRACE(user ? "user manager" : "system manager");
        const auto units = render(plan, {.user = user ? "" : "ephemery", .group = {}, .scope = scope});
        ASSERT_EQ(units.size(), 4U);
        const std::string directory = user ? "user-units/" : "units/";
        std::vector<std::string> argv{analyze.string()};
        if (user) argv.emplace_back("--user");
        argv.insert(argv.end(), {"verify", "--man=no"});
        for (const UnitFile& unit : units) argv.push_back(root.write(directory + unit.name, unit.text).string());
        // A user manager needs its runtime directory, which only a login session would otherwise provide.
        const fs::path runtime_dir = root.path() / "runtime";
        fs::create_directories(runtime_dir);
        fs::permissions(runtime_dir, fs::perms::owner_all);
        const auto verified = test::run_command(
            argv, {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"XDG_RUNTIME_DIR", runtime_dir.string()}},
            root.path().string());
        EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
        // Warnings (unknown keys, bad values) do not change the exit code: there must be none.
        EXPECT_EQ(verified.out + verified.err, "");
    }
}

}  // namespace
}  // namespace ephemery::node
