#include "runtime/launch.hpp"
#include "runtime/posix_helpers.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <optional>
#include <system_error>
#include <utility>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere in a header

namespace ephemery::runtime {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view default_search_path = "/usr/local/bin:/usr/bin:/bin";

// What the child reports through the report pipe when it cannot become the program; nothing means it did.
enum class Step : int { standard_descriptors = 1, working_directory = 2, execute = 3 };
struct LaunchFailure {
    Step step{Step::execute};
    int error_number{0};
};

// Everything the child needs, prepared by the parent before forking.
struct ChildPlan {
    const char* program{nullptr};
    char* const* argv{nullptr};
    char* const* envp{nullptr};
    const char* working_directory{nullptr};  // nullptr: stay
    int gate{-1};                            // one byte here means go; end of file means the parent gave up
    int parent_gate{-1};                     // the parent's end: closed here, or the end of file could never come
    int output{-1};
    int report{-1};
};

[[noreturn]] void report_and_exit(int report, Step step) noexcept {
    const LaunchFailure failure{.step = step, .error_number = errno};
    [[maybe_unused]] const ssize_t written = ::write(report, &failure, sizeof(failure));
    ::_exit(127);
}

// The child between fork and exec. ephemery has other threads, and only the forking one exists here: any lock
// they held (malloc's, the logger's, the supervisor's mutex) stays locked forever. So until execve it makes
// async-signal-safe calls only (sigaction, pthread_sigmask, setpgid, read, open, dup2, close, chdir,
// close_range, execve, write, _exit), on data the parent prepared.
[[noreturn]] void become_program(const ChildPlan& plan) noexcept {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    ::sigemptyset(&action.sa_mask);
    for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
        (void)::sigaction(signal_number, &action, nullptr);
    }
    sigset_t none;
    ::sigemptyset(&none);
    (void)::pthread_sigmask(SIG_SETMASK, &none, nullptr);
    (void)::setpgid(0, 0);  // the parent does the same; whichever comes first, the group exists before go
    ::close(plan.parent_gate);

    char go = 0;
    ssize_t got = -1;
    do {
        got = ::read(plan.gate, &go, 1);
    } while (got < 0 && errno == EINTR);
    if (got != 1) ::_exit(127);  // the parent died or gave up before the watchdog existed: run nothing

    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(plan.output, STDOUT_FILENO) < 0 ||
        ::dup2(plan.output, STDERR_FILENO) < 0) {
        report_and_exit(plan.report, Step::standard_descriptors);
    }
    if (null_fd > STDERR_FILENO) ::close(null_fd);
    if (plan.working_directory != nullptr && ::chdir(plan.working_directory) != 0) {
        report_and_exit(plan.report, Step::working_directory);
    }
    // Descriptors other threads of ephemery opened without close-on-exec (a library's socket) stay with ephemery.
    (void)::close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execve(plan.program, plan.argv, plan.envp);
    report_and_exit(plan.report, Step::execute);
}

// Descriptors that close themselves, so every early return of launch() tidies up.
class Descriptor {
  public:
    Descriptor() = default;
    explicit Descriptor(int fd) : fd_(above_standard_descriptors(fd)) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    Descriptor(Descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Descriptor& operator=(Descriptor&& other) noexcept {
        reset();
        fd_ = std::exchange(other.fd_, -1);
        return *this;
    }
    ~Descriptor() { reset(); }
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_{-1};
};

// A pair of connected descriptors (close-on-exec, above 0-2): a pipe, or a socket pair where the parent must
// write without risking SIGPIPE.
Result<std::array<Descriptor, 2>> make_pair(bool socket, std::string_view what) {
    std::array<int, 2> fds{-1, -1};
    const int made =
        socket ? ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.data()) : ::pipe2(fds.data(), O_CLOEXEC);
    if (made != 0) return make_error(Errc::io_error, fmt::format("cannot create the {}: {}", what, error_text(errno)));
    std::array<Descriptor, 2> pair{Descriptor(fds[0]), Descriptor(fds[1])};
    if (pair[0].get() < 0 || pair[1].get() < 0) {
        return make_error(Errc::io_error, fmt::format("cannot create the {}: {}", what, error_text(errno)));
    }
    return pair;
}

std::string_view search_path_of_environment() {
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view item(*entry);
        if (item.starts_with("PATH=")) return item.substr(5);
    }
    return default_search_path;
}

// ephemery's environment with the additions replacing variables of the same name.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& additions) {
    std::vector<std::string> result;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view item(*entry);
        if (additions.contains(std::string(item.substr(0, item.find('='))))) continue;
        result.emplace_back(item);
    }
    for (const auto& [key, value] : additions) {
        std::string entry = key;
        entry += '=';
        entry += value;
        result.push_back(std::move(entry));
    }
    return result;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (std::string& text : strings) pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
}

void reap(pid_t pid) {
    int ignored = 0;
    while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

Result<fs::path> find_program(const std::string& program, std::string_view search_path) {
    if (program.find('/') != std::string::npos) return fs::path(program);
    while (true) {
        const std::size_t end = search_path.find(':');
        const std::string_view directory = search_path.substr(0, end);
        if (!directory.empty()) {
            fs::path candidate = fs::path(directory) / program;
            struct stat info {};
            if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
                ::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
        }
        if (end == std::string_view::npos) break;
        search_path.remove_prefix(end + 1);
    }
    return make_error(Errc::not_found, fmt::format("{}: no such program on the PATH; install it or configure its "
                                                   "binary as a full path",
                                                   program));
}

Result<LaunchedProcess> launch(const ProcessSpec& spec, std::chrono::milliseconds orphan_timeout) {
    const auto program = find_program(spec.program, search_path_of_environment());
    if (!program)
        return make_error(Errc::not_found, fmt::format("cannot start {}: {}", spec.name, program.error().message));
    if (!spec.working_directory.empty()) {
        std::error_code error;
        fs::create_directories(spec.working_directory, error);
        if (error) {
            return make_error(Errc::io_error, fmt::format("cannot create {}'s working directory {}: {}", spec.name,
                                                          spec.working_directory.string(), error.message()));
        }
    }
    std::vector<std::string> argv{spec.program};
    argv.insert(argv.end(), spec.arguments.begin(), spec.arguments.end());
    std::vector<std::string> environment = environment_with(spec.environment);
    const std::vector<char*> argv_pointers = pointers_to(argv);
    const std::vector<char*> environment_pointers = pointers_to(environment);

    auto output = make_pair(false, "output pipe");
    if (!output) return output.error();
    auto gate = make_pair(true, "start gate");
    if (!gate) return gate.error();
    auto report = make_pair(false, "start report pipe");
    if (!report) return report.error();
    const ChildPlan plan{.program = program->c_str(),
                         .argv = argv_pointers.data(),
                         .envp = environment_pointers.data(),
                         .working_directory = spec.working_directory.empty() ? nullptr : spec.working_directory.c_str(),
                         .gate = (*gate)[1].get(),
                         .parent_gate = (*gate)[0].get(),
                         .output = (*output)[1].get(),
                         .report = (*report)[1].get()};

    const pid_t pid = ::fork();
    if (pid == 0) become_program(plan);
    if (pid < 0)
        return make_error(Errc::io_error, fmt::format("cannot fork to start {}: {}", spec.name, error_text(errno)));
    (void)::setpgid(pid, pid);  // the child does the same; the watchdog must find the group in place
    (*output)[1].reset();
    (*gate)[1].reset();
    (*report)[1].reset();

    auto watchdog = start_watchdog(pid, orphan_timeout);
    if (!watchdog) {
        (*gate)[0].reset();  // end of file at the gate: the child exits without running anything
        reap(pid);
        return make_error(Errc::io_error, fmt::format("cannot start {}: {}", spec.name, watchdog.error().message));
    }
    const char go = 1;
    (void)::send((*gate)[0].get(), &go, 1, MSG_NOSIGNAL);
    (*gate)[0].reset();

    // End of file: execve succeeded and closed the report pipe. A record: the child failed and exits.
    LaunchFailure failure{};
    ssize_t got = -1;
    do {
        got = ::read((*report)[0].get(), &failure, sizeof(failure));
    } while (got < 0 && errno == EINTR);
    if (got > 0) {
        release_watchdog(*watchdog);
        reap(pid);
        // The watchdog exits at once on release; reap it here so that no zombie is left to the caller.
        reap(watchdog->pid);
        std::string what = fmt::format("cannot execute {}", program->string());
        if (failure.step == Step::working_directory) {
            what = fmt::format("cannot enter the working directory {}", spec.working_directory.string());
        } else if (failure.step == Step::standard_descriptors) {
            what = "cannot set up stdin, stdout and stderr";
        }
        return make_error(failure.error_number == ENOENT ? Errc::not_found : Errc::io_error,
                          fmt::format("cannot start {}: {}: {}", spec.name, what, error_text(failure.error_number)));
    }
    (void)::fcntl((*output)[0].get(), F_SETFL, O_NONBLOCK);
    return LaunchedProcess{.pid = pid, .output_fd = (*output)[0].release(), .watchdog = *watchdog};
}

}  // namespace ephemery::runtime
