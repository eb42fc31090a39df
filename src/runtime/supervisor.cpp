#include "runtime/supervisor.hpp"
#include "runtime/posix_helpers.hpp"

#include "core/text.hpp"
#include "runtime/log_file.hpp"
#include "runtime/process_group.hpp"
#include "runtime/watchdog.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace ephemery::runtime {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds drain_poll_interval{20};     // while a group empties after its leader has exited
constexpr milliseconds fallback_poll_interval{50};  // for a process without a pidfd (kernels before 5.3)
constexpr milliseconds longest_poll{60'000};
constexpr std::size_t read_chunk = std::size_t{64} * 1024;
constexpr std::size_t output_per_turn = std::size_t{1024} * 1024;        // so one chatty client cannot starve
constexpr std::size_t output_after_end = std::size_t{16} * 1024 * 1024;  // what is left in the pipe at the end

std::string describe_end(std::optional<int> exit_code, std::optional<int> signal_number) {
    if (exit_code) return fmt::format("exited with code {}", *exit_code);
    if (signal_number) {
        const char* abbreviation = ::sigabbrev_np(*signal_number);
        return fmt::format("ended by signal {} (SIG{})", *signal_number, abbreviation != nullptr ? abbreviation : "?");
    }
    return "ended (exit status unknown)";
}

// A descriptor that becomes readable when the process exits (close-on-exec by itself); -1 before Linux 5.3, and
// then the process is polled. Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
int open_pidfd(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U));
}

enum class Ladder { none, interrupt, terminate, kill };

struct Service {
    Service(ProcessSpec process, LogFile log_file) : spec(std::move(process)), log(std::move(log_file)) {}

    ProcessSpec spec;
    LogFile log;
    ServiceState state{ServiceState::stopped};
    bool stop_requested{false};  // an exit now is a stop, not a crash

    // The current process, while pid > 0.
    pid_t pid{-1};
    int output_fd{-1};  // read end of the pipe holding stdout and stderr
    int pidfd{-1};      // readable once the leader has exited; -1 without pidfd support
    Watchdog watchdog;
    bool leader_exited{false};  // seen with WNOWAIT: a zombie that keeps the group id ours until reaped
    bool leader_reaped{false};  // by someone else (a waitpid(-1) elsewhere in the program)
    Ladder ladder{Ladder::none};
    Clock::time_point ladder_deadline;
    std::uint64_t generation{0};  // counts processes started, so a waiting stop knows its process ended
    Clock::time_point started;
    std::optional<std::chrono::system_clock::time_point> started_at;

    unsigned restarts{0};
    unsigned consecutive_crashes{0};
    std::deque<Clock::time_point> crash_times;  // within crash_loop_window
    std::optional<int> last_exit_code;
    std::optional<int> last_signal;
    Clock::time_point next_restart;
    std::string last_error;
    bool log_failing{false};  // warn once per failing stretch, not per write
};

Status check_settings(const SupervisorSettings& settings) {
    if (settings.log_dir.empty()) return make_error(Errc::invalid_argument, "the supervisor needs a log directory");
    if (settings.log_files_kept < 0) return make_error(Errc::invalid_argument, "log_files_kept must be 0 or more");
    if (settings.crash_loop_limit < 1) return make_error(Errc::invalid_argument, "crash_loop_limit must be 1 or more");
    if (std::isnan(settings.backoff_factor) || settings.backoff_factor < 1.0) {
        return make_error(Errc::invalid_argument,
                          fmt::format("backoff_factor must be 1 or more, not {}", settings.backoff_factor));
    }
    const std::array<std::pair<std::string_view, milliseconds>, 9> durations{{
        {"backoff_initial", settings.backoff_initial},
        {"backoff_max", settings.backoff_max},
        {"backoff_reset_after", settings.backoff_reset_after},
        {"crash_loop_window", settings.crash_loop_window},
        {"started_after", settings.started_after},
        {"interrupt_timeout", settings.interrupt_timeout},
        {"terminate_timeout", settings.terminate_timeout},
        {"kill_timeout", settings.kill_timeout},
        {"orphan_timeout", settings.orphan_timeout},
    }};
    for (const auto& [name, duration] : durations) {
        if (duration.count() < 0) {
            return make_error(Errc::invalid_argument, fmt::format("{} must not be negative", name));
        }
    }
    return {};
}

Status check_spec(const ProcessSpec& spec) {
    if (spec.name.empty() || spec.name == "." || spec.name == ".." || spec.name.find('/') != std::string::npos ||
        spec.name.find('\0') != std::string::npos) {
        return make_error(Errc::invalid_argument,
                          fmt::format("\"{}\" cannot name a service: it names its log file, so it must be a file "
                                      "name (not empty, no '/')",
                                      spec.name));
    }
    if (spec.program.empty()) {
        return make_error(Errc::invalid_argument, fmt::format("service {} has no program to run", spec.name));
    }
    return {};
}

ServiceStatus status_of(const Service& service) {
    ServiceStatus status;
    status.name = service.spec.name;
    status.state = service.state;
    if (service.pid > 0) status.pid = service.pid;
    status.started_at = service.started_at;
    status.restarts = service.restarts;
    status.recent_crashes = static_cast<unsigned>(service.crash_times.size());
    status.last_exit_code = service.last_exit_code;
    status.last_signal = service.last_signal;
    if (service.state == ServiceState::backing_off) {
        status.next_restart_at =
            std::chrono::system_clock::now() +
            std::chrono::duration_cast<std::chrono::system_clock::duration>(service.next_restart - Clock::now());
    }
    status.last_error = service.last_error;
    return status;
}

// One rung of the stop ladder: the signal to the whole group, and when to climb to the next.
void climb(Service& service, int signal_number, Ladder step, milliseconds timeout, Clock::time_point now) {
    if (::kill(-service.pid, signal_number) != 0 && errno != ESRCH) {
        spdlog::warn("{}: cannot signal process group {}: {}", service.spec.name, service.pid, error_text(errno));
    }
    // A stopped process (SIGSTOP, a debugger's detach, ^Z) holds the signal pending until it runs again: continue the
    // group so that it acts on it now instead of costing the whole rung. Harmless to a running process.
    if (signal_number != SIGKILL) (void)::kill(-service.pid, SIGCONT);
    service.ladder = step;
    service.ladder_deadline = now + timeout;
}

// Warns once when writing a log starts failing (disk full), not at every write, and says when it works again.
void note_log_result(Service& service, const Status& written) {
    if (!written && !service.log_failing) {
        spdlog::warn("{}: {}", service.spec.name, written.error().message);
    } else if (written && service.log_failing) {
        spdlog::info("{}: writing {} again", service.spec.name, service.log.path().string());
    }
    service.log_failing = !written;
}

void write_log(Service& service, std::string_view bytes) {
    note_log_result(service, service.log.write(bytes));
}

}  // namespace

ProcessSpec process_spec(const node::ServicePlan& service) {
    // Natively the clients see this machine's paths; relative paths in their arguments resolve in the data dir.
    return ProcessSpec{.name = service.name,
                       .program = service.program,
                       .arguments = service.arguments,
                       .working_directory = service.host_data_dir,
                       .environment = {}};
}

std::string_view to_string(ServiceState state) {
    switch (state) {
        case ServiceState::stopped: return "stopped";
        case ServiceState::starting: return "starting";
        case ServiceState::running: return "running";
        case ServiceState::backing_off: return "backing_off";
        case ServiceState::crash_loop: return "crash_loop";
        case ServiceState::stopping: return "stopping";
    }
    return "unknown";
}

milliseconds backoff_delay(const SupervisorSettings& settings, unsigned consecutive_crashes) {
    const double exponent = consecutive_crashes > 1 ? static_cast<double>(consecutive_crashes - 1) : 0.0;
    const double delay =
        static_cast<double>(settings.backoff_initial.count()) * std::pow(settings.backoff_factor, exponent);
    const auto longest = static_cast<double>(settings.backoff_max.count());
    if (delay >= longest) return settings.backoff_max;  // also when the power overflowed to infinity
    return milliseconds(static_cast<milliseconds::rep>(delay));
}

class Supervisor::Engine {
  public:
    Engine(SupervisorSettings settings, std::vector<Service> services, int wake_read, int wake_write)
        : settings_(std::move(settings)),
          services_(std::move(services)),
          wake_read_(wake_read),
          wake_write_(wake_write),
          buffer_(read_chunk) {}
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    Engine(Engine&&) = delete;
    Engine& operator=(Engine&&) = delete;
    ~Engine();

    void begin() {
        thread_ = std::thread([this] { run(); });
    }

    // replacement: the spec to start with from now on (same name), or nullptr to keep the current one.
    Status start(std::string_view name, const ProcessSpec* replacement);
    Status stop(std::string_view name);
    [[nodiscard]] const std::vector<Service>& services() const { return services_; }
    std::vector<ServiceStatus> status() const;
    Result<ServiceStatus> status(std::string_view name) const;

  private:
    Result<std::size_t> index_of(std::string_view name) const;
    milliseconds stop_wait_limit() const {
        return settings_.interrupt_timeout + settings_.terminate_timeout + settings_.kill_timeout +
               std::chrono::seconds(2);
    }

    // With mutex_ held:
    Status spawn(Service& service, Clock::time_point now);
    void supervise(Service& service, Clock::time_point now);
    void finish(Service& service, Clock::time_point now);
    void on_crash(Service& service, Clock::time_point now, const std::string& what);
    void restart_after_crash(Service& service, Clock::time_point now);
    void pump_output(Service& service, std::size_t limit);
    void reap_watchdogs();
    int poll_timeout(Clock::time_point now) const;
    void step(Clock::time_point now);

    void run();
    void wake() const;

    SupervisorSettings settings_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;  // after every turn of the loop
    std::vector<Service> services_;    // never resized: references stay valid
    std::vector<pid_t> pending_watchdogs_;
    int wake_read_{-1};
    int wake_write_{-1};
    bool quitting_{false};
    std::vector<char> buffer_;
    std::thread thread_;
};

Supervisor::Engine::~Engine() {
    for (std::size_t index = services_.size(); index-- > 0;) (void)stop(services_[index].spec.name);
    {
        const std::scoped_lock lock(mutex_);
        quitting_ = true;
    }
    wake();
    if (thread_.joinable()) thread_.join();
    // A process that would not stop (stuck in the kernel): its watchdog takes over once we let go.
    for (Service& service : services_) {
        if (service.pid > 0) {
            ::kill(-service.pid, SIGKILL);
            abandon_watchdog(service.watchdog);
            pending_watchdogs_.push_back(service.watchdog.pid);
        }
        if (service.output_fd >= 0) ::close(service.output_fd);
        if (service.pidfd >= 0) ::close(service.pidfd);
    }
    // Released watchdogs exit at once; give them a moment to be reaped rather than leave zombies behind.
    for (int attempt = 0; attempt < 50 && !pending_watchdogs_.empty(); ++attempt) {
        reap_watchdogs();
        if (!pending_watchdogs_.empty()) std::this_thread::sleep_for(milliseconds(10));
    }
    ::close(wake_read_);
    ::close(wake_write_);
}

Result<std::size_t> Supervisor::Engine::index_of(std::string_view name) const {
    for (std::size_t index = 0; index < services_.size(); ++index) {
        if (services_[index].spec.name == name) return index;
    }
    std::vector<std::string> names;
    names.reserve(services_.size());
    for (const Service& service : services_) names.push_back(service.spec.name);
    const auto suggestion = closest_match(name, names);
    return make_error(Errc::not_found, fmt::format("no service named {}{}; the services are {}", name,
                                                   suggestion ? fmt::format(" (did you mean {}?)", *suggestion) : "",
                                                   join(names, ", ")));
}

std::vector<ServiceStatus> Supervisor::Engine::status() const {
    const std::scoped_lock lock(mutex_);
    std::vector<ServiceStatus> result;
    result.reserve(services_.size());
    for (const Service& service : services_) result.push_back(status_of(service));
    return result;
}

Result<ServiceStatus> Supervisor::Engine::status(std::string_view name) const {
    const std::scoped_lock lock(mutex_);
    const auto index = index_of(name);
    if (!index) return index.error();
    return status_of(services_[*index]);
}

Status Supervisor::Engine::start(std::string_view name, const ProcessSpec* replacement) {
    if (replacement != nullptr) {
        if (replacement->name != name) {
            return make_error(Errc::invalid_argument,
                              fmt::format("the spec for {} is named {}", name, replacement->name));
        }
        if (Status valid = check_spec(*replacement); !valid) return valid;
    }
    std::unique_lock lock(mutex_);
    const auto index = index_of(name);
    if (!index) return index.error();
    Service& service = services_[*index];
    if (!changed_.wait_for(lock, stop_wait_limit(), [&] { return service.state != ServiceState::stopping; })) {
        return make_error(Errc::io_error,
                          fmt::format("cannot start {}: its previous process (pid {}) has not stopped yet",
                                      service.spec.name, service.pid));
    }
    if (service.pid > 0) {  // starting or running (or its crash being handled, then restarted)
        if (replacement != nullptr &&
            (replacement->program != service.spec.program || replacement->arguments != service.spec.arguments)) {
            spdlog::info("{}: keeps its current command line until it is restarted", service.spec.name);
        }
        return {};
    }
    if (replacement != nullptr) service.spec = *replacement;
    // A start by hand: whatever crashed before gets a fresh crash history.
    service.consecutive_crashes = 0;
    service.crash_times.clear();
    Status started = spawn(service, Clock::now());
    if (!started) {
        service.state = ServiceState::stopped;
        service.last_error = started.error().message;
    }
    changed_.notify_all();
    return started;
}

Status Supervisor::Engine::stop(std::string_view name) {
    std::unique_lock lock(mutex_);
    const auto index = index_of(name);
    if (!index) return index.error();
    Service& service = services_[*index];
    service.stop_requested = true;
    if (service.pid <= 0) {
        if (service.state != ServiceState::stopped) {
            spdlog::info("{}: stopped ({} until now)", service.spec.name, to_string(service.state));
            service.state = ServiceState::stopped;
            changed_.notify_all();
        }
        return {};
    }
    const std::uint64_t generation = service.generation;
    const pid_t pid = service.pid;
    if (service.state != ServiceState::stopping) {
        service.state = ServiceState::stopping;
        spdlog::info("{}: stopping (pid {})", service.spec.name, pid);
        // A group already being ended (its leader crashed and left children) keeps climbing where it is.
        if (service.ladder == Ladder::none) {
            climb(service, SIGINT, Ladder::interrupt, settings_.interrupt_timeout, Clock::now());
        }
        wake();
    }
    const bool ended = changed_.wait_for(lock, stop_wait_limit(),
                                         [&] { return service.pid <= 0 || service.generation != generation; });
    if (!ended) {
        return make_error(Errc::io_error,
                          fmt::format("{} (process group {}) has not ended {} ms after it was asked to stop; it is "
                                      "still being killed",
                                      service.spec.name, pid, stop_wait_limit().count()));
    }
    return {};
}

Status Supervisor::Engine::spawn(Service& service, Clock::time_point now) {
    auto launched = launch(service.spec, settings_.orphan_timeout);
    if (!launched) return launched.error();
    const pid_t pid = launched->pid;
    service.output_fd = launched->output_fd;
    service.watchdog = launched->watchdog;
    service.pid = pid;
    service.pidfd = open_pidfd(pid);
    service.leader_exited = false;
    service.leader_reaped = false;
    service.ladder = Ladder::none;
    service.stop_requested = false;
    service.generation += 1;
    service.started = now;
    service.started_at = std::chrono::system_clock::now();
    service.state = ServiceState::starting;
    service.last_error.clear();
    spdlog::info("{}: started {} (pid {})", service.spec.name, service.spec.program, pid);
    wake();
    return {};
}

void Supervisor::Engine::supervise(Service& service, Clock::time_point now) {
    if (!service.leader_exited) {
        siginfo_t info{};
        // WNOWAIT: look without reaping, so that the group id stays reserved while its members are ended.
        const int waited = ::waitid(P_PID, static_cast<id_t>(service.pid), &info, WEXITED | WNOHANG | WNOWAIT);
        if (waited == 0 && info.si_pid == service.pid) {
            service.leader_exited = true;
        } else if (waited != 0 && errno == ECHILD) {
            service.leader_exited = true;
            service.leader_reaped = true;
        }
    }
    if (service.ladder == Ladder::interrupt && now >= service.ladder_deadline) {
        spdlog::warn("{}: still running {} ms after SIGINT; sending SIGTERM", service.spec.name,
                     settings_.interrupt_timeout.count());
        climb(service, SIGTERM, Ladder::terminate, settings_.terminate_timeout, now);
    } else if (service.ladder == Ladder::terminate && now >= service.ladder_deadline) {
        spdlog::warn("{}: still running {} ms after SIGTERM; sending SIGKILL", service.spec.name,
                     settings_.terminate_timeout.count());
        climb(service, SIGKILL, Ladder::kill, settings_.kill_timeout, now);
    }
    if (!service.leader_exited) return;
    const bool members_left = group_has_live_members(service.pid, service.pid);
    if (!members_left || (service.ladder == Ladder::kill && now >= service.ladder_deadline)) {
        finish(service, now);
    } else if (service.ladder == Ladder::none) {
        spdlog::warn("{}: pid {} ended but left processes in its group; sending them SIGTERM", service.spec.name,
                     service.pid);
        climb(service, SIGTERM, Ladder::terminate, settings_.terminate_timeout, now);
    }
}

void Supervisor::Engine::finish(Service& service, Clock::time_point now) {
    const pid_t pid = service.pid;
    std::optional<int> exit_code;
    std::optional<int> signal_number;
    if (!service.leader_reaped) {
        // The unreaped leader keeps its pid naming our group, so this reaches only what is left of the client
        // (processes the /proc scan could not see); then the watchdog is released before the id is given up.
        ::kill(-pid, SIGKILL);
        release_watchdog(service.watchdog);
        int wait_status = 0;
        pid_t waited = -1;
        do {
            waited = ::waitpid(pid, &wait_status, 0);
        } while (waited < 0 && errno == EINTR);
        if (waited == pid && WIFEXITED(wait_status)) exit_code = WEXITSTATUS(wait_status);
        if (waited == pid && WIFSIGNALED(wait_status)) signal_number = WTERMSIG(wait_status);
    } else {
        release_watchdog(service.watchdog);
    }
    pending_watchdogs_.push_back(service.watchdog.pid);
    service.watchdog = {};
    // What the client wrote last, then let go of the pipe even if an escaped descendant still holds it.
    pump_output(service, output_after_end);
    if (service.output_fd >= 0) {
        ::close(service.output_fd);
        service.output_fd = -1;
    }
    if (service.pidfd >= 0) {
        ::close(service.pidfd);
        service.pidfd = -1;
    }
    service.pid = -1;
    service.leader_exited = false;
    service.leader_reaped = false;
    service.ladder = Ladder::none;
    service.last_exit_code = exit_code;
    service.last_signal = signal_number;
    const std::string what = fmt::format("pid {} {}", pid, describe_end(exit_code, signal_number));
    if (service.stop_requested) {
        service.state = ServiceState::stopped;
        spdlog::info("{}: stopped ({})", service.spec.name, what);
        return;
    }
    on_crash(service, now, what);
}

void Supervisor::Engine::on_crash(Service& service, Clock::time_point now, const std::string& what) {
    if (now - service.started >= settings_.backoff_reset_after) service.consecutive_crashes = 0;
    service.consecutive_crashes += 1;
    service.crash_times.push_back(now);
    while (!service.crash_times.empty() && now - service.crash_times.front() > settings_.crash_loop_window) {
        service.crash_times.pop_front();
    }
    if (service.crash_times.size() >= static_cast<std::size_t>(settings_.crash_loop_limit)) {
        service.state = ServiceState::crash_loop;
        spdlog::error("{}: {}; {} crashes within {} s: not restarting it until it is started by hand (crash loop)",
                      service.spec.name, what, service.crash_times.size(),
                      std::chrono::duration_cast<std::chrono::seconds>(settings_.crash_loop_window).count());
        return;
    }
    const milliseconds delay = backoff_delay(settings_, service.consecutive_crashes);
    service.next_restart = now + delay;
    service.state = ServiceState::backing_off;
    spdlog::warn("{}: {}; restarting it in {} ms", service.spec.name, what, delay.count());
}

void Supervisor::Engine::restart_after_crash(Service& service, Clock::time_point now) {
    service.restarts += 1;
    if (Status started = spawn(service, now); !started) {
        service.last_error = started.error().message;
        service.started = now;
        on_crash(service, now, started.error().message);
    }
}

void Supervisor::Engine::pump_output(Service& service, std::size_t limit) {
    std::size_t copied = 0;
    while (service.output_fd >= 0 && copied < limit) {
        const ssize_t length = ::read(service.output_fd, buffer_.data(), buffer_.size());
        if (length > 0) {
            const auto bytes = static_cast<std::size_t>(length);
            write_log(service, std::string_view(buffer_.data(), bytes));
            copied += bytes;
            continue;
        }
        if (length < 0 && errno == EINTR) continue;
        // Drained for now: the writer paused, so an unfinished line is all it has to say for the moment.
        if (length < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        ::close(service.output_fd);  // end of file: nobody holds the write end any more
        service.output_fd = -1;
    }
    note_log_result(service, service.log.flush());
}

void Supervisor::Engine::reap_watchdogs() {
    std::erase_if(pending_watchdogs_, [](pid_t pid) {
        int ignored = 0;
        const pid_t waited = ::waitpid(pid, &ignored, WNOHANG);
        return waited == pid || (waited < 0 && errno == ECHILD);
    });
}

int Supervisor::Engine::poll_timeout(Clock::time_point now) const {
    std::optional<Clock::time_point> wake_at;
    const auto consider = [&wake_at](Clock::time_point when) {
        if (!wake_at || when < *wake_at) wake_at = when;
    };
    if (!pending_watchdogs_.empty()) consider(now + drain_poll_interval);
    for (const Service& service : services_) {
        if (service.pid > 0) {
            if (service.ladder != Ladder::none) consider(service.ladder_deadline);
            if (service.leader_exited) {
                consider(now + drain_poll_interval);
            } else if (service.pidfd < 0) {
                consider(now + fallback_poll_interval);
            }
            if (service.state == ServiceState::starting) consider(service.started + settings_.started_after);
        } else if (service.state == ServiceState::backing_off) {
            consider(service.next_restart);
        }
    }
    if (!wake_at) return -1;
    if (*wake_at <= now) return 0;
    return static_cast<int>(std::min(std::chrono::ceil<milliseconds>(*wake_at - now), longest_poll).count());
}

void Supervisor::Engine::step(Clock::time_point now) {
    reap_watchdogs();
    for (Service& service : services_) {
        if (service.pid > 0) {
            pump_output(service, output_per_turn);
            supervise(service, now);
        }
        if (service.pid <= 0 && service.state == ServiceState::backing_off && now >= service.next_restart) {
            restart_after_crash(service, now);
        }
        if (service.pid > 0 && service.state == ServiceState::starting &&
            now >= service.started + settings_.started_after) {
            service.state = ServiceState::running;
        }
    }
}

void Supervisor::Engine::run() {
    std::unique_lock lock(mutex_);
    while (!quitting_) {
        std::vector<pollfd> watched{{.fd = wake_read_, .events = POLLIN, .revents = 0}};
        for (const Service& service : services_) {
            if (service.output_fd >= 0) watched.push_back({.fd = service.output_fd, .events = POLLIN, .revents = 0});
            // Once the leader has exited its pidfd stays readable; from then on the group is polled.
            if (service.pidfd >= 0 && !service.leader_exited) {
                watched.push_back({.fd = service.pidfd, .events = POLLIN, .revents = 0});
            }
        }
        const int timeout = poll_timeout(Clock::now());
        // Only this thread closes the descriptors polled here, so they stay valid while unlocked.
        lock.unlock();
        (void)::poll(watched.data(), watched.size(), timeout);
        lock.lock();
        std::array<char, 64> drained{};
        while (::read(wake_read_, drained.data(), drained.size()) > 0) {
        }
        step(Clock::now());
        changed_.notify_all();
    }
}

void Supervisor::Engine::wake() const {
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(wake_write_, &byte, 1);  // full: the loop wakes anyway
}

Result<Supervisor> Supervisor::create(SupervisorSettings settings, std::vector<ProcessSpec> services) {
    if (Status valid = check_settings(settings); !valid) return valid.error();
    std::vector<std::string> names;
    for (const ProcessSpec& spec : services) {
        if (Status valid = check_spec(spec); !valid) return valid.error();
        if (std::find(names.begin(), names.end(), spec.name) != names.end()) {
            return make_error(Errc::invalid_argument, fmt::format("two services are named {}", spec.name));
        }
        names.push_back(spec.name);
    }
    std::error_code error;
    fs::create_directories(settings.log_dir, error);
    if (error) {
        return make_error(Errc::io_error, fmt::format("cannot create the log directory {}: {}",
                                                      settings.log_dir.string(), error.message()));
    }
    std::vector<Service> prepared;
    prepared.reserve(services.size());
    for (ProcessSpec& spec : services) {
        auto log =
            LogFile::open(settings.log_dir / (spec.name + ".log"), settings.log_max_bytes, settings.log_files_kept);
        if (!log) return log.error();
        prepared.emplace_back(std::move(spec), std::move(log).value());
    }
    std::array<int, 2> wake_pipe{-1, -1};
    if (::pipe2(wake_pipe.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
        return make_error(Errc::io_error,
                          fmt::format("cannot create the supervisor's wake-up pipe: {}", error_text(errno)));
    }
    auto engine = std::make_unique<Engine>(std::move(settings), std::move(prepared), wake_pipe[0], wake_pipe[1]);
    engine->begin();
    return Supervisor(std::move(engine));
}

Supervisor::Supervisor(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
Supervisor::Supervisor(Supervisor&&) noexcept = default;
Supervisor& Supervisor::operator=(Supervisor&&) noexcept = default;
Supervisor::~Supervisor() = default;

Status Supervisor::start_all() {
    for (const Service& service : engine_->services()) {
        if (Status started = engine_->start(service.spec.name, nullptr); !started) return started;
    }
    return {};
}

Status Supervisor::start(std::string_view name) {
    return engine_->start(name, nullptr);
}

Status Supervisor::start(const ProcessSpec& spec) {
    return engine_->start(spec.name, &spec);
}

Status Supervisor::stop(std::string_view name) {
    return engine_->stop(name);
}

Status Supervisor::restart(std::string_view name) {
    if (Status stopped = engine_->stop(name); !stopped) return stopped;
    return engine_->start(name, nullptr);
}

Status Supervisor::stop_all() {
    Status first_failure;
    const auto& services = engine_->services();
    for (std::size_t index = services.size(); index-- > 0;) {
        Status stopped = engine_->stop(services[index].spec.name);
        if (!stopped && first_failure) first_failure = std::move(stopped);
    }
    return first_failure;
}

std::vector<ServiceStatus> Supervisor::status() const {
    return engine_->status();
}

Result<ServiceStatus> Supervisor::status(std::string_view name) const {
    return engine_->status(name);
}

}  // namespace ephemery::runtime
