#pragma once

#include "alerts/settings.hpp"
#include "api/server.hpp"
#include "api/settings.hpp"
#include "checkpoint/settings.hpp"
#include "core/result.hpp"
#include "daemon/drivers.hpp"
#include "daemon/monitor_runner.hpp"
#include "daemon/reset_loop.hpp"
#include "keys/settings.hpp"
#include "monitoring/settings.hpp"
#include "network/settings.hpp"
#include "node/plan.hpp"
#include "node/settings.hpp"
#include "reset/plan.hpp"
#include "runtime/supervisor.hpp"

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// `ephemery up`: one process that runs the clients (itself, or through Docker Compose or systemd), resets them
// on time through the reset engine and answers the control API.
namespace ephemery::daemon {

[[nodiscard]] inline checkpoint::Settings checkpoint_sync_off() {
    checkpoint::Settings off;
    off.enabled = false;
    off.providers.clear();
    return off;
}

[[nodiscard]] inline monitoring::Settings monitoring_off() {
    monitoring::Settings off;
    off.enabled = false;
    return off;
}

[[nodiscard]] inline alerts::Settings alerts_off() {
    alerts::Settings off;
    off.enabled = false;
    return off;
}

// Everything the daemon runs with; the command-line layer fills it from the config.
struct DaemonSettings {
    network::Settings network;
    std::filesystem::path data_dir;  // absolute
    node::Settings node;
    keys::Settings validators;
    api::Settings api;
    // config.yaml values every release of the network must carry (the public network's fork versions).
    std::vector<std::pair<std::string, std::string>> fork_versions;
    runtime::SupervisorSettings supervisor;  // native backend; log_dir empty: <data_dir>/logs
    ToolSettings tools;                      // compose and systemd backends
    // Checkpoint sync for the consensus client (daemon/checkpoint_source.hpp). Off unless the command layer copies
    // the configuration in: a daemon made in a test or for the devnet never asks the public providers.
    checkpoint::Settings checkpoint = checkpoint_sync_off();
    // Per-epoch monitoring of the node and its validators (daemon/monitor_runner.hpp), into
    // <data_dir>/monitoring.db and /metrics. Off unless the command layer copies the configuration in.
    monitoring::Settings monitoring = monitoring_off();
    std::chrono::milliseconds monitoring_poll_interval{std::chrono::seconds{2}};
    // Alerting on the monitoring's samples (daemon/alerting.hpp); only with monitoring on.
    alerts::Settings alerts = alerts_off();
    // Runs before a release is fetched; the devnet builds the iteration's release into its release source here.
    // Empty: releases are only downloaded.
    std::function<Status(std::uint64_t iteration)> prepare_release;
};

// The daemon's files in the data dir.
inline constexpr std::string_view daemon_lock_file = "daemon.lock";   // held (flock) while a daemon runs
inline constexpr std::string_view daemon_state_file = "daemon.json";  // pid and API address of that daemon
inline constexpr std::string_view api_token_file = "api-token";
inline constexpr std::string_view jwt_secret_file = "jwt.hex";
inline constexpr std::string_view logs_dir = "logs";

// The clients the settings enable, in start order, each with its own data dir and service name.
[[nodiscard]] std::vector<reset::Instance> node_instances(const std::string& network,
                                                          const std::filesystem::path& data_dir,
                                                          const node::Settings& settings);

// The launch plan for the release `current` points at, with the paths the clients see (under compose: the
// mount contract of node/compose.hpp). Fails when no release is active or a client's arguments lack a value
// the release should provide.
// checkpoint_url: where the consensus client checkpoint-syncs from (empty: from genesis).
[[nodiscard]] Result<node::NodePlan> plan_for_active_release(const DaemonSettings& settings,
                                                             const std::string& checkpoint_url = {});

struct RunningDaemon {
    pid_t pid{0};
    std::string api_address;
    int api_port{0};
    std::int64_t started_at{0};  // Unix seconds
};

// The daemon that holds the data dir's lock, as its daemon.json describes it; nullopt when none runs (a file
// left by a daemon that died is ignored).
[[nodiscard]] Result<std::optional<RunningDaemon>> find_running_daemon(const std::filesystem::path& data_dir);

// The wall clock. Reset times are wall-clock times, so it waits on the system clock (which follows clock
// steps) rather than on a steady one.
class SystemClock final : public Clock {
  public:
    [[nodiscard]] std::int64_t now() override;
    void sleep_until(std::int64_t at, const std::atomic<bool>& stop) override;
    void wake() override;

  private:
    std::mutex mutex_;
    std::condition_variable woken_;
    bool wake_pending_{false};
};

class NodeDaemon final : public api::ControlTarget {
  public:
    // Takes the data dir's lock (refused while another daemon holds it), creates the JWT secret and the API
    // token when missing, creates the backend's driver (starting nothing), starts the control API when enabled
    // and writes daemon.json.
    [[nodiscard]] static Result<std::unique_ptr<NodeDaemon>> create(DaemonSettings settings);
    NodeDaemon(const NodeDaemon&) = delete;
    NodeDaemon& operator=(const NodeDaemon&) = delete;
    NodeDaemon(NodeDaemon&&) = delete;
    NodeDaemon& operator=(NodeDaemon&&) = delete;
    ~NodeDaemon() override;  // stops the API and every client, removes daemon.json, releases the lock

    // Runs the reset loop on `clock` (fetching, resetting, keeping the clients running) until request_stop();
    // then natively stops every client (containers and units keep running: `ephemery down` stops them).
    LoopCounters run(Clock& clock);
    void request_stop();                 // from any thread
    [[nodiscard]] int api_port() const;  // 0 when the API is off

    [[nodiscard]] nlohmann::ordered_json status() override;
    [[nodiscard]] bool healthy() override;
    [[nodiscard]] std::string metrics() override;
    [[nodiscard]] Status restart(std::string_view role) override;
    [[nodiscard]] Status request_reset() override;

    struct State;

  private:
    explicit NodeDaemon(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace ephemery::daemon
