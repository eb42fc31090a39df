#include "daemon/node_daemon.hpp"

#include "api/server.hpp"
#include "beacon/types.hpp"
#include "core/text.hpp"
#include "daemon/checkpoint_source.hpp"
#include "daemon/deliberate_restarts.hpp"
#include "daemon/process_usage.hpp"
#include "genesis/fetch.hpp"
#include "genesis/store.hpp"
#include "infra/clock.hpp"
#include "infra/files.hpp"
#include "node/compose.hpp"
#include "reset/engine.hpp"
#include "runtime/jwt.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <utility>

namespace ephemery::daemon {
namespace fs = std::filesystem;

namespace {

std::string error_text(int error) {
    return std::generic_category().message(error);
}

// The lock is held for the daemon's whole life; the kernel drops it when the process dies, however it dies.
Result<int> take_daemon_lock(const fs::path& data_dir) {
    const fs::path file = data_dir / daemon_lock_file;
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return make_error(Errc::io_error, fmt::format("cannot open {}: {}", file.string(), error_text(errno)));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK) {
            return make_error(Errc::invalid_argument,
                              fmt::format("another ephemery daemon already runs for {} (it holds {}); stop it with "
                                          "`ephemery down` or use another data_dir",
                                          data_dir.string(), file.string()));
        }
        return make_error(Errc::io_error, fmt::format("cannot lock {}: {}", file.string(), error_text(error)));
    }
    return fd;
}

}  // namespace

std::vector<reset::Instance> node_instances(const std::string& network, const fs::path& data_dir,
                                            const node::Settings& settings) {
    std::vector<reset::Instance> instances;
    const std::array<std::pair<clients::Role, const node::ClientSettings*>, 3> roles{{
        {clients::Role::execution, &settings.execution},
        {clients::Role::consensus, &settings.consensus},
        {clients::Role::validator, &settings.validator},
    }};
    for (const auto& [role, client] : roles) {
        if (!client->enabled) continue;
        instances.push_back({.role = role,
                             .client = client->client,
                             .data_dir = node::client_data_dir(data_dir, *client, role),
                             .binary = client->binary,
                             .service = clients::service_name(network, role, client->client),
                             .edition = settings.edition});
    }
    return instances;
}

Result<node::NodePlan> plan_for_active_release(const DaemonSettings& settings, const std::string& checkpoint_url) {
    const genesis::ReleaseStore store(settings.data_dir);
    const auto iteration = store.current();
    if (!iteration) {
        return make_error(Errc::not_found, fmt::format("no release is active in {} yet (the first reset installs one)",
                                                       store.root().string()));
    }
    const fs::path release_dir = store.release_dir(*iteration);
    auto files = genesis::load_release_dir(release_dir);
    if (!files) return files.error();
    // Under compose the clients see the release, the JWT secret and their data dirs at the mount contract's paths.
    const bool containers = settings.node.backend == node::Backend::compose;
    const fs::path validator_dir =
        containers ? fs::path("/data")
                   : node::client_data_dir(settings.data_dir, settings.node.validator, clients::Role::validator);
    node::NodeInputs inputs;
    inputs.network = settings.network.name;
    inputs.data_dir = settings.data_dir;
    inputs.settings = settings.node;
    inputs.checkpoint_url = checkpoint_url;
    inputs.release_values =
        reset::release_placeholders(containers ? fs::path(node::compose_release_dir) : release_dir, *files);
    inputs.jwt_file = containers ? fs::path(node::compose_jwt_file) : settings.data_dir / jwt_secret_file;
    inputs.validator_keys = {.keystores_dir = settings.validators.keystores_dir.empty() || containers
                                                  ? validator_dir / "keystores"
                                                  : fs::path(settings.validators.keystores_dir),
                             .secrets_dir = validator_dir / "secrets",
                             .password_file = settings.validators.password_file,
                             .wallet_dir = validator_dir / "wallet",
                             .fee_recipient = settings.validators.fee_recipient,
                             .graffiti = settings.validators.graffiti};
    return node::make_node_plan(inputs);
}

Result<std::optional<RunningDaemon>> find_running_daemon(const fs::path& data_dir) {
    const fs::path lock_file = data_dir / daemon_lock_file;
    const int fd = ::open(lock_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::optional<RunningDaemon>{};
        return make_error(Errc::io_error, fmt::format("cannot open {}: {}", lock_file.string(), error_text(errno)));
    }
    const bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
    ::close(fd);
    if (free) return std::optional<RunningDaemon>{};
    const fs::path state_file = data_dir / daemon_state_file;
    auto text = infra::read_file(state_file, std::size_t{64} * 1024);
    if (!text) {
        return make_error(text.error().code,
                          fmt::format("a daemon holds {} but {} cannot be read: {}", lock_file.string(),
                                      state_file.string(), text.error().message));
    }
    const auto document = nlohmann::json::parse(*text, nullptr, false);
    if (!document.is_object() || !document.contains("pid") || !document["pid"].is_number_integer() ||
        !document.contains("api_port") || !document["api_port"].is_number_integer()) {
        return make_error(Errc::parse_error,
                          fmt::format("{} is not what a daemon writes (pid, api_address, api_port, started_at)",
                                      state_file.string()));
    }
    return std::optional<RunningDaemon>{RunningDaemon{.pid = document["pid"].get<pid_t>(),
                                                      .api_address = document.value("api_address", "127.0.0.1"),
                                                      .api_port = document["api_port"].get<int>(),
                                                      .started_at = document.value("started_at", std::int64_t{0})}};
}

std::int64_t SystemClock::now() {
    return infra::unix_now();
}

void SystemClock::sleep_until(std::int64_t at, const std::atomic<bool>& stop) {
    const auto deadline = std::chrono::system_clock::time_point(std::chrono::seconds(at));
    std::unique_lock lock(mutex_);
    woken_.wait_until(lock, deadline, [&] { return wake_pending_ || stop.load(); });
    wake_pending_ = false;
}

void SystemClock::wake() {
    {
        const std::scoped_lock lock(mutex_);
        wake_pending_ = true;
    }
    woken_.notify_all();
}

struct NodeDaemon::State {
    DaemonSettings settings;
    int lock_fd{-1};
    std::vector<reset::Instance> instances;
    std::unique_ptr<ServiceDriver> driver;
    std::unique_ptr<api::ControlServer> server;
    std::int64_t started_at{infra::unix_now()};

    std::atomic<bool> stop{false};
    std::mutex clock_mutex;
    Clock* clock{nullptr};  // while run() runs

    std::mutex reset_mutex;  // one fetch or reset at a time, from the loop or the API
    std::atomic<bool> manual_reset_running{false};
    std::thread manual_reset;

    std::atomic<std::uint64_t> fetches{0};
    std::atomic<std::uint64_t> fetch_failures{0};
    std::atomic<std::uint64_t> resets{0};
    std::atomic<std::uint64_t> reset_failures{0};
    std::atomic<bool> resetting{false};
    bool clients_stopped{false};  // run() stops them as it ends, the destructor when run() never did
    DeliberateRestarts deliberate_restarts;
    std::mutex last_mutex;
    std::string last_error;  // of the last failed fetch or reset; cleared by a success
    std::optional<std::int64_t> last_reset_at;

    std::mutex plan_mutex;
    std::optional<node::NodePlan> last_plan;  // the clients' last start, whose ports status shows

    std::unique_ptr<CheckpointSource> checkpoint_source;  // set by create()
    std::unique_ptr<MonitorRunner> monitor;               // set by create(); runs while run() runs

    // Per client: up, state, restarts, CPU and memory of its main process.
    [[nodiscard]] std::vector<monitoring::MetricFamily> service_families() const {
        monitoring::MetricFamily up{"ephemery_service_up", "gauge", "1 while the client process runs", {}};
        monitoring::MetricFamily state{"ephemery_service_state", "gauge", "1 for the state the client is in", {}};
        monitoring::MetricFamily restarts{
            "ephemery_service_restarts_total", "counter", "automatic restarts after crashes", {}};
        monitoring::MetricFamily cpu{
            "ephemery_service_cpu_seconds_total", "counter", "CPU time of the client's main process", {}};
        monitoring::MetricFamily memory{
            "ephemery_service_resident_memory_bytes", "gauge", "resident memory of the client's main process", {}};
        for (const auto& current : driver->states()) {
            std::vector<std::pair<std::string, std::string>> labels{{"service", current.name}};
            for (const auto& instance : instances) {
                if (instance.service != current.name) continue;
                labels.emplace_back("role", clients::role_name(instance.role));
                labels.emplace_back("client", clients::client_name(instance.client));
            }
            up.samples.push_back({up.name, labels, current.state == "running" ? 1.0 : 0.0});
            auto with_state = labels;
            with_state.emplace_back("state", current.state);
            state.samples.push_back({state.name, std::move(with_state), 1.0});
            restarts.samples.push_back({restarts.name, labels, static_cast<double>(current.restarts)});
            if (!current.pid) continue;
            if (const auto usage = process_usage(*current.pid)) {
                cpu.samples.push_back({cpu.name, labels, usage->cpu_seconds});
                memory.samples.push_back({memory.name, labels, static_cast<double>(usage->resident_bytes)});
            }
        }
        return {std::move(up), std::move(state), std::move(restarts), std::move(cpu), std::move(memory)};
    }

    // ephemery_service_up per client, for the alert rules; none while a reset stops the clients on purpose, nor for
    // a client an operator restarted until it runs again.
    [[nodiscard]] std::vector<monitoring::Sample> service_samples() {
        if (resetting) return {};
        return deliberate_restarts.judged(service_families().front().samples, std::chrono::steady_clock::now());
    }

    [[nodiscard]] collector::ProcessTotals process_totals() const {
        collector::ProcessTotals totals;
        for (const auto& current : driver->states()) {
            if (!current.pid) continue;
            if (const auto usage = process_usage(*current.pid)) {
                totals.cpu_seconds += usage->cpu_seconds;
                totals.resident_bytes += usage->resident_bytes;
            }
        }
        return totals;
    }

    // Plans from the active release, as every start does, and remembers the plan for status. Natively and under
    // systemd the consensus client checkpoint-syncs from the daemon's loopback server; containers cannot reach
    // the host's loopback, so under Compose it starts without (a documented limit).
    Result<node::NodePlan> plan_for_start() {
        std::string checkpoint_url;
        if (checkpoint_source && settings.node.backend != node::Backend::compose && settings.node.consensus.enabled) {
            const genesis::ReleaseStore store(settings.data_dir);
            if (const auto current = store.current()) {
                checkpoint_url = checkpoint_source->url_for(store.release_dir(*current));
            }
        }
        auto plan = plan_for_active_release(settings, checkpoint_url);
        if (plan) {
            const std::scoped_lock lock(plan_mutex);
            last_plan = *plan;
        }
        return plan;
    }

    [[nodiscard]] node::NodeTimeState time_state() const {
        node::NodeTimeState state;
        if (auto marker = reset::read_iteration_marker(settings.data_dir); marker && *marker) {
            state.data_iteration = (*marker)->iteration;
        }
        if (auto releases = genesis::ReleaseStore(settings.data_dir).list()) {
            for (const auto& release : *releases) state.installed_releases.insert(release.iteration);
        }
        return state;
    }

    [[nodiscard]] release::Expectation expectation(std::uint64_t iteration) const {
        return {.iteration = iteration, .schedule = settings.network.schedule, .fork_versions = settings.fork_versions};
    }

    void record(const Status& outcome, std::atomic<std::uint64_t>& failures) {
        const std::scoped_lock lock(last_mutex);
        if (outcome) {
            last_error.clear();
        } else {
            ++failures;
            last_error = outcome.error().message;
        }
    }

    Status fetch(std::uint64_t iteration) {
        const std::scoped_lock lock(reset_mutex);
        ++fetches;
        if (settings.prepare_release) {
            if (auto prepared = settings.prepare_release(iteration); !prepared) {
                record(prepared, fetch_failures);
                return prepared;
            }
        }
        genesis::FetchRequest request;
        request.iteration = iteration;
        request.tag = network::release_tag(settings.network.schedule, iteration);
        request.source = settings.network.release_base_url;
        request.data_dir = settings.data_dir;
        request.expectation = expectation(iteration);
        request.activate = false;  // the reset activates it, at T(N+1)
        auto outcome = genesis::fetch_release(request);
        Status status = outcome ? Status{} : Status{outcome.error()};
        if (outcome)
            spdlog::info("release {} installed in {}, waiting for its reset", outcome->tag, outcome->path.string());
        record(status, fetch_failures);
        return status;
    }

    Status reset_to(std::uint64_t iteration, bool force) {
        const std::scoped_lock lock(reset_mutex);
        ++resets;
        resetting = true;  // the clients are stopped on purpose: not a service_down alert
        Status status = run_reset(iteration, force);
        resetting = false;
        record(status, reset_failures);
        if (status) {
            const std::scoped_lock last_lock(last_mutex);
            last_reset_at = infra::unix_now();
        }
        return status;
    }

    Status run_reset(std::uint64_t iteration, bool force) {
        auto prepared = reset::prepare_reset({.data_dir = settings.data_dir,
                                              .instances = instances,
                                              .target_iteration = iteration,
                                              .expectation = expectation(iteration),
                                              .force = force});
        if (!prepared) return prepared.error();
        if (!prepared->refusals.empty()) {
            return make_error(Errc::invalid_argument, fmt::format("the reset to iteration {} is refused: {}", iteration,
                                                                  join(prepared->refusals, "; ")));
        }
        auto outcome = reset::run_reset(*prepared, {.control = &driver->control(), .on_phase = {}});
        if (!outcome) return outcome.error();
        spdlog::info("reset to iteration {} done ({} steps run, {} already done)", iteration, outcome->steps_run,
                     outcome->steps_skipped);
        return {};
    }

    void ensure_running() {
        const std::scoped_lock lock(reset_mutex);
        driver->ensure_running();
    }

    Result<std::unique_ptr<ServiceDriver>> make_driver() {
        PlanSource plan = [this] { return plan_for_start(); };
        switch (settings.node.backend) {
            case node::Backend::native: {
                // Until a release is active there is nothing to render: each service starts out with its
                // program and no arguments, and every start re-plans from the active release.
                std::vector<runtime::ProcessSpec> specs;
                for (const auto& instance : instances) {
                    const auto* role = clients::role_spec(instance.client, instance.role, instance.edition);
                    std::string program = instance.binary;
                    if (program.empty() && role != nullptr) program = role->program;
                    specs.push_back({.name = instance.service,
                                     .program = program,
                                     .arguments = {},
                                     .working_directory = instance.data_dir,
                                     .environment = {}});
                }
                auto supervisor = runtime::Supervisor::create(settings.supervisor, std::move(specs));
                if (!supervisor) return supervisor.error();
                return make_native_driver(std::move(supervisor).value(), instances, std::move(plan));
            }
            case node::Backend::compose: {
                if (auto available = check_compose_plugin(settings.tools.docker); !available) {
                    return available.error();
                }
                const fs::path data_dir = settings.data_dir;
                return make_compose_driver({.target = {.docker = settings.tools.docker,
                                                       .compose_file = data_dir / "compose" / "compose.yaml",
                                                       .project = settings.network.name},
                                            .data_dir = data_dir,
                                            .jwt_file = data_dir / jwt_secret_file,
                                            .release_dir = [data_dir]() -> Result<fs::path> {
                                                const genesis::ReleaseStore store(data_dir);
                                                const auto current = store.current();
                                                if (!current)
                                                    return make_error(Errc::not_found, "no release is active yet");
                                                return store.release_dir(*current);
                                            }},
                                           instances, std::move(plan));
            }
            case node::Backend::systemd:
                return make_systemd_driver({.systemctl = settings.tools.systemctl,
                                            .journalctl = settings.tools.journalctl,
                                            .scope = settings.tools.systemd_scope},
                                           settings.tools.systemd_units_dir, instances, std::move(plan));
        }
        return make_error(Errc::invalid_argument, "unknown backend");
    }

    void wake_clock() {
        const std::scoped_lock lock(clock_mutex);
        if (clock != nullptr) clock->wake();
    }

    Status write_state_file() const {
        const nlohmann::ordered_json document{{"pid", ::getpid()},
                                              {"api_address", settings.api.listen_address},
                                              {"api_port", server ? server->port() : 0},
                                              {"started_at", started_at}};
        return infra::write_file_atomically(
            settings.data_dir / daemon_state_file, document.dump(2) + "\n",
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    }
};

NodeDaemon::NodeDaemon(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<NodeDaemon>> NodeDaemon::create(DaemonSettings settings) {
    auto state = std::make_unique<State>();
    std::error_code error;
    fs::create_directories(settings.data_dir, error);
    if (error) {
        return make_error(Errc::io_error, fmt::format("cannot create the data dir {}: {}", settings.data_dir.string(),
                                                      error.message()));
    }
    auto lock = take_daemon_lock(settings.data_dir);
    if (!lock) return lock.error();
    state->lock_fd = *lock;
    // From here on the State owns the lock; an early return closes it with the daemon.
    auto daemon = std::unique_ptr<NodeDaemon>(new NodeDaemon(std::move(state)));
    State& s = *daemon->state_;
    s.settings = std::move(settings);
    if (s.settings.supervisor.log_dir.empty()) s.settings.supervisor.log_dir = s.settings.data_dir / logs_dir;
    s.instances = node_instances(s.settings.network.name, s.settings.data_dir, s.settings.node);
    if (s.instances.empty()) {
        return make_error(Errc::invalid_argument,
                          "no client is enabled: enable at least clients.execution or clients.consensus");
    }
    if (auto jwt = runtime::ensure_jwt_secret(s.settings.data_dir / jwt_secret_file); !jwt) return jwt.error();
    s.checkpoint_source = std::make_unique<CheckpointSource>(s.settings.checkpoint, s.settings.data_dir);

    auto driver = s.make_driver();
    if (!driver) return driver.error();
    s.driver = std::move(driver).value();
    MonitorInputs monitor_inputs;
    monitor_inputs.settings = s.settings.monitoring;
    monitor_inputs.data_dir = s.settings.data_dir;
    monitor_inputs.schedule = s.settings.network.schedule;
    monitor_inputs.last_plan = [&s]() -> std::optional<node::NodePlan> {
        const std::scoped_lock plan_lock(s.plan_mutex);
        return s.last_plan;
    };
    monitor_inputs.process_totals = [&s] { return s.process_totals(); };
    monitor_inputs.poll_interval = s.settings.monitoring_poll_interval;
    if (s.settings.monitoring.enabled && s.settings.alerts.enabled) {
        auto alerting = Alerting::create(s.settings.alerts, s.settings.data_dir / std::string(history::database_file));
        if (!alerting) return alerting.error();
        monitor_inputs.alerting = std::shared_ptr<Alerting>(std::move(*alerting));
        monitor_inputs.extra_samples = [&s] { return s.service_samples(); };
    }
    s.monitor = std::make_unique<MonitorRunner>(std::move(monitor_inputs));

    if (s.settings.api.enabled) {
        auto token = api::load_or_create_token(s.settings.data_dir / api_token_file);
        if (!token) return token.error();
        auto server = api::ControlServer::start(s.settings.api, std::move(token).value(), *daemon);
        if (!server) return server.error();
        s.server = std::move(server).value();
    }
    if (auto written = s.write_state_file(); !written) return written.error();
    return daemon;
}

NodeDaemon::~NodeDaemon() {
    if (!state_) return;
    State& s = *state_;
    if (s.server) s.server->stop();
    if (s.manual_reset.joinable()) s.manual_reset.join();
    if (s.monitor) s.monitor->stop();
    if (s.driver && !std::exchange(s.clients_stopped, true)) s.driver->on_daemon_exit();
    if (s.checkpoint_source) s.checkpoint_source->stop();
    std::error_code ignored;
    fs::remove(s.settings.data_dir / daemon_state_file, ignored);
    if (s.lock_fd >= 0) ::close(s.lock_fd);
}

LoopCounters NodeDaemon::run(Clock& clock) {
    State& s = *state_;
    {
        const std::scoped_lock lock(s.clock_mutex);
        s.clock = &clock;
    }
    const LoopActions actions{
        .read_state = [&s] { return s.time_state(); },
        .fetch_release = [&s](std::uint64_t iteration) { return s.fetch(iteration); },
        .reset_to = [&s](std::uint64_t iteration) { return s.reset_to(iteration, false); },
        .ensure_running = [&s] { s.ensure_running(); },
    };
    s.monitor->start();
    const LoopCounters counters = run_reset_loop(s.settings.network.schedule, clock, actions, s.stop);
    s.monitor->stop();
    {
        const std::scoped_lock lock(s.clock_mutex);
        s.clock = nullptr;
    }
    if (s.manual_reset.joinable()) s.manual_reset.join();
    if (!std::exchange(s.clients_stopped, true)) s.driver->on_daemon_exit();
    return counters;
}

void NodeDaemon::request_stop() {
    state_->stop = true;
    state_->wake_clock();
}

int NodeDaemon::api_port() const {
    return state_->server ? state_->server->port() : 0;
}

nlohmann::ordered_json NodeDaemon::status() {
    State& s = *state_;
    const std::int64_t now = infra::unix_now();
    const auto time_state = s.time_state();
    nlohmann::ordered_json document;
    document["network"] = s.settings.network.name;
    document["backend"] = s.driver->backend();
    document["data_dir"] = s.settings.data_dir.string();
    document["daemon"] = {{"pid", ::getpid()}, {"started_at", s.started_at}, {"uptime_seconds", now - s.started_at}};

    nlohmann::ordered_json iteration;
    const auto live = network::iteration_at(s.settings.network.schedule, now);
    iteration["live"] = live ? nlohmann::ordered_json(*live) : nullptr;
    iteration["data"] = time_state.data_iteration ? nlohmann::ordered_json(*time_state.data_iteration) : nullptr;
    iteration["installed_releases"] = time_state.installed_releases;
    if (live) {
        if (auto info = network::describe_iteration(s.settings.network.schedule, *live); info && info->times) {
            iteration["genesis_time"] = info->times->cl_genesis_time;
            iteration["next_reset_at"] = info->times->reset_time;
            iteration["seconds_to_reset"] = info->times->reset_time - now;
        }
    }
    const auto next = node::next_action(s.settings.network.schedule, now, time_state);
    iteration["next_action"] = {{"at", next.at}, {"reason", next.reason}};
    document["iteration"] = std::move(iteration);
    {
        const std::scoped_lock lock(s.last_mutex);
        document["resets"] = {{"running", s.manual_reset_running.load()},
                              {"total", s.resets.load()},
                              {"failures", s.reset_failures.load()},
                              {"fetches", s.fetches.load()},
                              {"fetch_failures", s.fetch_failures.load()},
                              {"last_reset_at", s.last_reset_at ? nlohmann::ordered_json(*s.last_reset_at) : nullptr},
                              {"last_error", s.last_error}};
    }
    if (s.checkpoint_source && s.settings.checkpoint.enabled && !s.settings.checkpoint.providers.empty()) {
        const auto checkpoint = s.checkpoint_source->status();
        nlohmann::ordered_json section{
            {"url", checkpoint.url.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(checkpoint.url)},
            {"fetches", checkpoint.fetches},
            {"failures", checkpoint.failures},
            {"last_problem", checkpoint.last_problem}};
        if (checkpoint.served) {
            section["slot"] = checkpoint.served->slot;
            section["epoch"] = checkpoint.served->checkpoint.epoch;
            section["block_root"] = beacon::root_hex(checkpoint.served->checkpoint.root);
            section["served_by"] = checkpoint.served->served_by;
        }
        document["checkpoint"] = std::move(section);
    }
    if (s.settings.monitoring.enabled) document["monitoring"] = s.monitor->status();
    auto services = nlohmann::ordered_json::array();
    const auto states = s.driver->states();
    // The ports each client listens on, from the plan of their last start (none before the first).
    std::optional<node::NodePlan> plan;
    {
        const std::scoped_lock lock(s.plan_mutex);
        plan = s.last_plan;
    }
    const auto ports_of = [&plan](const std::string& service) {
        nlohmann::ordered_json ports = nlohmann::ordered_json::object();
        if (!plan) return ports;
        for (const auto& planned : plan->services) {
            if (planned.name != service) continue;
            for (const auto& port : planned.ports) ports[port.name] = port.number;
        }
        return ports;
    };
    for (std::size_t i = 0; i < states.size() && i < s.instances.size(); ++i) {
        const auto& current = states[i];
        const auto& instance = s.instances[i];
        const auto optional = [](const auto& value) {
            return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
        };
        services.push_back({{"role", clients::role_name(instance.role)},
                            {"client", clients::client_name(instance.client)},
                            {"name", current.name},
                            {"state", current.state},
                            {"pid", optional(current.pid)},
                            {"uptime_seconds", optional(current.uptime_seconds)},
                            {"restarts", current.restarts},
                            {"recent_crashes", current.recent_crashes},
                            {"last_exit_code", optional(current.last_exit_code)},
                            {"last_signal", optional(current.last_signal)},
                            {"last_error", current.last_error},
                            {"data_dir", instance.data_dir.string()},
                            {"ports", ports_of(instance.service)},
                            {"log_file", (s.settings.supervisor.log_dir / (instance.service + ".log")).string()}});
    }
    document["services"] = std::move(services);
    document["healthy"] = healthy();
    return document;
}

bool NodeDaemon::healthy() {
    const auto states = state_->driver->states();
    return std::all_of(states.begin(), states.end(), [](const auto& current) { return current.state == "running"; });
}

std::string NodeDaemon::metrics() {
    State& s = *state_;
    auto families = s.service_families();
    const auto gauge = [&families](const std::string& name, std::string help, double value) {
        families.push_back({name, "gauge", std::move(help), {monitoring::Sample{name, {}, value}}});
    };
    const std::int64_t now = infra::unix_now();
    const auto time_state = s.time_state();
    if (const auto live = network::iteration_at(s.settings.network.schedule, now)) {
        gauge("ephemery_iteration", "the network's live iteration", static_cast<double>(*live));
        if (auto info = network::describe_iteration(s.settings.network.schedule, *live); info && info->times) {
            gauge("ephemery_next_reset_timestamp_seconds", "when the live iteration ends (Unix time)",
                  static_cast<double>(info->times->reset_time));
        }
    }
    if (time_state.data_iteration) {
        gauge("ephemery_data_iteration", "the iteration the node's data belongs to",
              static_cast<double>(*time_state.data_iteration));
    }
    const auto checkpoint = s.checkpoint_source ? s.checkpoint_source->status() : CheckpointStatus{};
    const std::array<std::tuple<std::string_view, std::string_view, std::uint64_t>, 6> counters{{
        {"ephemery_release_fetches_total", "release fetches attempted", s.fetches.load()},
        {"ephemery_release_fetch_failures_total", "release fetches that failed", s.fetch_failures.load()},
        {"ephemery_resets_total", "resets attempted", s.resets.load()},
        {"ephemery_reset_failures_total", "resets that failed", s.reset_failures.load()},
        {"ephemery_checkpoint_fetches_total", "checkpoint fetches from the providers", checkpoint.fetches},
        {"ephemery_checkpoint_fetch_failures_total",
         "checkpoint fetches that verified nothing (the client starts without a checkpoint)", checkpoint.failures},
    }};
    for (const auto& [name, help, value] : counters) {
        families.push_back({std::string(name),
                            "counter",
                            std::string(help),
                            {monitoring::Sample{std::string(name), {}, static_cast<double>(value)}}});
    }
    gauge("ephemery_daemon_start_time_seconds", "when the daemon started (Unix time)",
          static_cast<double>(s.started_at));
    auto monitoring_families = s.monitor->metric_families();
    families.insert(families.end(), std::make_move_iterator(monitoring_families.begin()),
                    std::make_move_iterator(monitoring_families.end()));
    return monitoring::render_prometheus(families);
}

Status NodeDaemon::restart(std::string_view role) {
    State& s = *state_;
    const auto instance = std::find_if(s.instances.begin(), s.instances.end(),
                                       [role](const auto& entry) { return clients::role_name(entry.role) == role; });
    if (instance == s.instances.end()) {
        return make_error(Errc::not_found, fmt::format("this node runs no {} client", role));
    }
    const std::scoped_lock lock(s.reset_mutex);  // not in the middle of a reset
    s.deliberate_restarts.begin(instance->service, std::chrono::steady_clock::now());
    return s.driver->restart(*instance);
}

Status NodeDaemon::request_reset() {
    State& s = *state_;
    const auto live = network::iteration_at(s.settings.network.schedule, infra::unix_now());
    if (!live)
        return make_error(Errc::invalid_argument, "the network has not started yet: there is nothing to reset to");
    bool expected = false;
    if (!s.manual_reset_running.compare_exchange_strong(expected, true)) {
        return make_error(Errc::invalid_argument, "a reset requested through the API is already running");
    }
    if (s.manual_reset.joinable()) s.manual_reset.join();
    s.manual_reset = std::thread([&s, iteration = *live] {
        spdlog::info("reset to iteration {} requested through the API", iteration);
        Status done = s.fetch(iteration);
        if (done) done = s.reset_to(iteration, true);
        if (!done) spdlog::error("the requested reset failed: {}", done.error().message);
        s.manual_reset_running = false;
        s.wake_clock();
    });
    return {};
}

}  // namespace ephemery::daemon
