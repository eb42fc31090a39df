// `ephemery up`, `down`, `status`, `logs` and `restart`: the node's lifecycle. The native backend runs as a daemon
// (foreground, or detached with --detach); the other commands find it through <data-dir>/daemon.json and talk to
// its control API.
#include "api/client.hpp"
#include "cli/commands.hpp"
#include "cli/node_backends.hpp"
#include "cli/run_daemon.hpp"
#include "cli/terminal.hpp"
#include "core/text.hpp"
#include "core/time_format.hpp"
#include "daemon/node_daemon.hpp"
#include "devnet/release.hpp"
#include "infra/clock.hpp"
#include "infra/files.hpp"
#include "network/schedule.hpp"
#include "rehearsal/devnet.hpp"
#include "reset/engine.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <thread>

namespace ephemery::cli {
namespace {

namespace fs = std::filesystem;

daemon::DaemonSettings daemon_settings(const config::Config& config) {
    daemon::DaemonSettings settings;
    settings.network = config.network;
    settings.data_dir = config.data_dir;
    settings.node = config.node;
    settings.validators = config.validators;
    settings.api = config.api;
    settings.checkpoint = config.checkpoint;
    settings.monitoring = config.monitoring;
    settings.alerts = config.alerts;
    settings.fork_versions = expectation_for(config, 0).fork_versions;
    settings.tools = tool_settings();
    return settings;
}

// Blocks the stop signals in every thread the daemon will create; one thread takes them with sigwait.
class StopSignals {
  public:
    StopSignals() {
        sigemptyset(&signals_);
        for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&signals_, signal);
        pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    StopSignals(StopSignals&&) = delete;
    StopSignals& operator=(StopSignals&&) = delete;
    ~StopSignals() {
        if (waiter_.joinable()) {
            pthread_kill(waiter_.native_handle(), SIGUSR1);  // SIGUSR1 only ends the waiter
            waiter_.join();
        }
    }
    void on_stop(daemon::NodeDaemon& node) {
        waiter_ = std::thread([this, &node] {
            int signal = 0;
            if (sigwait(&signals_, &signal) != 0 || signal == SIGUSR1) return;
            spdlog::info("{} received: stopping", signal == SIGINT   ? "SIGINT"
                                                  : signal == SIGHUP ? "SIGHUP"
                                                                     : "SIGTERM");
            node.request_stop();
        });
    }

  private:
    sigset_t signals_{};
    std::thread waiter_;
};

}  // namespace

ExitCode run_daemon(daemon::DaemonSettings settings, const std::function<void(const Status&, int port)>& ready) {
    StopSignals signals;
    auto node = daemon::NodeDaemon::create(std::move(settings));
    if (!node) {
        ready(node.error(), 0);
        return ExitCode::runtime_failure;
    }
    ready({}, (*node)->api_port());
    signals.on_stop(**node);
    daemon::SystemClock clock;
    (void)(*node)->run(clock);
    return ExitCode::ok;
}

namespace {

void print_started(const daemon::DaemonSettings& settings, pid_t pid, int port) {
    fmt::print("ephemery daemon started (pid {}) for {}\n", pid, settings.data_dir.string());
    if (port > 0) fmt::print("  control API  http://{}:{}/api/v1/status\n", settings.api.listen_address, port);
    fmt::print("  logs         {}\n", (settings.data_dir / daemon::logs_dir).string());
    // The data dir named: the daemon may run from a --data-dir, config file or variable this shell will not repeat.
    const std::string data_dir = shell_word(settings.data_dir.string());
    fmt::print("  status       ephemery --data-dir {} status    stop: ephemery --data-dir {} down\n", data_dir,
               data_dir);
}

// --detach: the daemon runs in a new session with its output in <data-dir>/logs/ephemery.log; this process
// waits until it listens (or fails) and reports.
ExitCode detach(const daemon::DaemonSettings& settings) {
    const fs::path log_dir = settings.data_dir / daemon::logs_dir;
    std::error_code error;
    fs::create_directories(log_dir, error);
    if (error) {
        print_stderr("error: cannot create {}: {}\n", log_dir.string(), error.message());
        return ExitCode::runtime_failure;
    }
    const fs::path log_file = log_dir / "ephemery.log";
    const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    std::array<int, 2> report{-1, -1};
    if (log_fd < 0 || ::pipe2(report.data(), O_CLOEXEC) != 0) {
        print_stderr("error: cannot prepare {}: {}\n", log_file.string(), std::generic_category().message(errno));
        return ExitCode::runtime_failure;
    }
    const pid_t child = ::fork();
    if (child < 0) {
        print_stderr("error: cannot start the daemon: {}\n", std::generic_category().message(errno));
        return ExitCode::runtime_failure;
    }
    if (child == 0) {
        ::close(report[0]);
        ::setsid();
        const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        const int report_fd = report[1];
        const auto code = run_daemon(settings, [report_fd](const Status& status, int port) {
            const std::string message = status ? fmt::format("ok {}", port) : status.error().message;
            [[maybe_unused]] const auto written = ::write(report_fd, message.data(), message.size());
            ::close(report_fd);
        });
        std::_Exit(to_int(code));
    }
    ::close(report[1]);
    ::close(log_fd);
    std::string message;
    std::array<char, 4096> buffer{};
    for (ssize_t got = 0; (got = ::read(report[0], buffer.data(), buffer.size())) != 0;) {
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) break;
        message.append(buffer.data(), static_cast<std::size_t>(got));
    }
    ::close(report[0]);
    if (!message.starts_with("ok ")) {
        print_stderr("error: the daemon did not start: {}\n",
                     message.empty() ? "it ended at once; see " + log_file.string() : message);
        return ExitCode::runtime_failure;
    }
    print_started(settings, child, std::stoi(message.substr(3)));
    return ExitCode::ok;
}

ExitCode run_up(const CommandContext& context, bool detached) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const config::Config& config = loaded->outcome.config;
    if (auto running = daemon::find_running_daemon(config.data_dir); running && *running) {
        print_stderr("error: an ephemery daemon already runs for {} (pid {}); `ephemery status` shows it\n",
                     config.data_dir.string(), (*running)->pid);
        return ExitCode::runtime_failure;
    }
    auto settings = daemon_settings(config);
    if (detached) return detach(settings);
    return run_daemon(settings, [&settings](const Status& status, int port) {
        if (!status) {
            print_stderr("error: {}\n", status.error().message);
            return;
        }
        print_started(settings, ::getpid(), port);
        fmt::print("  Ctrl-C stops the clients and the daemon\n");
        (void)std::fflush(stdout);
    });
}

// The running daemon of the configured data dir, or a message saying there is none.
std::optional<daemon::RunningDaemon> running_daemon(const config::Config& config, bool quiet) {
    auto running = daemon::find_running_daemon(config.data_dir);
    if (!running) {
        print_stderr("error: {}\n", running.error().message);
        return std::nullopt;
    }
    if (!*running && !quiet) {
        print_stderr("no ephemery daemon runs for {}; start one with `ephemery up`\n", config.data_dir.string());
    }
    return *running;
}

api::Endpoint endpoint_of(const daemon::RunningDaemon& running) {
    const std::string host =
        running.api_address == "0.0.0.0" || running.api_address.empty() ? "127.0.0.1" : running.api_address;
    return {.host = host == "::" ? "::1" : host, .port = running.api_port};
}

ExitCode run_down(const CommandContext& context, int timeout_seconds) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const config::Config& config = loaded->outcome.config;
    const bool tools = config.node.backend != node::Backend::native;
    const auto running = running_daemon(config, true);
    if (!running) {
        if (tools) return stop_tool_clients(config);
        fmt::print("no ephemery daemon runs for {}: nothing to stop\n", config.data_dir.string());
        return ExitCode::ok;
    }
    if (::kill(running->pid, SIGTERM) != 0) {
        print_stderr("error: cannot signal the daemon (pid {}): {}\n", running->pid,
                     std::generic_category().message(errno));
        return ExitCode::runtime_failure;
    }
    fmt::print("stopping the ephemery daemon (pid {}) and its clients...\n", running->pid);
    (void)std::fflush(stdout);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        const auto still = daemon::find_running_daemon(config.data_dir);
        if (still && !*still) {
            fmt::print("the daemon stopped\n");
            return tools ? stop_tool_clients(config) : ExitCode::ok;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    print_stderr("error: the daemon (pid {}) still runs after {} s; its log: {}\n", running->pid, timeout_seconds,
                 (config.data_dir / daemon::logs_dir / "ephemery.log").string());
    return ExitCode::runtime_failure;
}

std::string or_dash(const nlohmann::json& value) {
    if (value.is_null()) return "-";
    if (value.is_string()) return value.get<std::string>();
    return value.dump();
}

void print_status_text(const nlohmann::json& status) {
    const auto& daemon_info = status["daemon"];
    fmt::print("ephemery {} node \"{}\": daemon pid {}, up {}\n", or_dash(status["backend"]),
               or_dash(status["network"]), or_dash(daemon_info["pid"]),
               format_duration(daemon_info.value("uptime_seconds", std::int64_t{0})));
    const auto& iteration = status["iteration"];
    fmt::print("iteration: live {}, node data {}", or_dash(iteration["live"]), or_dash(iteration["data"]));
    if (iteration.contains("next_reset_at")) {
        fmt::print(", next reset {} (in {})", format_utc(iteration["next_reset_at"].get<std::int64_t>()),
                   format_duration(iteration["seconds_to_reset"].get<std::int64_t>()));
    }
    fmt::print("\n");
    const auto& resets = status["resets"];
    if (!resets["last_error"].get<std::string>().empty()) {
        fmt::print("last failure: {}\n", resets["last_error"].get<std::string>());
    }
    if (status.contains("checkpoint")) {
        const auto& checkpoint = status["checkpoint"];
        if (!checkpoint["url"].is_null()) {
            fmt::print("checkpoint sync: {} serves slot {} (epoch {}) from {}\n", checkpoint["url"].get<std::string>(),
                       or_dash(checkpoint.value("slot", nlohmann::json())),
                       or_dash(checkpoint.value("epoch", nlohmann::json())),
                       or_dash(checkpoint.value("served_by", nlohmann::json())));
        } else if (!checkpoint["last_problem"].get<std::string>().empty()) {
            fmt::print("checkpoint sync: none ({})\n", checkpoint["last_problem"].get<std::string>());
        }
    }
    fmt::print("\n{:<36} {:<12} {:>8} {:>10} {:>9}\n", "SERVICE", "STATE", "PID", "UPTIME", "RESTARTS");
    for (const auto& service : status["services"]) {
        const auto& uptime = service["uptime_seconds"];
        fmt::print("{:<36} {:<12} {:>8} {:>10} {:>9}\n", or_dash(service["name"]), or_dash(service["state"]),
                   or_dash(service["pid"]), uptime.is_null() ? "-" : format_duration(uptime.get<std::int64_t>()),
                   or_dash(service["restarts"]));
        if (!service["last_error"].get<std::string>().empty()) {
            fmt::print("    {}\n", service["last_error"].get<std::string>());
        }
        if (service.contains("ports") && !service["ports"].empty()) {
            std::vector<std::string> ports;
            for (const auto& [name, number] : service["ports"].items())
                ports.push_back(fmt::format("{} {}", name, number.dump()));
            fmt::print("    ports: {}\n", fmt::join(ports, ", "));
        }
    }
    fmt::print("\nhealthy: {}\n", status["healthy"].get<bool>() ? "yes" : "no");
}

// What can be said without a daemon: the schedule and what is on disk. A devnet's data dir has its own schedule.
nlohmann::ordered_json offline_status(const config::Config& config) {
    const std::int64_t now = infra::unix_now();
    const auto devnet = rehearsal::recorded_schedule(config.data_dir);
    const network::Schedule& schedule = devnet ? *devnet : config.network.schedule;
    const auto live = network::iteration_at(schedule, now);
    nlohmann::ordered_json document{
        {"network", devnet ? std::string(devnet::devnet_network_name) : config.network.name},
        {"data_dir", config.data_dir.string()},
        {"daemon", nullptr}};
    document["iteration"]["live"] = live ? nlohmann::ordered_json(*live) : nullptr;
    auto marker = reset::read_iteration_marker(config.data_dir);
    document["iteration"]["data"] =
        marker && *marker ? nlohmann::ordered_json((*marker)->iteration) : nlohmann::ordered_json(nullptr);
    if (live) {
        if (auto info = network::describe_iteration(schedule, *live); info && info->times) {
            document["iteration"]["next_reset_at"] = info->times->reset_time;
        }
    }
    return document;
}

ExitCode run_status(const CommandContext& context, bool json) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const config::Config& config = loaded->outcome.config;
    const auto running = running_daemon(config, true);
    if (!running) {
        if (json) {
            print_json(offline_status(config));
        } else {
            const auto document = offline_status(config);
            fmt::print("no ephemery daemon runs for {} (start it with `ephemery {}`)\n", config.data_dir.string(),
                       document["network"] == devnet::devnet_network_name ? "devnet" : "up");
            fmt::print("iteration: live {}, node data {}\n", or_dash(document["iteration"]["live"]),
                       or_dash(document["iteration"]["data"]));
        }
        return ExitCode::runtime_failure;
    }
    auto reply = api::get(endpoint_of(*running), "/api/v1/status");
    if (!reply || reply->status != 200 || !reply->body.is_object()) {
        print_stderr("error: the daemon (pid {}) does not answer its control API: {}\n", running->pid,
                     reply ? api::reply_error(*reply) : reply.error().message);
        return ExitCode::runtime_failure;
    }
    if (json) {
        print_json(nlohmann::ordered_json(reply->body));
    } else {
        print_status_text(reply->body);
    }
    return reply->body.value("healthy", false) ? ExitCode::ok : ExitCode::check_failed;
}

ExitCode run_restart(const CommandContext& context, const std::string& role) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const config::Config& config = loaded->outcome.config;
    if (!clients::role_from_name(role)) {
        print_stderr("error: {} is not a role: execution, consensus or validator\n", role);
        return ExitCode::usage_error;
    }
    const auto running = running_daemon(config, false);
    if (!running) return ExitCode::runtime_failure;
    const fs::path token_file = config.data_dir / daemon::api_token_file;
    auto token = infra::read_file(token_file, 1024);
    if (!token) {
        print_stderr("error: cannot read the API token {}: {}\n", token_file.string(), token.error().message);
        return ExitCode::runtime_failure;
    }
    auto reply = api::post(endpoint_of(*running), "/api/v1/restart/" + role, SecretString(std::string(trim(*token))));
    if (!reply || reply->status != 200) {
        print_stderr("error: {}\n", reply ? api::reply_error(*reply) : reply.error().message);
        return reply && reply->status == 404 ? ExitCode::usage_error : ExitCode::runtime_failure;
    }
    fmt::print("restarted the {} client\n", role);
    return ExitCode::ok;
}

}  // namespace

void add_node_commands(CLI::App& app, CommandContext& context) {
    auto* up =
        app.add_subcommand("up", "Run the node: fetch and reset as needed, supervise the clients, serve the API");
    auto detached = std::make_shared<bool>(false);
    up->add_flag("--detach,-d", *detached, "Run the daemon in the background (its log: <data_dir>/logs/ephemery.log)");
    up->callback([&context, detached] { context.exit_code = run_up(context, *detached); });

    auto* down = app.add_subcommand("down", "Stop the daemon and every client it runs");
    auto timeout = std::make_shared<int>(120);
    down->add_option("--timeout", *timeout, "Seconds to wait for everything to stop")->check(CLI::PositiveNumber);
    down->callback([&context, timeout] { context.exit_code = run_down(context, *timeout); });

    auto* status =
        app.add_subcommand("status", "Show the node: clients, pids, uptime, restarts, iteration, next reset");
    auto json = std::make_shared<bool>(false);
    status->add_flag("--json", *json, "Print one JSON document");
    status->callback([&context, json] { context.exit_code = run_status(context, *json); });

    auto* restart = app.add_subcommand("restart", "Restart one client of the running node");
    auto role = std::make_shared<std::string>();
    restart->add_option("role", *role, "execution, consensus or validator")->required();
    restart->callback([&context, role] { context.exit_code = run_restart(context, *role); });

    add_logs_command(app, context);
}

}  // namespace ephemery::cli
