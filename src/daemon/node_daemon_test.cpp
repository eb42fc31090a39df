// The daemon end to end, with stand-in clients: a new node is reset to the live iteration and started, the API
// reports and restarts it, and when the clock reaches the end of the iteration the node resets by itself to the
// next one, keeping its identity.
#include "daemon/node_daemon.hpp"

#include "api/client.hpp"
#include "core/text.hpp"
#include "network/schedule.hpp"
#include "release/verify.hpp"
#include "test_support/files.hpp"
#include "test_support/release_fixture.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <thread>

namespace ephemery::daemon {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

void write_file(const fs::path& path, const std::string& contents, fs::perms mode = fs::perms::owner_all) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
    fs::permissions(path, mode);
}

std::int64_t wall_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Real time plus an offset. While jumps remain, a sleep moves the offset to the time awaited instead of
// waiting: the daemon lives through the end of an iteration without the test waiting 28 days.
class JumpingWallClock final : public Clock {
  public:
    std::int64_t now() override { return wall_now() + offset_.load(); }
    void sleep_until(std::int64_t at, const std::atomic<bool>& stop) override {
        std::unique_lock lock(mutex_);
        if (jumps_ > 0 && at > now()) {
            --jumps_;
            offset_ += at - now();
            return;
        }
        woken_.wait_for(lock, std::chrono::seconds(std::max<std::int64_t>(0, at - now())),
                        [&] { return woken_flag_ || stop.load(); });
        woken_flag_ = false;
    }
    void wake() override {
        const std::scoped_lock lock(mutex_);
        woken_flag_ = true;
        woken_.notify_all();
    }
    void allow_jumps(int jumps) {
        {
            const std::scoped_lock lock(mutex_);
            jumps_ = jumps;
        }
        wake();
    }

  private:
    std::atomic<std::int64_t> offset_{0};
    std::mutex mutex_;
    std::condition_variable woken_;
    bool woken_flag_{false};
    int jumps_{0};
};

class Daemon : public testing::Test {
  public:
    ~Daemon() override {
        if (daemon_) daemon_->request_stop();
        if (loop_.joinable()) loop_.join();
    }
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;
    Daemon(Daemon&&) = delete;
    Daemon& operator=(Daemon&&) = delete;

  protected:
    Daemon() {
        const auto schedule = network::public_ephemery_schedule();
        live_ = *network::iteration_at(schedule, wall_now());
        for (const std::uint64_t n : {live_, live_ + 1}) {
            write_file(releases_.path() / network::release_tag(schedule, n) / "network-config.tar.gz",
                       test::pack_tar_gz(test::make_release(n)), fs::perms::owner_read | fs::perms::owner_write);
        }
        // Stand-ins: `geth init` records the genesis; a running client records its arguments, keeps an identity
        // file it creates once, and sleeps until stopped.
        write_file(bin() / "geth",
                   "#!/bin/sh\n"
                   "if [ \"$1\" = init ]; then echo initialised; exit 0; fi\n"
                   "echo \"$@\" > args.txt\n"
                   "mkdir -p geth; [ -f geth/nodekey ] || echo $$ > geth/nodekey\n"
                   "echo geth is running\n"
                   "exec sleep 300\n");
        write_file(bin() / "lighthouse",
                   "#!/bin/sh\necho \"$@\" > args.txt\nmkdir -p beacon/network\n"
                   "[ -f beacon/network/key ] || echo $$ > beacon/network/key\nexec sleep 300\n");

        settings_.network.release_base_url = releases_.path().string();
        settings_.data_dir = node_.path() / "data";
        settings_.node.execution.binary = (bin() / "geth").string();
        settings_.node.consensus.binary = (bin() / "lighthouse").string();
        settings_.api.port = 0;
        settings_.fork_versions = release::public_ephemery_fork_versions();
        settings_.supervisor.started_after = std::chrono::milliseconds(100);
        settings_.supervisor.interrupt_timeout = std::chrono::seconds(3);
        settings_.supervisor.backoff_initial = std::chrono::milliseconds(100);
    }
    [[nodiscard]] fs::path bin() const { return node_.path() / "bin"; }
    [[nodiscard]] fs::path geth_dir() const { return settings_.data_dir / "execution-geth"; }
    [[nodiscard]] api::Endpoint endpoint() const { return {.host = "127.0.0.1", .port = daemon_->api_port()}; }

    void start() {
        auto created = NodeDaemon::create(settings_);
        ASSERT_TRUE(created.ok()) << created.error().message;
        daemon_ = std::move(created).value();
        loop_ = std::thread([this] { counters_ = daemon_->run(clock_); });
    }

    nlohmann::json status() const {
        auto reply = api::get(endpoint(), "/api/v1/status");
        EXPECT_TRUE(reply.ok()) << reply.error().message;
        return reply ? reply->body : nlohmann::json{};
    }

    // Polls the API until the node's data is on `iteration` and both clients run (bounded).
    bool wait_until_running_on(std::uint64_t iteration) const {
        for (int attempt = 0; attempt < 300; ++attempt) {
            const auto current = status();
            bool running = current["iteration"]["data"] == iteration;
            for (const auto& service : current["services"]) running = running && service["state"] == "running";
            if (running) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ADD_FAILURE() << "not running on iteration " << iteration << ": " << status().dump(2);
        return false;
    }

    test::TempDir node_;
    test::TempDir releases_;
    std::uint64_t live_{0};
    DaemonSettings settings_;
    JumpingWallClock clock_;
    std::unique_ptr<NodeDaemon> daemon_;
    std::thread loop_;
    LoopCounters counters_;
};

TEST_F(Daemon, ResetsANewNodeToTheLiveIterationRunsItAndResetsByItselfAtTheEndOfTheIteration) {
    start();
    ASSERT_TRUE(wait_until_running_on(live_));
    const auto first = status();
    EXPECT_EQ(first["network"], "ephemery");
    EXPECT_EQ(first["iteration"]["live"], live_);
    EXPECT_EQ(first["services"][0]["name"], "ephemery-execution-geth");
    EXPECT_EQ(first["services"][1]["name"], "ephemery-consensus-lighthouse");
    EXPECT_TRUE(first["healthy"].get<bool>());
    const auto chain_id = [](std::uint64_t n) {
        return std::to_string(*network::describe_iteration(network::public_ephemery_schedule(), n)->chain_id);
    };
    EXPECT_THAT(test::contents_of(geth_dir() / "args.txt"), HasSubstr(chain_id(live_)));
    const std::string node_key = test::contents_of(geth_dir() / "geth/nodekey");
    ASSERT_FALSE(node_key.empty());

    const auto running = find_running_daemon(settings_.data_dir);
    ASSERT_TRUE(running.ok() && running->has_value());
    EXPECT_EQ((*running)->api_port, daemon_->api_port());

    auto metrics = api::get(endpoint(), "/metrics");
    ASSERT_TRUE(metrics.ok());
    EXPECT_EQ(metrics->status, 200);
    const std::string text = daemon_->metrics();
    EXPECT_THAT(text, HasSubstr("# TYPE ephemery_service_up gauge\nephemery_service_up{service=\""));
    EXPECT_THAT(text, HasSubstr("\nephemery_iteration " + std::to_string(live_) + "\n"));
    EXPECT_THAT(text, HasSubstr("\nephemery_resets_total "));
    auto health = api::get(endpoint(), "/api/v1/health");
    ASSERT_TRUE(health.ok());
    EXPECT_EQ(health->status, 200);

    // The end of the iteration: the clock jumps to the pre-fetch window, then to T(N+1).
    clock_.allow_jumps(2);
    ASSERT_TRUE(wait_until_running_on(live_ + 1));
    EXPECT_THAT(test::contents_of(geth_dir() / "args.txt"), HasSubstr(chain_id(live_ + 1)));
    EXPECT_EQ(test::contents_of(geth_dir() / "geth/nodekey"), node_key) << "the node identity survives the reset";
    EXPECT_TRUE(fs::exists(settings_.data_dir / "reset/last-completed.json"));

    daemon_->request_stop();
    loop_.join();
    EXPECT_GE(counters_.resets, 2U);
    const auto stopped = status();
    for (const auto& service : stopped["services"]) EXPECT_EQ(service["state"], "stopped");
    daemon_.reset();
    EXPECT_FALSE(fs::exists(settings_.data_dir / "daemon.json"));
    const auto gone = find_running_daemon(settings_.data_dir);
    ASSERT_TRUE(gone.ok());
    EXPECT_FALSE(gone->has_value());
}

TEST_F(Daemon, TheApiRestartsARoleWithTheTokenOnlyAndOneDataDirHasOneDaemon) {
    start();
    ASSERT_TRUE(wait_until_running_on(live_));
    const auto pid_before = status()["services"][0]["pid"].get<int>();

    const auto wrong = api::post(endpoint(), "/api/v1/restart/execution", SecretString("not the token"));
    ASSERT_TRUE(wrong.ok());
    EXPECT_EQ(wrong->status, 401);

    const SecretString token(std::string(trim(test::contents_of(settings_.data_dir / "api-token"))));
    const auto restarted = api::post(endpoint(), "/api/v1/restart/execution", token);
    ASSERT_TRUE(restarted.ok());
    EXPECT_EQ(restarted->status, 200) << api::reply_error(*restarted);
    EXPECT_NE(status()["services"][0]["pid"].get<int>(), pid_before);
    EXPECT_EQ(::kill(pid_before, 0), -1) << "the old process is gone";

    const auto no_validator = api::post(endpoint(), "/api/v1/restart/validator", token);
    ASSERT_TRUE(no_validator.ok());
    EXPECT_EQ(no_validator->status, 404);
    EXPECT_THAT(api::reply_error(*no_validator), HasSubstr("no validator client"));

    auto second = NodeDaemon::create(settings_);
    ASSERT_FALSE(second.ok());
    EXPECT_THAT(second.error().message, HasSubstr("another ephemery daemon already runs"));
}

TEST_F(Daemon, AnUnreachableReleaseIsRetriedWhileNothingStarts) {
    settings_.network.release_base_url = (node_.path() / "nowhere").string();
    start();
    for (int attempt = 0; attempt < 100 && status()["resets"]["fetch_failures"] == 0; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const auto current = status();
    EXPECT_GE(current["resets"]["fetch_failures"].get<int>(), 1);
    EXPECT_FALSE(current["resets"]["last_error"].get<std::string>().empty());
    for (const auto& service : current["services"]) EXPECT_EQ(service["state"], "stopped");
    EXPECT_FALSE(current["healthy"].get<bool>());
}

// A stand-in docker: records every call, remembers which services `up` started and `stop` stopped, and reports
// them in the one-object-per-line format of `docker compose ps --format json`.
constexpr std::string_view fake_docker = R"(#!/bin/sh
dir=$(dirname "$0")
echo "$*" >> "$dir/calls.txt"
case " $* " in
  *" ps "*) for s in $(cat "$dir/running" 2>/dev/null); do
              echo "{\"Service\":\"$s\",\"State\":\"running\",\"Status\":\"Up 1 second\"}"; done ;;
  *" up "*) for s in ephemery-execution-geth ephemery-consensus-lighthouse; do
              case " $* " in *" --no-deps "*) case " $* " in *" $s "*) echo $s >> "$dir/running";; esac;;
                                        *) echo $s >> "$dir/running";; esac; done ;;
  *" stop "*) for s in $(cat "$dir/running" 2>/dev/null); do case " $* " in *" $s "*) ;; *) echo $s;; esac; done \
                > "$dir/running.new"; mv "$dir/running.new" "$dir/running" ;;
esac
exit 0
)";

TEST_F(Daemon, UnderComposeTheDaemonWritesComposeYamlResetsThroughDockerComposeAndReportsItsStates) {
    write_file(bin() / "docker", std::string(fake_docker));
    settings_.node.backend = node::Backend::compose;
    settings_.node.execution.binary.clear();  // init commands run inside the image
    settings_.tools.docker = (bin() / "docker").string();
    start();
    ASSERT_TRUE(wait_until_running_on(live_));
    const auto current = status();
    EXPECT_EQ(current["backend"], "compose");
    const std::string compose = test::contents_of(settings_.data_dir / "compose/compose.yaml");
    EXPECT_THAT(compose, HasSubstr("container_name: \"ephemery-execution-geth\""));
    const std::string calls = test::contents_of(bin() / "calls.txt");
    EXPECT_THAT(calls, HasSubstr("compose -f " + (settings_.data_dir / "compose/compose.yaml").string()));
    EXPECT_THAT(calls, HasSubstr("run --rm --no-deps"));
    EXPECT_THAT(calls, HasSubstr("--entrypoint geth ephemery-execution-geth init"));
    EXPECT_THAT(calls, HasSubstr("up -d --no-deps ephemery-execution-geth"));

    daemon_->request_stop();
    loop_.join();
    EXPECT_EQ(test::contents_of(bin() / "running").find("geth") != std::string::npos, true)
        << "containers outlive the daemon: `ephemery down` stops them";
}

}  // namespace
}  // namespace ephemery::daemon
