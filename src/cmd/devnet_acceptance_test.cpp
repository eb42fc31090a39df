// The acceptance test of `ephemery devnet`: a devnet of 120-second iterations on a real Lodestar v1.5.1 (beacon
// node and validator client, tools/lodestar) lives through three resets. After each: the beacon API reports the
// new genesis time and a new genesis validators root, the validators attest (finality advances or their
// balances rise), the libp2p peer id is the one of the first iteration, and the previous iteration's slashing
// protection is archived. At the end no client process is left. Everything runs on loopback ports chosen here.
#include "test_support/background_process.hpp"
#include "test_support/files.hpp"
#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

namespace ephemery {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path lodestar_dir = EPHEMERY_LODESTAR_DIR;
constexpr int iteration_seconds = 120;
constexpr int validators = 32;
constexpr std::uint64_t gwei_per_validator = 32'000'000'000;

std::optional<nlohmann::json> get_json(std::uint16_t port, const std::string& path) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2s);
    client.set_read_timeout(10s);
    const auto response = client.Get(path);
    if (!response || response->status != 200) return std::nullopt;
    auto parsed = nlohmann::json::parse(response->body, nullptr, false);
    if (parsed.is_discarded()) return std::nullopt;
    return parsed;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Processes whose command line mentions `needle` (the devnet's data dir: every client gets it in --dataDir).
std::vector<std::string> processes_mentioning(const std::string& needle) {
    std::vector<std::string> found;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator("/proc", error)) {
        std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(::getpid())) continue;
        std::string command = test::contents_of(entry.path() / "cmdline");
        std::replace(command.begin(), command.end(), '\0', ' ');
        if (command.find(needle) != std::string::npos) found.push_back(pid.append(": ").append(command));
    }
    return found;
}

// What the test learns about one iteration from the daemon's status.
struct IterationView {
    std::uint64_t iteration{0};
    std::int64_t genesis_time{0};
    std::int64_t next_reset_at{0};
    std::uint16_t beacon_port{0};
};

class DevnetAcceptance : public testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(lodestar_dir / "node_modules" / ".ephemery-install-stamp") && fs::exists(lodestar_))
            << "Lodestar is not installed in " << lodestar_dir.string()
            << "/node_modules: run scripts/install-lodestar (make test and .ci/run do it)";
        const auto node = test::find_on_path("node");
        ASSERT_FALSE(node.empty()) << "node is not on PATH; Lodestar needs Node.js 20";
        fs::create_directories(root_.path() / "home");
        test::BackgroundProcessOptions options;
        options.argv = {EPHEMERY_BINARY,       "--data-dir",
                        data_dir_.string(),    "devnet",
                        "--iteration-seconds", std::to_string(iteration_seconds),
                        "--validators",        std::to_string(validators),
                        "--lodestar",          lodestar_.string(),
                        "--port-base",         std::to_string(test::free_loopback_port_block(8))};
        // No LODESTAR_* variables (Lodestar reads them as flags); the control API on any free port.
        options.env = {{"HOME", (root_.path() / "home").string()},
                       {"PATH", node.parent_path().string() + ":/usr/bin:/bin"},
                       {"EPHEMERY_API_PORT", "0"}};
        options.working_directory = root_.path();
        options.log_file = root_.path() / "devnet.out";
        devnet_.emplace(std::move(options));
    }

    // The end of the devnet's own output and of each client's log, for failure messages.
    [[nodiscard]] std::string logs() const {
        std::string text;
        for (const auto& file : {root_.path() / "devnet.out", data_dir_ / "logs" / "devnet-consensus-lodestar.log",
                                 data_dir_ / "logs" / "devnet-validator-lodestar.log"}) {
            const std::string log = test::contents_of(file);
            text += "\n--- " + file.filename().string() + " (end) ---\n" +
                    log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
        }
        return text;
    }

    std::optional<nlohmann::json> status() {
        if (api_port_ == 0) {
            const auto state = nlohmann::json::parse(test::contents_of(data_dir_ / "daemon.json"), nullptr, false);
            if (!state.is_object() || !state.contains("api_port")) return std::nullopt;
            api_port_ = state["api_port"].get<std::uint16_t>();
        }
        return get_json(api_port_, "/api/v1/status");
    }

    // Waits until the daemon has reset the node to an iteration after `after` and runs its clients.
    std::optional<IterationView> wait_for_iteration_after(std::uint64_t after, std::chrono::seconds timeout) {
        std::optional<IterationView> view;
        const bool reached = test::wait_until(
            [&] {
                const auto current = status();
                if (!current) return false;
                const auto& iteration = (*current)["iteration"];
                if (!iteration["data"].is_number() || iteration["data"].get<std::uint64_t>() <= after ||
                    !(*current)["healthy"].get<bool>()) {
                    return false;
                }
                // The times of the node's iteration, from the schedule devnet.json records (T(1) + (N - 1) *
                // interval; beacon genesis a tenth of the interval, at least 20 s, later).
                const auto record = nlohmann::json::parse(test::contents_of(data_dir_ / "devnet.json"), nullptr, false);
                if (!record.is_object()) return false;
                IterationView seen;
                seen.iteration = iteration["data"].get<std::uint64_t>();
                const std::int64_t start = record["base_genesis_time"].get<std::int64_t>() +
                                           static_cast<std::int64_t>(seen.iteration - 1) * iteration_seconds;
                seen.genesis_time = start + std::max(20, iteration_seconds / 10);
                seen.next_reset_at = start + iteration_seconds;
                for (const auto& service : (*current)["services"]) {
                    if (service["role"] == "consensus" && service["ports"].contains("http"))
                        seen.beacon_port = service["ports"]["http"].get<std::uint16_t>();
                }
                view = seen;
                return seen.beacon_port != 0;
            },
            timeout, 1s);
        if (!reached) return std::nullopt;
        return view;
    }

    const fs::path lodestar_ = lodestar_dir / "node_modules" / ".bin" / "lodestar";
    test::TempDir root_;  // declared before the devnet: it stops before its directory goes
    fs::path data_dir_ = root_.path() / "devnet";
    std::optional<test::BackgroundProcess> devnet_;
    std::uint16_t api_port_{0};
};

TEST_F(DevnetAcceptance, LivesThroughThreeResetsOnRealLodestar) {
    std::uint64_t previous_iteration = 0;
    std::string previous_root;
    std::string first_peer_id;
    for (int round = 0; round < 4; ++round) {  // the first iteration, then three resets
        // The first start makes the keys and the first release; a reset happens on the schedule.
        const auto view = wait_for_iteration_after(previous_iteration, round == 0 ? 240s : 180s);
        ASSERT_TRUE(view.has_value()) << "no iteration after " << previous_iteration << logs();
        if (round > 0) {
            EXPECT_EQ(view->iteration, previous_iteration + 1);
            // The previous iteration's slashing protection was archived before the database was cleared.
            const fs::path archive = data_dir_ / "archive" / ("iteration-" + std::to_string(previous_iteration));
            EXPECT_TRUE(fs::is_directory(archive) && !fs::is_empty(archive)) << archive.string() << logs();
        }

        // The beacon node serves the new genesis (not the previous chain's).
        std::optional<nlohmann::json> genesis;
        ASSERT_TRUE(test::wait_until(
            [&] {
                genesis = get_json(view->beacon_port, "/eth/v1/beacon/genesis");
                return genesis && (*genesis)["data"]["genesis_time"] == std::to_string(view->genesis_time);
            },
            60s, 1s))
            << "iteration " << view->iteration << ": beacon genesis " << (genesis ? genesis->dump() : "none")
            << ", expected time " << view->genesis_time << logs();
        const std::string root = (*genesis)["data"]["genesis_validators_root"].get<std::string>();
        EXPECT_NE(root, previous_root) << "iteration " << view->iteration << " kept the genesis validators root";

        // The node keeps its libp2p identity across resets.
        const auto identity = get_json(view->beacon_port, "/eth/v1/node/identity");
        ASSERT_TRUE(identity.has_value()) << logs();
        const std::string peer_id = (*identity)["data"]["peer_id"].get<std::string>();
        if (round == 0) first_peer_id = peer_id;
        EXPECT_EQ(peer_id, first_peer_id) << "iteration " << view->iteration;

        // The validators attest: finality advances or their balances rise, before the iteration ends.
        std::string seen;
        const auto until_reset = std::chrono::seconds(std::max<std::int64_t>(view->next_reset_at - unix_now() - 3, 1));
        EXPECT_TRUE(test::wait_until(
            [&] {
                const auto finality = get_json(view->beacon_port, "/eth/v1/beacon/states/head/finality_checkpoints");
                const auto validator = get_json(view->beacon_port, "/eth/v1/beacon/states/head/validators/1");
                if (!finality || !validator) return false;
                const auto finalized = std::stoull((*finality)["data"]["finalized"]["epoch"].get<std::string>());
                const auto balance = std::stoull((*validator)["data"]["balance"].get<std::string>());
                seen = "finalized epoch " + std::to_string(finalized) + ", balance of validator 1 " +
                       std::to_string(balance);
                return finalized >= 1 || balance > gwei_per_validator;
            },
            until_reset, 2s))
            << "iteration " << view->iteration << ": " << seen << logs();
        previous_iteration = view->iteration;
        previous_root = root;
    }

    // Ctrl-C (SIGTERM here) stops the clients and the devnet; nothing is left running.
    EXPECT_EQ(devnet_->stop(60s), 0) << logs();
    EXPECT_TRUE(processes_mentioning(data_dir_.string()).empty()) << processes_mentioning(data_dir_.string()).front();
}

}  // namespace
}  // namespace ephemery
