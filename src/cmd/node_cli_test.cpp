// `ephemery up --detach`, `status`, `logs`, `restart` and `down` on the built binary, with stand-in clients and
// releases of the live iteration in a local directory: a new node is reset to the live iteration, started,
// reported, restarted and stopped with nothing left running.
#include "cmd/cli_test_fixture.hpp"
#include "test_support/background_process.hpp"
#include "test_support/http_server.hpp"
#include "test_support/release_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <thread>

namespace ephemery {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

// True once the process has ended (a zombie nobody reaped has ended too), waiting up to 5 s.
bool ended(int pid) {
    for (int attempt = 0; attempt < 50; ++attempt) {
        if (::kill(pid, 0) != 0) return true;
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        const std::string text{std::istreambuf_iterator<char>(stat), std::istreambuf_iterator<char>()};
        const auto close = text.rfind(')');
        if (close != std::string::npos && text.substr(close + 2, 1) == "Z") return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

class NodeCli : public Cli {
  public:
    ~NodeCli() override { (void)run({"down", "--config", config_file().string()}); }
    NodeCli(const NodeCli&) = delete;
    NodeCli& operator=(const NodeCli&) = delete;
    NodeCli(NodeCli&&) = delete;
    NodeCli& operator=(NodeCli&&) = delete;

  protected:
    NodeCli() {
        const auto schedule = network::public_ephemery_schedule();
        const auto now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        const std::uint64_t live = *network::iteration_at(schedule, now);
        for (const std::uint64_t n : {live, live + 1}) {
            write(releases_.path() / network::release_tag(schedule, n) / "network-config.tar.gz",
                  test::pack_tar_gz(test::make_release(n)));
        }
        write(bin() / "geth",
              "#!/bin/sh\nif [ \"$1\" = init ]; then exit 0; fi\necho \"geth started: $*\"\n"
              "trap 'echo geth got SIGINT; exit 0' INT\nwhile :; do sleep 1; done\n");
        write(bin() / "lighthouse", "#!/bin/sh\necho lighthouse started\nexec sleep 300\n");
        fs::permissions(bin() / "geth", fs::perms::owner_all);
        fs::permissions(bin() / "lighthouse", fs::perms::owner_all);
        write(config_file(),
              "data_dir: " + data().string() + "\nnetwork:\n  release_base_url: " + releases_.path().string() +
                  "\napi:\n  port: 0\nclients:\n  execution:\n    client: geth\n"
                  "    binary: " +
                  (bin() / "geth").string() +
                  "\n  consensus:\n    client: lighthouse\n    binary: " + (bin() / "lighthouse").string() +
                  "\ncheckpoint:\n  providers: [" + stale_provider_.base_url() + "]\n  quorum: 1\n");
    }
    [[nodiscard]] fs::path bin() const { return node_.path() / "bin"; }
    [[nodiscard]] fs::path data() const { return node_.path() / "data"; }
    [[nodiscard]] fs::path config_file() const { return node_.path() / "ephemery.yaml"; }
    test::CommandOutput ephemery(std::vector<std::string> args) {
        args.insert(args.end(), {"--config", config_file().string()});
        return run(args);
    }

    nlohmann::json wait_for_healthy() {
        nlohmann::json status;
        for (int attempt = 0; attempt < 100; ++attempt) {
            const auto result = ephemery({"status", "--json"});
            status = nlohmann::json::parse(result.out, nullptr, false);
            if (result.exit_code == 0) return status;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        ADD_FAILURE() << "never healthy: " << status.dump(2);
        return status;
    }

    test::TempDir node_;
    test::TempDir releases_;
    // A checkpoint provider still on another chain: the daemon must refuse it and start the client without one.
    test::HttpTestServer stale_provider_{[](httplib::Server& http) {
        http.Get("/eth/v1/beacon/genesis", [](const httplib::Request&, httplib::Response& response) {
            response.set_content(R"({"data":{"genesis_time":"1","genesis_validators_root":"0x)" + std::string(64, 'a') +
                                     R"(","genesis_fork_version":"0x00000000"}})",
                                 "application/json");
        });
    }};
};

TEST_F(NodeCli, UpDetachedThenStatusLogsRestartAndDownLeaveNothingRunning) {
    const auto offline = ephemery({"status"});
    EXPECT_EQ(offline.exit_code, 3) << "no daemon yet";
    EXPECT_THAT(offline.out, HasSubstr("no ephemery daemon runs"));

    const auto up = ephemery({"up", "--detach"});
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
    EXPECT_THAT(up.out, HasSubstr("ephemery daemon started"));
    EXPECT_THAT(up.out, HasSubstr("/api/v1/status"));

    const auto again = ephemery({"up", "--detach"});
    EXPECT_NE(again.exit_code, 0);
    EXPECT_THAT(again.err, HasSubstr("already runs"));

    const auto status = wait_for_healthy();
    ASSERT_EQ(status["services"].size(), 2U);
    EXPECT_EQ(status["services"][0]["name"], "ephemery-execution-geth");
    EXPECT_EQ(status["services"][0]["state"], "running");
    EXPECT_EQ(status["iteration"]["data"], status["iteration"]["live"]);
    const int daemon_pid = status["daemon"]["pid"].get<int>();
    const int geth_pid = status["services"][0]["pid"].get<int>();

    // Checkpoint sync was tried at the consensus client's start and refused the provider's chain.
    EXPECT_TRUE(status["checkpoint"]["url"].is_null()) << status.dump(2);
    EXPECT_GE(status["checkpoint"]["failures"].get<int>(), 1) << status.dump(2);
    EXPECT_THAT(status["checkpoint"]["last_problem"].get<std::string>(), HasSubstr("none of the 1 providers"));

    const auto text = ephemery({"status"});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("ephemery-consensus-lighthouse"));
    EXPECT_THAT(text.out, HasSubstr("next reset"));

    const auto logs = ephemery({"logs", "execution", "-n", "5"});
    EXPECT_EQ(logs.exit_code, 0) << logs.err;
    EXPECT_THAT(logs.out, HasSubstr("geth started: "));
    const auto all_logs = ephemery({"logs"});
    EXPECT_THAT(all_logs.out, HasSubstr("==> ephemery-consensus-lighthouse <=="));

    const auto restarted = ephemery({"restart", "execution"});
    EXPECT_EQ(restarted.exit_code, 0) << restarted.err;
    const auto after = wait_for_healthy();
    EXPECT_NE(after["services"][0]["pid"].get<int>(), geth_pid);
    EXPECT_THAT(ephemery({"logs", "execution"}).out, HasSubstr("geth got SIGINT"));

    const auto no_role = ephemery({"restart", "validator"});
    EXPECT_EQ(no_role.exit_code, 2);
    EXPECT_THAT(no_role.err, HasSubstr("no validator client"));

    const auto down = ephemery({"down"});
    ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
    EXPECT_THAT(down.out, HasSubstr("stopped"));
    EXPECT_TRUE(ended(daemon_pid));
    EXPECT_TRUE(ended(after["services"][0]["pid"].get<int>()));
    EXPECT_TRUE(ended(status["services"][1]["pid"].get<int>()));
    EXPECT_FALSE(fs::exists(data() / "daemon.json"));
    EXPECT_THAT(ephemery({"logs", "daemon"}).out, HasSubstr("SIGTERM received"));
}

TEST_F(NodeCli, AForegroundDaemonStopsItsClientsOnCtrlCAndLeavesNoneWhenKilled) {
    const std::map<std::string, std::string> env{{"HOME", home_.path().string()}, {"PATH", "/usr/bin:/bin"}};
    const std::vector<std::string> argv{EPHEMERY_BINARY, "up", "--config", config_file().string()};
    for (const int signal : {SIGINT, SIGKILL}) {
        test::BackgroundProcess daemon(
            {.argv = argv, .env = env, .working_directory = work_.path(), .log_file = node_.path() / "foreground.log"});
        const auto status = wait_for_healthy();
        ASSERT_EQ(status["services"].size(), 2U);
        ::kill(daemon.pid(), signal);
        EXPECT_TRUE(test::wait_until([&] { return !daemon.running(); }, std::chrono::seconds(30)));
        if (signal == SIGINT) {
            EXPECT_EQ(daemon.exit_code(), 0);
            EXPECT_THAT(daemon.log(), HasSubstr("SIGINT received: stopping"));
        }
        // Killed, the daemon cannot stop anything itself: the clients' watchdogs end them.
        for (const auto& service : status["services"]) {
            EXPECT_TRUE(ended(service["pid"].get<int>()))
                << service["name"] << " outlived the daemon (signal " << signal << ")";
        }
    }
}

}  // namespace
}  // namespace ephemery
