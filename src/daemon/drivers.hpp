#pragma once

#include "core/result.hpp"
#include "daemon/tool_backend.hpp"
#include "node/plan.hpp"
#include "reset/engine.hpp"
#include "runtime/supervisor.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// How the daemon runs the clients: one driver per backend, all behind the same interface, so the reset loop,
// the API and the commands are the same whether ephemery supervises the processes itself or Docker Compose or
// systemd does.
namespace ephemery::daemon {

struct DriverServiceState {
    std::string name;
    std::string state;  // the supervisor's state names natively (running, backing_off, crash_loop...), the tool's
    std::optional<int> pid;
    std::optional<std::int64_t> uptime_seconds;
    unsigned restarts{0};
    unsigned recent_crashes{0};
    std::optional<int> last_exit_code;
    std::optional<int> last_signal;
    std::string last_error;  // why it is not running, or the tool's own words
};

class ServiceDriver {
  public:
    ServiceDriver() = default;
    ServiceDriver(const ServiceDriver&) = delete;
    ServiceDriver& operator=(const ServiceDriver&) = delete;
    ServiceDriver(ServiceDriver&&) = delete;
    ServiceDriver& operator=(ServiceDriver&&) = delete;
    virtual ~ServiceDriver() = default;

    [[nodiscard]] virtual std::string_view backend() const = 0;
    // The reset engine's stop, start and genesis-init commands. Every start re-plans from the active release.
    [[nodiscard]] virtual reset::ClientControl& control() = 0;
    // Starts what is stopped; leaves alone what runs or waits in a crash loop for a start by hand.
    virtual void ensure_running() = 0;
    [[nodiscard]] virtual Status restart(const reset::Instance& instance) = 0;
    [[nodiscard]] virtual std::vector<DriverServiceState> states() = 0;
    // The daemon ends: natively the clients end with it; containers and units keep running on their own.
    virtual void on_daemon_exit() = 0;
};

// The plan of the active release, made anew at each start (a reset brings new arguments).
using PlanSource = std::function<Result<node::NodePlan>()>;

struct ToolSettings {
    std::string docker{"docker"};
    std::string systemctl{"systemctl"};
    std::string journalctl{"journalctl"};
    SystemdScope systemd_scope{SystemdScope::system};
    std::filesystem::path systemd_units_dir;  // empty: systemd_units_dir(scope, $HOME)
};

[[nodiscard]] std::unique_ptr<ServiceDriver> make_native_driver(runtime::Supervisor supervisor,
                                                                std::vector<reset::Instance> instances,
                                                                PlanSource plan);

struct ComposeDriverInputs {
    ComposeTarget target;
    std::filesystem::path data_dir;
    std::filesystem::path jwt_file;
    std::function<Result<std::filesystem::path>()> release_dir;  // the active release on the host
};
[[nodiscard]] std::unique_ptr<ServiceDriver> make_compose_driver(ComposeDriverInputs inputs,
                                                                 std::vector<reset::Instance> instances,
                                                                 PlanSource plan);

[[nodiscard]] std::unique_ptr<ServiceDriver> make_systemd_driver(SystemdTarget target, std::filesystem::path units_dir,
                                                                 std::vector<reset::Instance> instances,
                                                                 PlanSource plan);

}  // namespace ephemery::daemon
