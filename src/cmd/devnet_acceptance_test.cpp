// The acceptance test of `ephemery devnet`: a devnet of 120-second iterations on a real Lodestar v1.5.1 (beacon
// node and validator client, tools/lodestar) lives through three resets. After each: the beacon API reports the
// new genesis time and a new genesis validators root, the validators attest (finality advances or their
// balances rise), the libp2p peer id is the one of the first iteration, and the previous iteration's slashing
// protection is archived. At the end no client process is left. Everything runs on loopback ports chosen here.
//
// Monitoring rides along: the stored history and /metrics agree with the beacon API for the same epochs (the
// derived path: Lodestar 1.5.1 has no rewards API), a real Prometheus scrapes the daemon, stopping the validator
// client (SIGSTOP) for the first two epochs of an iteration fires a missed-attestation alert to a webhook here before
// that iteration ends and it resolves after the client continues, and the history carries on across the resets
// with the iteration changing.
//
// Deadlines follow the devnet's own clock (its genesis, 2-second slots and resets): the test waits for conditions
// it polls until the point of the devnet's schedule after which they could no longer come true, so that a busy
// machine slows the test down instead of failing it; every failure says what was observed.
#include "test_support/background_process.hpp"
#include "test_support/files.hpp"
#include "test_support/http_server.hpp"
#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace ephemery {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path lodestar_dir = EPHEMERY_LODESTAR_DIR;
constexpr std::uint64_t slots_per_epoch = 8;  // minimal preset
constexpr int seconds_per_slot = 2;           // the devnet's config.yaml
constexpr std::chrono::seconds epoch_duration{slots_per_epoch * seconds_per_slot};
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

// The devnet's clock (its genesis time and 2-second slots) and its chain's head as the beacon node reports it. (The
// node's sync distance cannot stand in for the clock: tools/lodestar patches a single node to be always synced.)
struct ChainClock {
    std::uint64_t current_slot{0};
    std::uint64_t head_slot{0};
};

std::optional<ChainClock> chain_clock(std::uint16_t beacon_port, std::int64_t genesis_time) {
    const auto syncing = get_json(beacon_port, "/eth/v1/node/syncing");
    if (!syncing) return std::nullopt;
    try {
        const auto head = std::stoull((*syncing)["data"]["head_slot"].get<std::string>());
        const auto since_genesis = std::max<std::int64_t>(unix_now() - genesis_time, 0);
        return ChainClock{static_cast<std::uint64_t>(since_genesis / seconds_per_slot), head};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string describe(const std::optional<ChainClock>& clock) {
    if (!clock) return "the beacon node did not answer /eth/v1/node/syncing";
    return "wall slot " + std::to_string(clock->current_slot) + " (epoch " +
           std::to_string(clock->current_slot / slots_per_epoch) + "), head slot " + std::to_string(clock->head_slot);
}

// A process stopped with SIGSTOP is continued when this goes out of scope, on every path (a failed assertion too),
// so that no stop signal of the devnet's ever meets it stopped.
class ContinueOnExit {
  public:
    explicit ContinueOnExit(pid_t pid) : pid_(pid) {}
    ContinueOnExit(const ContinueOnExit&) = delete;
    ContinueOnExit& operator=(const ContinueOnExit&) = delete;
    ContinueOnExit(ContinueOnExit&&) = delete;
    ContinueOnExit& operator=(ContinueOnExit&&) = delete;
    ~ContinueOnExit() { continue_now(); }
    void continue_now() {
        if (pid_ > 0) ::kill(pid_, SIGCONT);
        pid_ = 0;
    }

  private:
    pid_t pid_;
};

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
        write_monitoring_config();
        test::BackgroundProcessOptions options;
        options.argv = {EPHEMERY_BINARY,
                        "--config",
                        (root_.path() / "ephemery.yaml").string(),
                        "--data-dir",
                        data_dir_.string(),
                        "devnet",
                        "--iteration-seconds",
                        std::to_string(iteration_seconds),
                        "--validators",
                        std::to_string(validators),
                        "--lodestar",
                        lodestar_.string(),
                        "--port-base",
                        std::to_string(port_base_)};
        // No LODESTAR_* variables (Lodestar reads them as flags). --port-base numbers the control API too.
        options.env = {{"HOME", (root_.path() / "home").string()},
                       {"PATH", node.parent_path().string() + ":/usr/bin:/bin"}};
        options.working_directory = root_.path();
        options.log_file = root_.path() / "devnet.out";
        devnet_.emplace(std::move(options));
    }

    // Alerts go to the webhook here (and the console); the rule fires on the first epoch a validator misses.
    void write_monitoring_config() {
        const fs::path url_file = root_.path() / "webhook-url";
        {
            std::ofstream out(url_file);
            out << webhook_.base_url() << "/alerts\n";
        }
        fs::permissions(url_file, fs::perms::owner_read | fs::perms::owner_write);
        std::ofstream rules(root_.path() / "rules.yaml");
        rules << "rules:\n"
                 "  - name: validator_missed_attestation\n"
                 "    summary: \"validator {index} missed {value} epochs in a row\"\n"
                 "    metric: ephemery_validator_missed_attestations_in_row\n"
                 "    comparison: \">=\"\n"
                 "    threshold: 1\n"
                 "    for_epochs: 1\n"
                 "    severity: warning\n";
        std::ofstream config(root_.path() / "ephemery.yaml");
        config << "monitoring:\n  enabled: true\n"
                  "alerts:\n  enabled: true\n  rules_file: "
               << (root_.path() / "rules.yaml").string()
               << "\n  channels:\n    - name: console\n      type: console\n    - name: hook\n      type: webhook\n"
                  "      url_file: "
               << url_file.string() << "\n";
    }

    // The daemon's history as `ephemery history --json` prints it (every epoch).
    std::optional<nlohmann::json> history() {
        const auto output = test::run_command({EPHEMERY_BINARY, "--config", (root_.path() / "ephemery.yaml").string(),
                                               "--data-dir", data_dir_.string(), "history", "--epochs", "0", "--json"},
                                              {{"HOME", (root_.path() / "home").string()}}, root_.path().string());
        if (output.exit_code != 0) return std::nullopt;
        auto parsed = nlohmann::json::parse(output.out, nullptr, false);
        if (parsed.is_discarded()) return std::nullopt;
        return parsed;
    }

    std::string metrics_text() const {
        httplib::Client client("127.0.0.1", api_port_);
        client.set_read_timeout(10s);
        const auto response = client.Get("/metrics");
        return response && response->status == 200 ? response->body : std::string();
    }

    // Webhook notifications of `rule` in `state` (firing, resolved) received so far, from `iteration` on.
    std::vector<nlohmann::json> notifications(const std::string& rule, const std::string& state,
                                              std::uint64_t iteration = 0) {
        const std::scoped_lock lock(webhook_mutex_);
        std::vector<nlohmann::json> found;
        for (const auto& body : webhook_bodies_) {
            if (body.value("rule", "") == rule && body.value("state", "") == state &&
                body.value("iteration", std::uint64_t{0}) >= iteration) {
                found.push_back(body);
            }
        }
        return found;
    }

    // A real Prometheus scraping the daemon's /metrics every second.
    void start_prometheus() {
        const auto prometheus = test::find_on_path("prometheus");
        ASSERT_FALSE(prometheus.empty()) << "prometheus is not on PATH: scripts/bootstrap installs Debian's package";
        prometheus_port_ = test::free_loopback_port();
        std::ofstream config(root_.path() / "prometheus.yml");
        config << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                  "  - job_name: ephemery\n    static_configs:\n      - targets: ['127.0.0.1:"
               << api_port_ << "']\n";
        config.close();
        test::BackgroundProcessOptions options;
        options.argv = {prometheus.string(), "--config.file=" + (root_.path() / "prometheus.yml").string(),
                        "--storage.tsdb.path=" + (root_.path() / "prometheus-data").string(),
                        "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_)};
        options.env = {{"HOME", (root_.path() / "home").string()}};
        options.working_directory = root_.path();
        options.log_file = root_.path() / "prometheus.out";
        prometheus_.emplace(std::move(options));
    }

    // The stored history and /metrics say what the beacon API says for the same epoch and state.
    void check_monitoring_agrees(const IterationView& view) {
        std::optional<nlohmann::json> stored;
        nlohmann::json node_row;
        ASSERT_TRUE(test::wait_until(
            [&] {
                stored = history();
                if (!stored) return false;
                // Epoch 1 or later: at genesis the validator client may still be taking up its first duties.
                for (const auto& node : (*stored)["nodes"]) {
                    if (node["iteration"] == view.iteration && node["epoch"].get<std::uint64_t>() >= 1) node_row = node;
                }
                return !node_row.is_null();
            },
            std::chrono::seconds(std::max<std::int64_t>(view.next_reset_at - unix_now() - 2, 1)), 2s))
            << "no epoch after the first of iteration " << view.iteration << " was judged before its reset; "
            << describe(chain_clock(view.beacon_port, view.genesis_time)) << logs();
        const auto epoch = node_row["epoch"].get<std::uint64_t>();
        const auto state_slot = node_row["node"]["state_slot"].get<std::uint64_t>();
        EXPECT_GE(state_slot, epoch * slots_per_epoch);
        const auto api =
            get_json(view.beacon_port, "/eth/v1/beacon/states/" + std::to_string(state_slot) + "/validators");
        ASSERT_TRUE(api.has_value()) << "state " << state_slot;
        std::map<std::uint64_t, nlohmann::json> by_index;
        for (const auto& entry : (*api)["data"]) by_index[std::stoull(entry["index"].get<std::string>())] = entry;
        std::size_t compared = 0;
        std::size_t rewarded = 0;
        for (const auto& row : (*stored)["validators"]) {
            if (row["iteration"] != view.iteration || row["epoch"] != epoch) continue;
            const auto& expected = by_index.at(row["index"].get<std::uint64_t>());
            EXPECT_EQ(row["pubkey"], expected["validator"]["pubkey"]) << row.dump();
            EXPECT_EQ(std::to_string(row["balance_gwei"].get<std::uint64_t>()), expected["balance"]) << row.dump();
            EXPECT_EQ(row["status"], expected["status"]) << row.dump();
            EXPECT_EQ(row["figures_from"], "participation_flags") << row.dump();
            if (row["attestation_reward_gwei"].get<std::int64_t>() > 0) ++rewarded;
            // The blocks and the state's flags agree: a timely head vote was included in the next slot, a timely
            // source vote within integer_sqrt(SLOTS_PER_EPOCH) slots (consensus-specs, altair).
            EXPECT_FALSE(row["live"].is_null()) << row.dump();
            if (row["source"] == true) {
                ASSERT_FALSE(row["inclusion_delay_slots"].is_null()) << row.dump();
                const auto delay = row["inclusion_delay_slots"].get<std::uint64_t>();
                EXPECT_LE(delay * delay, slots_per_epoch) << row.dump();
                if (row["head"] == true) {
                    EXPECT_EQ(delay, 1U) << row.dump();
                }
            }
            ++compared;
        }
        EXPECT_EQ(compared, static_cast<std::size_t>(validators)) << "epoch " << epoch;
        // Minimal-preset sync committees have 32 seats drawn from these validators: some rows of the iteration carry
        // sync figures (an epoch right before a period boundary may lack them when judged first after a start).
        std::uint64_t sync_blocks = 0;
        for (const auto& row : (*stored)["validators"]) {
            if (row["iteration"] != view.iteration || row["sync_committee_signed"].is_null()) continue;
            sync_blocks += row["sync_committee_signed"].get<std::uint64_t>();
        }
        EXPECT_GT(sync_blocks, 0U) << "no sync-committee signatures recorded in iteration " << view.iteration;
        EXPECT_GT(rewarded, compared / 2) << "epoch " << epoch << ": most validators should have earned";

        // /metrics shows the newest judged epoch; the history has the same figures for it.
        const std::string text = metrics_text();
        const auto value_of = [&text](const std::string& series) -> std::optional<std::string> {
            const auto at = text.find("\n" + series + " ");
            if (at == std::string::npos) return std::nullopt;
            const auto start = at + series.size() + 2;
            return text.substr(start, text.find('\n', start) - start);
        };
        const auto shown_epoch = value_of("ephemery_monitor_epoch");
        ASSERT_TRUE(shown_epoch.has_value()) << text;
        const auto balance_line = text.find("ephemery_validator_balance_gwei{label=\"devnet\"");
        ASSERT_NE(balance_line, std::string::npos) << text;
        const auto line = text.substr(balance_line, text.find('\n', balance_line) - balance_line);
        const auto index = line.substr(line.find("index=\"") + 7, line.find("\"}") - line.find("index=\"") - 7);
        const auto shown_balance = line.substr(line.rfind(' ') + 1);
        const auto latest = history();
        ASSERT_TRUE(latest.has_value());
        bool matched = false;
        for (const auto& row : (*latest)["validators"]) {
            if (row["iteration"] == view.iteration &&
                std::to_string(row["epoch"].get<std::uint64_t>()) == *shown_epoch &&
                std::to_string(row["index"].get<std::uint64_t>()) == index) {
                EXPECT_EQ(std::to_string(row["balance_gwei"].get<std::uint64_t>()), shown_balance) << line;
                matched = true;
            }
        }
        EXPECT_TRUE(matched) << "no history row for " << line << " at epoch " << *shown_epoch;
    }

    // The watched validators' misses in a row per judged epoch of an iteration, from the history (for messages).
    std::string judged_misses(std::uint64_t iteration) {
        const auto stored = history();
        if (!stored) return "no history";
        std::map<std::uint64_t, std::uint64_t> most_misses;
        for (const auto& row : (*stored)["validators"]) {
            if (row["iteration"] != iteration || !row["missed_attestations_in_row"].is_number()) continue;
            auto& most = most_misses[row["epoch"].get<std::uint64_t>()];
            most = std::max(most, row["missed_attestations_in_row"].get<std::uint64_t>());
        }
        std::string text = "judged epochs of iteration " + std::to_string(iteration) + " (most misses in a row):";
        for (const auto& [epoch, misses] : most_misses)
            text += " " + std::to_string(epoch) + ":" + std::to_string(misses);
        return text;
    }

    // SIGSTOP stops the validator client where it stands (the supervisor sees it still running): its validators
    // miss their attestations for two epochs of the devnet's clock, and the chain (ours are all its validators)
    // stalls. After SIGCONT the skipped epochs are judged together in one poll, and each must reach the alert rules.
    void induce_missed_attestations(const IterationView& view) {
        std::optional<pid_t> validator_pid;
        if (const auto current = status()) {
            for (const auto& service : (*current)["services"]) {
                if (service["role"] == "validator" && service["pid"].is_number())
                    validator_pid = service["pid"].get<pid_t>();
            }
        }
        ASSERT_TRUE(validator_pid.has_value()) << "iteration " << view.iteration << ": no validator client pid";
        ASSERT_EQ(::kill(*validator_pid, SIGSTOP), 0);
        ContinueOnExit continue_on_exit(*validator_pid);
        constexpr std::uint64_t stopped_epochs = 2;
        std::optional<ChainClock> clock;
        const auto stop_until_slot =
            (chain_clock(view.beacon_port, view.genesis_time).value_or(ChainClock{}).current_slot / slots_per_epoch +
             stopped_epochs) *
            slots_per_epoch;
        const bool waited = test::wait_until(
            [&] {
                clock = chain_clock(view.beacon_port, view.genesis_time);
                return clock && clock->current_slot >= stop_until_slot;
            },
            std::chrono::seconds(view.genesis_time - unix_now()) + 4 * stopped_epochs * epoch_duration, 1s);
        continue_on_exit.continue_now();
        ASSERT_TRUE(waited) << "the devnet's clock did not reach slot " << stop_until_slot << ": " << describe(clock)
                            << logs();

        // The stopped epochs are judged once blocks come again: the monitoring may lag the chain on a busy machine,
        // so the deadline is the end of this chain (its reset), after which its epochs can no longer be judged.
        const auto until_reset = std::chrono::seconds(std::max<std::int64_t>(view.next_reset_at - unix_now(), 1));
        const bool fired = test::wait_until(
            [&] { return !notifications("validator_missed_attestation", "firing", view.iteration).empty(); },
            until_reset, 1s);
        ASSERT_TRUE(fired) << "no missed-attestation alert of iteration " << view.iteration
                           << " reached the webhook before its reset; "
                           << describe(chain_clock(view.beacon_port, view.genesis_time)) << "; "
                           << judged_misses(view.iteration) << logs();
        // (The first start may fire it too: validators that miss epoch 0 while their client takes up its duties.)
        const auto firing = notifications("validator_missed_attestation", "firing", view.iteration);
        EXPECT_EQ(firing.front()["severity"], "warning");
        EXPECT_EQ(firing.front()["labels"]["label"], "devnet");
        const auto fired_epoch = firing.front()["epoch"].get<std::uint64_t>();
        // Resolved once the client votes again (judged in this iteration, or in the next one's first epochs).
        const bool resolved = test::wait_until(
            [&] {
                const auto done = notifications("validator_missed_attestation", "resolved", view.iteration);
                return std::any_of(done.begin(), done.end(), [&](const nlohmann::json& body) {
                    return body["dedup_key"] == firing.front()["dedup_key"] &&
                           (body["iteration"] != view.iteration || body["epoch"].get<std::uint64_t>() >= fired_epoch);
                });
            },
            std::chrono::seconds(std::max<std::int64_t>(view.next_reset_at - unix_now(), 0)) + 6 * epoch_duration, 1s);
        EXPECT_TRUE(resolved) << "the alert fired but did not resolve after SIGCONT: "
                              << describe(chain_clock(view.beacon_port, view.genesis_time)) << "; "
                              << judged_misses(view.iteration) << logs();
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
    std::mutex webhook_mutex_;
    std::vector<nlohmann::json> webhook_bodies_;
    test::HttpTestServer webhook_{[this](httplib::Server& server) {
        server.Post("/alerts", [this](const httplib::Request& request, httplib::Response& response) {
            auto body = nlohmann::json::parse(request.body, nullptr, false);
            const std::scoped_lock lock(webhook_mutex_);
            if (body.is_object()) webhook_bodies_.push_back(std::move(body));
            response.status = 204;
        });
    }};
    const std::uint16_t port_base_ = test::free_loopback_port_block(8);
    test::TempDir root_;  // declared before the devnet: it stops before its directory goes
    fs::path data_dir_ = root_.path() / "devnet";
    std::optional<test::BackgroundProcess> prometheus_;
    std::uint16_t prometheus_port_{0};
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

        if (round == 0) {
            // --port-base numbers the control API too: the first port of the block.
            ASSERT_TRUE(status().has_value()) << logs();
            EXPECT_EQ(api_port_, port_base_);
        }
        if (round == 1) {
            // The alert round: the validator client is stopped from the start of the iteration for two epochs, so
            // its validators are judged by the alert's firing and resolving (they vote again) instead of finality.
            induce_missed_attestations(*view);
            if (HasFatalFailure()) return;
            previous_iteration = view->iteration;
            previous_root = root;
            continue;
        }

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
        if (round == 0) {
            start_prometheus();
            check_monitoring_agrees(*view);
            if (HasFatalFailure()) return;
        }
        previous_iteration = view->iteration;
        previous_root = root;
    }

    // The history carries on across the resets: every iteration has records, keyed by the same pubkeys.
    const auto stored = history();
    ASSERT_TRUE(stored.has_value());
    std::map<std::uint64_t, std::string> pubkey_of_index_1;
    for (const auto& row : (*stored)["validators"]) {
        if (row["index"] == 1) pubkey_of_index_1[row["iteration"].get<std::uint64_t>()] = row["pubkey"];
    }
    EXPECT_GE(pubkey_of_index_1.size(), 3U) << (*stored)["iterations"].dump();
    for (const auto& [iteration, pubkey] : pubkey_of_index_1) EXPECT_EQ(pubkey, pubkey_of_index_1.begin()->second);

    // Prometheus scraped the daemon: the target is up and the monitoring series parsed into its database.
    const auto targets = get_json(prometheus_port_, "/api/v1/targets");
    ASSERT_TRUE(targets.has_value()) << prometheus_->log_tail();
    ASSERT_FALSE((*targets)["data"]["activeTargets"].empty()) << targets->dump();
    EXPECT_EQ((*targets)["data"]["activeTargets"][0]["health"], "up") << targets->dump();
    const auto votes = get_json(prometheus_port_, "/api/v1/query?query=ephemery_validators_timely_votes");
    ASSERT_TRUE(votes.has_value()) << prometheus_->log_tail();
    EXPECT_EQ((*votes)["status"], "success");
    EXPECT_FALSE((*votes)["data"]["result"].empty()) << votes->dump();
    prometheus_->stop();

    // Ctrl-C (SIGTERM here) stops the clients and the devnet; nothing is left running.
    EXPECT_EQ(devnet_->stop(60s), 0) << logs();
    EXPECT_TRUE(processes_mentioning(data_dir_.string()).empty()) << processes_mentioning(data_dir_.string()).front();
}

}  // namespace
}  // namespace ephemery
