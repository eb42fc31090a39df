#include "daemon/tool_backend.hpp"

#include "infra/files.hpp"
#include "node/test_inputs.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace ephemery::daemon {
namespace {

using clients::Client;
using clients::Role;
using testing::ElementsAre;
using testing::HasSubstr;
namespace fs = std::filesystem;

using Argv = std::vector<std::string>;

ComposeTarget compose_target(const std::string& docker = "docker") {
    return {.docker = docker, .compose_file = "/var/lib/ephemery/compose/compose.yaml", .project = "ephemery"};
}

Argv with_compose_prefix(const Argv& words) {
    Argv argv{"docker", "compose", "-f", "/var/lib/ephemery/compose/compose.yaml", "-p", "ephemery"};
    argv.insert(argv.end(), words.begin(), words.end());
    return argv;
}

TEST(ComposeArguments, EverySubcommandNamesTheFileAndTheProject) {
    const auto target = compose_target();
    EXPECT_EQ(compose_up(target, {}), with_compose_prefix({"up", "-d"}));
    EXPECT_EQ(compose_up(target, {"a", "b"}), with_compose_prefix({"up", "-d", "a", "b"}));
    EXPECT_EQ(compose_up(target, {"a"}, false), with_compose_prefix({"up", "-d", "--no-deps", "a"}));
    EXPECT_EQ(compose_stop(target, ""), with_compose_prefix({"stop"}));
    EXPECT_EQ(compose_stop(target, "a"), with_compose_prefix({"stop", "a"}));
    EXPECT_EQ(compose_down(target), with_compose_prefix({"down"}));
    EXPECT_EQ(compose_ps(target), with_compose_prefix({"ps", "--all", "--format", "json"}));
    EXPECT_EQ(compose_logs(target, "", {}), with_compose_prefix({"logs"}));
    EXPECT_EQ(compose_logs(target, "a", {.follow = true, .tail = 100}),
              with_compose_prefix({"logs", "--follow", "--tail", "100", "a"}));
    EXPECT_EQ(compose_restart(target, "a"), with_compose_prefix({"restart", "a"}));
    EXPECT_EQ(
        compose_run(target, "a", {{.path = "/d", .read_only = false}, {.path = "/t", .read_only = true}},
                    {"geth", "init", "--datadir=/d", "/t/161/metadata/genesis.json"}),
        with_compose_prefix({"run", "--rm", "--no-deps", "-T", "--volume", "/d:/d", "--volume", "/t:/t:ro",
                             "--entrypoint", "geth", "a", "init", "--datadir=/d", "/t/161/metadata/genesis.json"}));
}

TEST(SystemdArguments, UserScopeAddsUserAndUnitsGoUnderTheHome) {
    EXPECT_EQ(systemd_scope_for(0), SystemdScope::system);
    EXPECT_EQ(systemd_scope_for(1000), SystemdScope::user);
    EXPECT_EQ(systemd_units_dir(SystemdScope::system, "/home/op"), "/etc/systemd/system");
    EXPECT_EQ(systemd_units_dir(SystemdScope::user, "/home/op"), "/home/op/.config/systemd/user");
    EXPECT_EQ(systemd_unit("ephemery-execution-geth"), "ephemery-execution-geth.service");
    EXPECT_EQ(systemd_unit("ephemery-execution-geth.service"), "ephemery-execution-geth.service");
    EXPECT_EQ(systemd_unit("ephemery-ephemery.target"), "ephemery-ephemery.target");

    const SystemdTarget system{.systemctl = "systemctl", .journalctl = "journalctl", .scope = SystemdScope::system};
    const SystemdTarget user{.systemctl = "/bin/systemctl", .journalctl = "journalctl", .scope = SystemdScope::user};
    EXPECT_EQ(systemctl_daemon_reload(system), (Argv{"systemctl", "daemon-reload"}));
    EXPECT_EQ(systemctl_daemon_reload(user), (Argv{"/bin/systemctl", "--user", "daemon-reload"}));
    EXPECT_EQ(systemctl_enable_now(system, "u.service"), (Argv{"systemctl", "enable", "--now", "u.service"}));
    EXPECT_EQ(systemctl_stop(user, "u.service"), (Argv{"/bin/systemctl", "--user", "stop", "u.service"}));
    EXPECT_EQ(systemctl_restart(system, "u.service"), (Argv{"systemctl", "restart", "u.service"}));
    EXPECT_EQ(systemctl_show(system, {"a.service", "b.service"}),
              (Argv{"systemctl", "show", "-p", "Id,LoadState,ActiveState,SubState,MainPID,NRestarts", "a.service",
                    "b.service"}));
    EXPECT_EQ(journalctl_logs(system, "u.service", {}), (Argv{"journalctl", "-u", "u.service"}));
    EXPECT_EQ(journalctl_logs(system, "u.service", {.follow = true, .tail = 50}),
              (Argv{"journalctl", "-u", "u.service", "-f", "-n", "50"}));
    EXPECT_EQ(journalctl_logs(user, "u.service", {.follow = false, .tail = 5}),
              (Argv{"journalctl", "--user-unit", "u.service", "-n", "5"}));
}

TEST(ComposePs, ReadsTheArrayOfOlderComposeAndTheLinesOfNewer) {
    const auto array = parse_compose_ps(
        R"([{"ID":"f00","Name":"ephemery-execution-geth","Command":"geth","Project":"ephemery",)"
        R"("Service":"ephemery-execution-geth","State":"running","Health":"healthy","ExitCode":0,"Publishers":null},)"
        R"({"ID":"ba5","Name":"ephemery-consensus-lighthouse","Service":"ephemery-consensus-lighthouse",)"
        R"("State":"restarting","Health":"","ExitCode":1}])"
        "\n");
    ASSERT_TRUE(array.ok()) << array.error().message;
    ASSERT_EQ(array->size(), 2U);
    EXPECT_EQ((*array)[0].name, "ephemery-execution-geth");
    EXPECT_EQ((*array)[0].state, "running");
    EXPECT_EQ((*array)[0].detail, "running (healthy)");
    EXPECT_FALSE((*array)[0].pid.has_value());
    EXPECT_EQ((*array)[1].state, "backing_off");

    const auto lines = parse_compose_ps(
        "WARN[0000] /var/lib/ephemery/compose/compose.yaml: `version` is obsolete\n"
        R"({"Name":"ephemery-execution-geth","Service":"ephemery-execution-geth","State":"running",)"
        R"json("Status":"Up 2 minutes (healthy)","ExitCode":0})json"
        "\n"
        R"({"Name":"ephemery-consensus-lighthouse","Service":"ephemery-consensus-lighthouse","State":"exited",)"
        R"("Status":"Exited (0) 3 seconds ago","ExitCode":0})"
        "\n");
    ASSERT_TRUE(lines.ok()) << lines.error().message;
    ASSERT_EQ(lines->size(), 2U);
    EXPECT_EQ((*lines)[0].detail, "Up 2 minutes (healthy)");
    EXPECT_EQ((*lines)[1].name, "ephemery-consensus-lighthouse");
    EXPECT_EQ((*lines)[1].state, "stopped");

    const auto one = parse_compose_ps(R"({"Name":"x-1","State":"dead"})");
    ASSERT_TRUE(one.ok()) << one.error().message;
    EXPECT_EQ(one->front().name, "x-1");  // no Service: the container name
    EXPECT_EQ(one->front().state, "failed");

    const auto nothing = parse_compose_ps("\n");
    ASSERT_TRUE(nothing.ok());
    EXPECT_TRUE(nothing->empty());
}

TEST(ComposePs, GarbageIsAnErrorNotAnEmptyNode) {
    for (const std::string_view garbage :
         {"unknown flag: --format", R"({"Service": 5, "State": "running"})", "[1, 2]", R"({"Service":"a"})",
          "{\"Service\":\"a\",\"State\":\"running\"}\n{truncated", R"("running")", R"([[{"Service":"a"}]])"}) {
        const auto states = parse_compose_ps(garbage);
        EXPECT_FALSE(states.ok()) << garbage;
        if (!states.ok()) {
            EXPECT_THAT(states.error().message, HasSubstr("docker compose ps")) << garbage;
        }
    }
}

TEST(SystemctlShow, ReadsEachUnitBlock) {
    const auto states = parse_systemctl_show(
        "Id=ephemery-execution-geth.service\nLoadState=loaded\nActiveState=active\nSubState=running\n"
        "MainPID=4242\nNRestarts=2\n\n"
        "MainPID=0\nNRestarts=0\nId=ephemery-consensus-lighthouse.service\nLoadState=loaded\n"
        "ActiveState=activating\nSubState=auto-restart\n\n"
        "Id=ephemery-validator-lighthouse.service\nLoadState=not-found\nActiveState=inactive\nSubState=dead\n"
        "MainPID=0\n");
    ASSERT_TRUE(states.ok()) << states.error().message;
    ASSERT_EQ(states->size(), 3U);
    EXPECT_EQ((*states)[0].name, "ephemery-execution-geth");
    EXPECT_EQ((*states)[0].state, "running");
    EXPECT_EQ((*states)[0].pid, 4242);
    EXPECT_EQ((*states)[0].restarts, 2U);
    EXPECT_EQ((*states)[0].detail, "active (running)");
    EXPECT_EQ((*states)[1].state, "backing_off");
    EXPECT_FALSE((*states)[1].pid.has_value());
    EXPECT_EQ((*states)[2].state, "missing");
    EXPECT_EQ((*states)[2].restarts, 0U);  // systemd before 235 has no NRestarts

    const auto states_of = [](std::string_view active, std::string_view sub) {
        auto parsed = parse_systemctl_show(fmt::format("Id=u.target\nActiveState={}\nSubState={}\n", active, sub));
        return parsed.ok() ? parsed->front().state : parsed.error().message;
    };
    EXPECT_EQ(states_of("inactive", "dead"), "stopped");
    EXPECT_EQ(states_of("failed", "failed"), "failed");
    EXPECT_EQ(states_of("activating", "start"), "starting");
    EXPECT_EQ(states_of("deactivating", "stop-sigterm"), "stopping");
    EXPECT_EQ(states_of("exploding", ""), "unknown");
}

TEST(SystemctlShow, GarbageIsAnError) {
    for (const std::string_view garbage :
         {"", "\n\n", "Failed to connect to bus: No medium found", "LoadState=loaded\nActiveState=active\n",
          "Id=u.service\nMainPID=12abc\n", "Id=u.service\nNRestarts=-1\n", "Id=u.service\nMainPID=99999999999\n"}) {
        EXPECT_FALSE(parse_systemctl_show(garbage).ok()) << garbage;
    }
    const auto bus = parse_systemctl_show("Failed to connect to bus: No medium found\n");
    ASSERT_FALSE(bus.ok());
    EXPECT_THAT(bus.error().message, HasSubstr("Failed to connect to bus"));
}

node::NodePlan example_plan(node::Backend backend, const fs::path& data_dir) {
    const auto in = node::example_node_inputs(backend, Client::geth, Client::lighthouse, true, data_dir);
    auto plan = node::make_node_plan(in);
    EXPECT_TRUE(plan.ok()) << plan.error().message;
    return plan.ok() ? std::move(plan).value() : node::NodePlan{};
}

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777U;
}

std::string read_text(const fs::path& path) {
    auto text = infra::read_file(path, std::size_t{1} << 20U);
    EXPECT_TRUE(text.ok()) << path;
    return text.ok() ? std::move(text).value() : std::string{};
}

TEST(InstallFiles, ComposeFileGoesToTheDataDirsComposeFolder) {
    const test::TempDir data;
    const auto plan = example_plan(node::Backend::compose, data.path());
    const node::ComposeInputs inputs{.release_dir = data.path() / "testnet" / "161",
                                     .jwt_file = data.path() / "jwt.hex",
                                     .keys_dir = {},
                                     .user = "1000:1000"};
    const auto installed = install_compose_file(plan, inputs, data.path());
    ASSERT_TRUE(installed.ok()) << installed.error().message;
    EXPECT_EQ(*installed, data.path() / "compose" / "compose.yaml");
    EXPECT_EQ(read_text(*installed), node::render_compose(plan, inputs).value());
    EXPECT_EQ(mode_of(*installed), 0644U);

    const node::ComposeInputs relative{.release_dir = "testnet/161", .jwt_file = "/j", .keys_dir = {}, .user = {}};
    EXPECT_FALSE(install_compose_file(plan, relative, data.path()).ok());
}

TEST(InstallFiles, OneUnitPerServiceAndTheTarget) {
    const test::TempDir data;
    const auto plan = example_plan(node::Backend::systemd, data.path());
    const fs::path units_dir = data.path() / "home" / ".config" / "systemd" / "user";
    const auto installed = install_systemd_units(plan, {.user = {}, .group = {}}, units_dir);
    ASSERT_TRUE(installed.ok()) << installed.error().message;
    EXPECT_THAT(
        *installed,
        ElementsAre(units_dir / "ephemery-execution-geth.service", units_dir / "ephemery-consensus-lighthouse.service",
                    units_dir / "ephemery-validator-lighthouse.service", units_dir / "ephemery-ephemery.target"));
    for (const fs::path& unit : *installed) EXPECT_EQ(mode_of(unit), 0644U) << unit;
    EXPECT_THAT(read_text(units_dir / "ephemery-execution-geth.service"), HasSubstr("ExecStart="));
}

// A stand-in for docker or systemctl: appends its path and arguments, one call a line (each word followed by
// '|'), to calls.log, prints the file `output` if there is one and exits with the number in `status` (else 0).
class FakeTool : public testing::Test {
  protected:
    fs::path write_tool(const std::string& name) const {
        auto script = dir_.write(name, fmt::format(R"(#!/bin/sh
for word in "$0" "$@"; do printf '%s|' "$word"; done >> '{0}/calls.log'
echo >> '{0}/calls.log'
[ -f '{0}/output' ] && cat '{0}/output'
exit $(cat '{0}/status' 2>/dev/null || echo 0)
)",
                                                   dir_.path().string()));
        fs::permissions(script, fs::perms::owner_all);
        return script;
    }
    void respond(const std::string& output, int status) const {
        dir_.write("output", output);
        dir_.write("status", std::to_string(status) + "\n");
    }
    std::vector<std::string> calls() const {
        std::vector<std::string> lines;
        std::string text = read_text(dir_.path() / "calls.log");
        std::size_t start = 0;
        for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
            lines.push_back(text.substr(start, end - start));
            start = end + 1;
        }
        return lines;
    }
    reset::Instance instance(const std::string& service) const {
        return {.role = Role::execution,
                .client = Client::geth,
                .data_dir = dir_.path() / "execution-geth",
                .binary = {},
                .service = service,
                .edition = clients::Edition::current};
    }
    test::TempDir dir_;
};

TEST_F(FakeTool, ComposeControlStopsStartsAndRunsInitInAOneOffContainer) {
    const fs::path docker = write_tool("docker");
    const std::string prefix = docker.string() + "|compose|-f|/n/compose/compose.yaml|-p|ephemery|";
    ComposeControl control(
        {.docker = docker.string(), .compose_file = "/n/compose/compose.yaml", .project = "ephemery"}, {"/n/testnet"});
    const auto geth = instance("ephemery-execution-geth");
    ASSERT_TRUE(control.stop(geth).ok());
    ASSERT_TRUE(control.start(geth).ok());
    ASSERT_TRUE(
        control.run(geth, {"geth", "init", "--datadir=" + geth.data_dir.string(), "/n/testnet/161/g.json"}).ok());
    ASSERT_TRUE(control.up().ok());
    ASSERT_TRUE(control.restart("ephemery-execution-geth").ok());
    ASSERT_TRUE(control.down().ok());
    const std::string data_dir = geth.data_dir.string();
    EXPECT_THAT(
        calls(),
        ElementsAre(prefix + "stop|ephemery-execution-geth|", prefix + "up|-d|--no-deps|ephemery-execution-geth|",
                    prefix + "run|--rm|--no-deps|-T|--volume|" + data_dir + ":" + data_dir +
                        "|--volume|/n/testnet:/n/testnet:ro|--entrypoint|geth|ephemery-execution-geth|init|"
                        "--datadir=" +
                        data_dir + "|/n/testnet/161/g.json|",
                    prefix + "up|-d|", prefix + "restart|ephemery-execution-geth|", prefix + "down|"));
}

TEST_F(FakeTool, ComposeControlReportsTheToolsLastLinesAndRefusesBadNames) {
    ComposeControl control({.docker = write_tool("docker").string(), .compose_file = "/c.yaml", .project = "p"}, {});
    std::string chatter;
    for (int line = 1; line <= 30; ++line) chatter += fmt::format("line {}\n", line);
    respond(chatter + "Error response from daemon: no such image: ethereum/client-go:stable\n", 1);
    const auto started = control.start(instance("ephemery-execution-geth"));
    ASSERT_FALSE(started.ok());
    EXPECT_THAT(started.error().message, HasSubstr("exited with 1"));
    EXPECT_THAT(started.error().message, HasSubstr("no such image: ethereum/client-go:stable"));
    EXPECT_THAT(started.error().message, HasSubstr("line 30"));
    EXPECT_THAT(started.error().message, testing::Not(HasSubstr("line 5\n")));

    respond("", 0);
    const std::size_t calls_so_far = calls().size();
    const auto option = control.stop(instance("--all"));
    ASSERT_FALSE(option.ok());
    EXPECT_THAT(option.error().message, HasSubstr("is not a valid name"));
    EXPECT_FALSE(control.run(instance("ephemery-execution-geth"), {"/opt/geth dir/geth", "init"}).ok());
    EXPECT_FALSE(control.run(instance("ephemery-execution-geth"), {}).ok());
    auto colon = instance("ephemery-execution-geth");
    colon.data_dir = "/data:/etc";
    EXPECT_FALSE(control.run(colon, {"geth", "init"}).ok());
    EXPECT_EQ(calls().size(), calls_so_far) << "nothing bad reaches docker";

    const auto missing =
        ComposeControl({.docker = (dir_.path() / "no-docker").string(), .compose_file = "/c.yaml", .project = "p"}, {})
            .stop(instance("a"));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(FakeTool, ComposeControlStatesParseWhatPsPrints) {
    ComposeControl control({.docker = write_tool("docker").string(), .compose_file = "/c.yaml", .project = "p"}, {});
    respond(R"({"Service":"p-execution-geth","State":"running","Status":"Up 1 hour"})"
            "\n",
            0);
    const auto states = control.states();
    ASSERT_TRUE(states.ok()) << states.error().message;
    ASSERT_EQ(states->size(), 1U);
    EXPECT_EQ(states->front().state, "running");
    respond("Cannot connect to the Docker daemon at unix:///var/run/docker.sock\n", 1);
    const auto down = control.states();
    ASSERT_FALSE(down.ok());
    EXPECT_THAT(down.error().message, HasSubstr("Cannot connect to the Docker daemon"));
}

TEST_F(FakeTool, SystemdControlUsesTheUserManagerAndRunsInitOnTheHost) {
    const fs::path systemctl = write_tool("systemctl");
    SystemdControl control({.systemctl = systemctl.string(), .journalctl = "journalctl", .scope = SystemdScope::user});
    const auto geth = instance("ephemery-execution-geth");
    ASSERT_TRUE(control.daemon_reload().ok());
    ASSERT_TRUE(control.stop(geth).ok());
    ASSERT_TRUE(control.start(geth).ok());
    ASSERT_TRUE(control.restart("ephemery-execution-geth").ok());
    // The init command runs directly: here the fake itself stands in for the client's binary.
    const fs::path geth_binary = write_tool("geth");
    ASSERT_TRUE(control.run(geth, {geth_binary.string(), "init", "--datadir=/d"}).ok());
    const std::string s = systemctl.string() + "|--user|";
    EXPECT_THAT(calls(), ElementsAre(s + "daemon-reload|", s + "stop|ephemery-execution-geth.service|",
                                     s + "enable|--now|ephemery-execution-geth.service|",
                                     s + "restart|ephemery-execution-geth.service|",
                                     geth_binary.string() + "|init|--datadir=/d|"));

    respond(
        "Id=ephemery-execution-geth.service\nLoadState=loaded\nActiveState=active\nSubState=running\n"
        "MainPID=77\nNRestarts=1\n",
        0);
    const auto states = control.states({"ephemery-execution-geth"});
    ASSERT_TRUE(states.ok()) << states.error().message;
    EXPECT_EQ(states->front().pid, 77);
    EXPECT_EQ(calls().back(), s + "show|-p|Id,LoadState,ActiveState,SubState,MainPID,NRestarts|"
                                  "ephemery-execution-geth.service|");

    respond("Failed to stop ephemery-execution-geth.service: Unit ephemery-execution-geth.service not loaded.\n", 5);
    const auto stopped = control.stop(geth);
    ASSERT_FALSE(stopped.ok());
    EXPECT_THAT(stopped.error().message, HasSubstr("exited with 5"));
    EXPECT_THAT(stopped.error().message, HasSubstr("not loaded"));
    const auto init = control.run(geth, {geth_binary.string(), "init"});
    ASSERT_FALSE(init.ok());
    EXPECT_THAT(init.error().message, HasSubstr("not loaded"));
}

// Without the Compose plugin docker answers `compose -f ...` only with "unknown shorthand flag: 'f'": the backend
// asks first, and says what to install.
TEST_F(FakeTool, TheComposeBackendChecksForThePluginAndSaysWhatToInstall) {
    const fs::path docker = write_tool("docker");
    respond("Docker Compose version v2.27.0\n", 0);
    EXPECT_TRUE(check_compose_plugin(docker.string(), (dir_.path() / "no-docker-compose").string()).ok());

    respond("unknown shorthand flag: 'f' in -f\n", 125);
    const auto missing = check_compose_plugin(docker.string(), (dir_.path() / "no-docker-compose").string());
    ASSERT_FALSE(missing.ok());
    EXPECT_THAT(missing.error().message, HasSubstr("unknown shorthand flag"));
    EXPECT_THAT(missing.error().message, HasSubstr("install docker-compose-plugin"));
    EXPECT_THAT(missing.error().message, HasSubstr("runtime.backend: native or systemd"));

    const fs::path v1 = dir_.write("docker-compose", "#!/bin/sh\necho 'docker-compose version 1.29.2'\n");
    fs::permissions(v1, fs::perms::owner_all);
    const auto only_v1 = check_compose_plugin(docker.string(), v1.string());
    ASSERT_FALSE(only_v1.ok());
    EXPECT_THAT(only_v1.error().message, HasSubstr("(Compose v1) is installed"));

    const auto no_docker = check_compose_plugin((dir_.path() / "no-docker").string(), v1.string());
    ASSERT_FALSE(no_docker.ok());
    EXPECT_THAT(no_docker.error().message, HasSubstr("install Docker Engine with its Compose plugin"));
}

}  // namespace
}  // namespace ephemery::daemon
