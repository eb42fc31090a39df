#include "runtime/watchdog.hpp"
#include "runtime/posix_helpers.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <limits>
#include <system_error>

namespace ephemery::runtime {

namespace {

constexpr int poll_interval_ms = 50;
constexpr int fallback_fd_limit = 65536;

void close_all_except(int keep, int highest_fd) noexcept {
    bool closed =
        keep == STDERR_FILENO + 1 || ::close_range(STDERR_FILENO + 1, static_cast<unsigned>(keep) - 1, 0) == 0;
    closed = closed && ::close_range(static_cast<unsigned>(keep) + 1, std::numeric_limits<unsigned>::max(), 0) == 0;
    if (closed) return;
    for (int fd = STDERR_FILENO + 1; fd <= highest_fd; ++fd) {  // kernels before 5.9 have no close_range
        if (fd != keep) ::close(fd);
    }
}

// The watchdog's whole life. It runs in a child forked from a multithreaded process: only the forking thread
// exists in it, and any lock another thread held (malloc's, the logger's, the supervisor's mutex) stays locked
// forever. So from fork to _exit it makes async-signal-safe calls only (sigaction, pthread_sigmask, setpgid,
// open, dup2, close, read, poll, kill, _exit): no allocation, no logging, no C++ library, no exit handlers.
// Everything it needs was computed by the parent before forking.
[[noreturn]] void watch(int lifeline, pid_t group, int grace_ms, int highest_fd) noexcept {
    // Handlers the parent installed would run the parent's code here; signals it blocked must reach us.
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    ::sigemptyset(&action.sa_mask);
    for (int signal_number = 1; signal_number < NSIG; ++signal_number)
        (void)::sigaction(signal_number, &action, nullptr);
    // A Ctrl-C or hang-up meant for ephemery must not end its watchdog: ephemery may stop its clients itself.
    action.sa_handler = SIG_IGN;
    for (const int ignored : {SIGINT, SIGQUIT, SIGHUP, SIGPIPE}) (void)::sigaction(ignored, &action, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    (void)::pthread_sigmask(SIG_SETMASK, &none, nullptr);
    // Its own group: outside the terminal's foreground group and outside the client's, whose stop ladder it
    // must survive.
    (void)::setpgid(0, 0);
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        (void)::dup2(null_fd, STDIN_FILENO);
        (void)::dup2(null_fd, STDOUT_FILENO);
        (void)::dup2(null_fd, STDERR_FILENO);
    }
    // Copies of the other watchdogs' supervisor ends would delay their end of file; sockets and files of
    // ephemery's (a listening port) must not outlive it here.
    close_all_except(lifeline, highest_fd);

    char byte = 0;
    for (;;) {
        const ssize_t got = ::read(lifeline, &byte, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got == 1) ::_exit(0);  // released: the supervisor dealt with the client
        break;                     // end of file: every copy of the supervisor's end is gone
    }
    (void)::kill(-group, SIGTERM);
    for (int waited = 0; waited < grace_ms; waited += poll_interval_ms) {
        (void)::poll(nullptr, 0, poll_interval_ms);
        if (::kill(-group, 0) != 0 && errno == ESRCH) ::_exit(0);
    }
    (void)::kill(-group, SIGKILL);
    ::_exit(0);
}

}  // namespace

Result<Watchdog> start_watchdog(pid_t group, std::chrono::milliseconds grace) {
    std::array<int, 2> ends{-1, -1};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends.data()) != 0) {
        return make_error(Errc::io_error, fmt::format("cannot create the watchdog's socket pair: {}",
                                                      std::generic_category().message(errno)));
    }
    ends[1] = above_standard_descriptors(ends[1]);
    if (ends[1] < 0) {
        const int error_number = errno;
        ::close(ends[0]);
        return make_error(Errc::io_error, fmt::format("cannot move the watchdog's socket: {}",
                                                      std::generic_category().message(error_number)));
    }
    rlimit limit{};
    int highest_fd = fallback_fd_limit;
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        limit.rlim_cur < static_cast<rlim_t>(fallback_fd_limit)) {
        highest_fd = static_cast<int>(limit.rlim_cur);
    }
    const auto grace_ms = static_cast<int>(
        std::min<std::chrono::milliseconds::rep>(grace.count(), std::numeric_limits<int>::max() - poll_interval_ms));

    const pid_t pid = ::fork();
    if (pid == 0) watch(ends[1], group, grace_ms, highest_fd);
    const int fork_error = errno;
    ::close(ends[1]);
    if (pid < 0) {
        ::close(ends[0]);
        return make_error(Errc::io_error, fmt::format("cannot fork the watchdog of process group {}: {}", group,
                                                      std::generic_category().message(fork_error)));
    }
    return Watchdog{.pid = pid, .lifeline = ends[0]};
}

void release_watchdog(Watchdog& watchdog) {
    if (watchdog.lifeline < 0) return;
    const char byte = 'x';
    // A socket rather than a pipe: MSG_NOSIGNAL, so a watchdog that died already cannot SIGPIPE ephemery.
    (void)::send(watchdog.lifeline, &byte, 1, MSG_NOSIGNAL);
    ::close(watchdog.lifeline);
    watchdog.lifeline = -1;
}

void abandon_watchdog(Watchdog& watchdog) {
    if (watchdog.lifeline < 0) return;
    ::close(watchdog.lifeline);
    watchdog.lifeline = -1;
}

}  // namespace ephemery::runtime
