#pragma once

#include "core/result.hpp"
#include "node/plan.hpp"
#include "runtime/launch.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The native backend: ephemery runs the client processes itself, restarts them when they crash, stops them with
// a signal ladder, keeps their output in size-rotated files, and leaves none running when it dies.
namespace ephemery::runtime {

struct SupervisorSettings {
    std::filesystem::path log_dir;                                 // <log_dir>/<service>.log; created when missing
    std::uint64_t log_max_bytes{std::uint64_t{50} * 1024 * 1024};  // rotate beyond this; 0: never
    int log_files_kept{5};                                         // <service>.log.1 ... .N; older are dropped

    // Restarts after a crash wait initial, initial*factor, ... up to max. A process that stayed up for
    // backoff_reset_after starts again from initial when it next crashes.
    std::chrono::milliseconds backoff_initial{std::chrono::seconds(1)};
    std::chrono::milliseconds backoff_max{std::chrono::seconds(60)};
    double backoff_factor{2.0};
    std::chrono::milliseconds backoff_reset_after{std::chrono::seconds(60)};
    // crash_loop_limit crashes within crash_loop_window: state crash_loop, no more restarts until started by hand.
    int crash_loop_limit{5};
    std::chrono::milliseconds crash_loop_window{std::chrono::seconds(300)};
    // A started process counts as running (rather than starting) once it has stayed up this long.
    std::chrono::milliseconds started_after{std::chrono::seconds(1)};

    // The stop ladder, each signal to the whole process group: SIGINT, interrupt_timeout, SIGTERM,
    // terminate_timeout, SIGKILL; then up to kill_timeout for the kernel to finish the group.
    std::chrono::milliseconds interrupt_timeout{std::chrono::seconds(30)};
    std::chrono::milliseconds terminate_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds kill_timeout{std::chrono::seconds(5)};
    // When ephemery itself dies: the watchdog's wait between SIGTERM and SIGKILL to each client's group.
    std::chrono::milliseconds orphan_timeout{std::chrono::seconds(10)};
};

// A node plan's service as a native process: its program and rendered arguments, working in its data dir.
[[nodiscard]] ProcessSpec process_spec(const node::ServicePlan& service);

enum class ServiceState {
    stopped,   // not running and not going to: never started, stopped by hand
    starting,  // started less than started_after ago
    running,
    backing_off,  // crashed; restarts at next_restart_at
    crash_loop,   // crashed crash_loop_limit times within crash_loop_window; waits for a start by hand
    stopping,     // on the stop ladder
};

[[nodiscard]] std::string_view to_string(ServiceState state);

struct ServiceStatus {
    std::string name;
    ServiceState state{ServiceState::stopped};
    std::optional<pid_t> pid;  // while a process exists (also while it is being stopped)
    std::optional<std::chrono::system_clock::time_point> started_at;  // of the current or last process
    unsigned restarts{0};               // automatic restarts after crashes, since the supervisor was created
    unsigned recent_crashes{0};         // crashes within crash_loop_window, since the last start by hand
    std::optional<int> last_exit_code;  // of the last process that ended, when it exited
    std::optional<int> last_signal;     // of the last process that ended, when a signal ended it
    std::optional<std::chrono::system_clock::time_point> next_restart_at;  // while backing off
    std::string last_error;  // why the last start failed (program missing, ...); empty after a good start
};

// The backoff before the n-th consecutive restart (n >= 1): initial * factor^(n-1), at most max.
[[nodiscard]] std::chrono::milliseconds backoff_delay(const SupervisorSettings& settings, unsigned consecutive_crashes);

// Runs and supervises processes. Each runs in its own process group, with stdin from /dev/null and stdout and
// stderr into one pipe that the supervisor copies to the service's rotating log. One background thread reaps
// the processes, copies their output, climbs stop ladders and schedules restarts; every method is thread-safe.
// Never a shell: programs run with their argument vector. A moved-from Supervisor may only be destroyed.
class Supervisor {
  public:
    // Checks the specs (unique names usable as file names, a program each), creates log_dir and opens every log,
    // so a bad directory fails here rather than at the first start. Starts nothing.
    [[nodiscard]] static Result<Supervisor> create(SupervisorSettings settings, std::vector<ProcessSpec> services);

    Supervisor(Supervisor&&) noexcept;
    Supervisor& operator=(Supervisor&&) noexcept;
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;
    ~Supervisor();  // stop_all(), then ends the thread

    // Starts every service in the order given; stops at the first that cannot be started and returns its error.
    [[nodiscard]] Status start_all();
    // Starts a service that is not running (also out of backing_off or crash_loop, which clears the crash
    // history); succeeds at once for one that runs. Waits for a stop in progress to end first. Fails when the
    // program cannot be started (not found: Errc::not_found).
    [[nodiscard]] Status start(std::string_view name);
    // Starts the service spec.name with this spec, which replaces its current one (a new release brings new
    // arguments). A service that runs keeps its process and its current spec.
    [[nodiscard]] Status start(const ProcessSpec& spec);
    // Climbs the stop ladder and waits until the whole process group has ended. Stopping is not a crash: the
    // service stays stopped. Succeeds at once for a service that is not running (cancelling a pending restart).
    [[nodiscard]] Status stop(std::string_view name);
    // stop, then start (by hand: the crash history is cleared).
    [[nodiscard]] Status restart(std::string_view name);
    // Stops every service, in the reverse order; all are stopped even when one fails, whose error is returned.
    [[nodiscard]] Status stop_all();

    [[nodiscard]] std::vector<ServiceStatus> status() const;
    [[nodiscard]] Result<ServiceStatus> status(std::string_view name) const;

  private:
    class Engine;
    explicit Supervisor(std::unique_ptr<Engine> engine);
    std::unique_ptr<Engine> engine_;
};

}  // namespace ephemery::runtime
