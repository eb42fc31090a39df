#include "daemon/drivers.hpp"

#include "daemon/supervisor_control.hpp"
#include "infra/http_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>

namespace ephemery::daemon {
namespace {

namespace fs = std::filesystem;

Result<runtime::ProcessSpec> spec_from(const PlanSource& plan, const std::string& service) {
    auto planned = plan();
    if (!planned) return planned.error();
    for (const auto& entry : planned->services) {
        if (entry.name != service) continue;
        for (const auto& port : entry.ports) {
            if (port.transport != clients::Transport::udp && infra::tcp_port_taken(port.number)) {
                return make_error(Errc::io_error,
                                  fmt::format("{} cannot start: its {} port {} is taken by another program; set "
                                              "runtime.port_base to number the node's ports from a free block (a "
                                              "devnet: --port-base)",
                                              service, port.name, port.number));
            }
        }
        return runtime::process_spec(entry);
    }
    return make_error(Errc::not_found, fmt::format("the node plan has no service {}", service));
}

class NativeDriver final : public ServiceDriver {
  public:
    NativeDriver(runtime::Supervisor supervisor, std::vector<reset::Instance> instances, PlanSource plan)
        : supervisor_(std::move(supervisor)),
          instances_(std::move(instances)),
          plan_(std::move(plan)),
          control_(supervisor_,
                   [this](const reset::Instance& instance) { return spec_from(plan_, instance.service); }) {}

    [[nodiscard]] std::string_view backend() const override { return "native"; }
    [[nodiscard]] reset::ClientControl& control() override { return control_; }

    void ensure_running() override {
        for (const auto& instance : instances_) {
            auto current = supervisor_.status(instance.service);
            if (!current || current->state != runtime::ServiceState::stopped) continue;
            auto spec = spec_from(plan_, instance.service);
            if (!spec) {
                spdlog::warn("{} cannot start: {}", instance.service, spec.error().message);
                return;
            }
            if (auto started = supervisor_.start(*spec); !started) {
                spdlog::error("{} did not start: {}", instance.service, started.error().message);
            }
        }
    }

    [[nodiscard]] Status restart(const reset::Instance& instance) override {
        if (auto stopped = supervisor_.stop(instance.service); !stopped) return stopped;
        auto spec = spec_from(plan_, instance.service);
        if (!spec) return spec.error();
        return supervisor_.start(*spec);
    }

    [[nodiscard]] std::vector<DriverServiceState> states() override {
        std::vector<DriverServiceState> states;
        const auto now = std::chrono::system_clock::now();
        for (const auto& current : supervisor_.status()) {
            states.push_back(
                {.name = current.name,
                 .state = std::string(runtime::to_string(current.state)),
                 .pid = current.pid ? std::optional<int>(*current.pid) : std::nullopt,
                 .uptime_seconds =
                     current.pid && current.started_at
                         ? std::optional<std::int64_t>(
                               std::chrono::duration_cast<std::chrono::seconds>(now - *current.started_at).count())
                         : std::nullopt,
                 .restarts = current.restarts,
                 .recent_crashes = current.recent_crashes,
                 .last_exit_code = current.last_exit_code,
                 .last_signal = current.last_signal,
                 .last_error = current.last_error});
        }
        return states;
    }

    void on_daemon_exit() override {
        spdlog::info("stopping the clients");
        if (auto stopped = supervisor_.stop_all(); !stopped) spdlog::error("{}", stopped.error().message);
    }

  private:
    runtime::Supervisor supervisor_;
    std::vector<reset::Instance> instances_;
    PlanSource plan_;
    SupervisorControl control_;
};

// The tools' states in the instances' order; an instance the tool does not know is "missing".
std::vector<DriverServiceState> tool_states(const Result<std::vector<ToolServiceState>>& reported,
                                            const std::vector<reset::Instance>& instances) {
    std::map<std::string, ToolServiceState> by_name;
    if (reported) {
        for (const auto& state : *reported) by_name[state.name] = state;
    }
    std::vector<DriverServiceState> states;
    for (const auto& instance : instances) {
        DriverServiceState entry{.name = instance.service,
                                 .state = "missing",
                                 .pid = std::nullopt,
                                 .uptime_seconds = std::nullopt,
                                 .restarts = 0,
                                 .recent_crashes = 0,
                                 .last_exit_code = std::nullopt,
                                 .last_signal = std::nullopt,
                                 .last_error = reported ? std::string{} : reported.error().message};
        if (const auto found = by_name.find(instance.service); found != by_name.end()) {
            entry.state = found->second.state;
            entry.pid = found->second.pid;
            entry.restarts = found->second.restarts;
            entry.last_error = found->second.detail;
        }
        states.push_back(std::move(entry));
    }
    return states;
}

bool needs_start(const std::string& state) {
    return state == "stopped" || state == "missing";
}

// Compose and systemd share the shape: a tool control whose start first rewrites the files from the plan.
template <typename Control>
class RefreshingControl final : public reset::ClientControl {
  public:
    RefreshingControl(Control& control, std::function<Status()> refresh)
        : control_(control), refresh_(std::move(refresh)) {}
    [[nodiscard]] Status stop(const reset::Instance& instance) override { return control_.stop(instance); }
    [[nodiscard]] Status start(const reset::Instance& instance) override {
        if (Status refreshed = refresh_(); !refreshed) return refreshed;
        return control_.start(instance);
    }
    [[nodiscard]] Status run(const reset::Instance& instance, const std::vector<std::string>& command) override {
        return control_.run(instance, command);
    }

  private:
    Control& control_;
    std::function<Status()> refresh_;
};

class ComposeDriver final : public ServiceDriver {
  public:
    ComposeDriver(ComposeDriverInputs inputs, std::vector<reset::Instance> instances, PlanSource plan)
        : inputs_(std::move(inputs)),
          instances_(std::move(instances)),
          plan_(std::move(plan)),
          compose_(inputs_.target, {inputs_.data_dir / "testnet"}),
          control_(compose_, [this] { return install(); }) {}

    [[nodiscard]] std::string_view backend() const override { return "compose"; }
    [[nodiscard]] reset::ClientControl& control() override { return control_; }

    void ensure_running() override {
        const auto current = states();
        if (std::none_of(current.begin(), current.end(), [](const auto& s) { return needs_start(s.state); })) return;
        if (Status installed = install(); !installed) {
            spdlog::warn("the clients cannot start: {}", installed.error().message);
            return;
        }
        if (Status up = compose_.up(); !up) spdlog::error("docker compose up failed: {}", up.error().message);
    }

    [[nodiscard]] Status restart(const reset::Instance& instance) override {
        return compose_.restart(instance.service);
    }
    [[nodiscard]] std::vector<DriverServiceState> states() override {
        return tool_states(compose_.states(), instances_);
    }
    void on_daemon_exit() override {}

  private:
    Status install() {
        auto planned = plan_();
        if (!planned) return planned.error();
        auto release_dir = inputs_.release_dir();
        if (!release_dir) return release_dir.error();
        auto file = install_compose_file(
            *planned, {.release_dir = *release_dir, .jwt_file = inputs_.jwt_file, .keys_dir = {}, .user = {}},
            inputs_.data_dir);
        if (!file) return file.error();
        return {};
    }

    ComposeDriverInputs inputs_;
    std::vector<reset::Instance> instances_;
    PlanSource plan_;
    ComposeControl compose_;
    RefreshingControl<ComposeControl> control_;
};

class SystemdDriver final : public ServiceDriver {
  public:
    SystemdDriver(SystemdTarget target, fs::path units_dir, std::vector<reset::Instance> instances, PlanSource plan)
        : units_dir_(std::move(units_dir)),
          instances_(std::move(instances)),
          plan_(std::move(plan)),
          scope_(target.scope),
          systemd_(std::move(target)),
          control_(systemd_, [this] { return install(); }) {}

    [[nodiscard]] std::string_view backend() const override { return "systemd"; }
    [[nodiscard]] reset::ClientControl& control() override { return control_; }

    void ensure_running() override {
        const auto current = states();
        bool installed = false;
        for (std::size_t i = 0; i < instances_.size(); ++i) {
            if (!needs_start(current[i].state)) continue;
            if (!installed) {
                if (Status done = install(); !done) {
                    spdlog::warn("the clients cannot start: {}", done.error().message);
                    return;
                }
                installed = true;
            }
            if (Status started = systemd_.start(instances_[i]); !started) {
                spdlog::error("{} did not start: {}", instances_[i].service, started.error().message);
            }
        }
    }

    [[nodiscard]] Status restart(const reset::Instance& instance) override {
        return systemd_.restart(instance.service);
    }
    [[nodiscard]] std::vector<DriverServiceState> states() override {
        std::vector<std::string> services;
        services.reserve(instances_.size());
        for (const auto& instance : instances_) services.push_back(instance.service);
        return tool_states(systemd_.states(services), instances_);
    }
    void on_daemon_exit() override {}

  private:
    Status install() {
        auto planned = plan_();
        if (!planned) return planned.error();
        auto units = install_systemd_units(*planned, {.user = {}, .group = {}, .scope = scope_}, units_dir_);
        if (!units) return units.error();
        return systemd_.daemon_reload();
    }

    fs::path units_dir_;
    std::vector<reset::Instance> instances_;
    PlanSource plan_;
    node::SystemdScope scope_;
    SystemdControl systemd_;
    RefreshingControl<SystemdControl> control_;
};

}  // namespace

std::unique_ptr<ServiceDriver> make_native_driver(runtime::Supervisor supervisor,
                                                  std::vector<reset::Instance> instances, PlanSource plan) {
    return std::make_unique<NativeDriver>(std::move(supervisor), std::move(instances), std::move(plan));
}

std::unique_ptr<ServiceDriver> make_compose_driver(ComposeDriverInputs inputs, std::vector<reset::Instance> instances,
                                                   PlanSource plan) {
    return std::make_unique<ComposeDriver>(std::move(inputs), std::move(instances), std::move(plan));
}

std::unique_ptr<ServiceDriver> make_systemd_driver(SystemdTarget target, fs::path units_dir,
                                                   std::vector<reset::Instance> instances, PlanSource plan) {
    return std::make_unique<SystemdDriver>(std::move(target), std::move(units_dir), std::move(instances),
                                           std::move(plan));
}

}  // namespace ephemery::daemon
