#include "test_support/background_process.hpp"

#include "test_support/run_command.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace ephemery::test {
namespace {

int exit_code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Binds `port` (0: any) on 127.0.0.1 with the given socket type; returns the bound port, or 0 on failure.
std::uint16_t bind_loopback(int type, std::uint16_t port) {
    const int socket_fd = ::socket(AF_INET, type, 0);
    if (socket_fd < 0) return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    socklen_t length = sizeof(address);
    std::uint16_t bound = 0;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API takes sockaddr*
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (::bind(socket_fd, generic, sizeof(address)) == 0 && ::getsockname(socket_fd, generic, &length) == 0) {
        bound = ntohs(address.sin_port);
    }
    ::close(socket_fd);
    return bound;
}

}  // namespace

BackgroundProcess::BackgroundProcess(BackgroundProcessOptions options) : options_(std::move(options)) {
    if (options_.argv.empty()) throw std::invalid_argument("BackgroundProcess needs a program");
    const SpawnArguments arguments(options_.argv, options_.env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, options_.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addchdir_np(&actions, options_.working_directory.c_str());
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);  // its own group, led by itself: pid == process group id

    const int spawn_error =
        ::posix_spawn(&pid_, options_.argv.front().c_str(), &actions, &attributes, arguments.argv(), arguments.envp());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawn_error != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + options_.argv.front() + ": posix_spawn error " +
                                 std::to_string(spawn_error));
    }
}

BackgroundProcess::~BackgroundProcess() {
    stop();
}

bool BackgroundProcess::reap_if_exited() {
    if (exit_code_) return true;
    if (pid_ <= 0) return false;
    siginfo_t info{};
    // WNOWAIT: look without reaping, so the group id stays reserved for the kill below.
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) {
        return false;
    }
    ::kill(-pid_, SIGKILL);  // children that outlived the leader
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
    }
    exit_code_ = exit_code_of(status);
    return true;
}

int BackgroundProcess::stop(std::chrono::milliseconds grace) {
    if (exit_code_) return *exit_code_;
    if (pid_ <= 0) return -1;
    if (!reap_if_exited()) {
        ::kill(-pid_, SIGTERM);
        if (!wait_until([this] { return reap_if_exited(); }, grace, std::chrono::milliseconds(50))) {
            ::kill(-pid_, SIGKILL);
            while (!reap_if_exited()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    return *exit_code_;
}

bool BackgroundProcess::running() {
    return !reap_if_exited();
}

std::optional<int> BackgroundProcess::exit_code() {
    reap_if_exited();
    return exit_code_;
}

std::string BackgroundProcess::log() const {
    std::ifstream stream(options_.log_file, std::ios::binary);
    std::ostringstream contents;
    contents << stream.rdbuf();
    return contents.str();
}

std::string BackgroundProcess::plain_log() const {
    static const std::regex colour_code("\x1b\\[[0-9;]*m");
    return std::regex_replace(log(), colour_code, "");
}

std::string BackgroundProcess::log_tail(std::size_t max_lines) const {
    const std::string text = plain_log();
    std::size_t start = text.size();
    for (std::size_t lines = 0; start > 0 && lines <= max_lines; --start) {
        if (text[start - 1] == '\n') ++lines;
    }
    return "\n--- " + options_.log_file.filename().string() + " (last lines) ---\n" + text.substr(start);
}

std::uint16_t free_loopback_port() {
    // Never hand out a port twice in one test process, even if the kernel offers it again.
    static std::mutex mutex;
    static std::set<std::uint16_t> handed_out;
    const std::scoped_lock lock(mutex);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::uint16_t port = bind_loopback(SOCK_STREAM, 0);
        if (port == 0 || handed_out.contains(port)) continue;
        if (bind_loopback(SOCK_DGRAM, port) != port) continue;  // p2p clients use the port for UDP as well
        handed_out.insert(port);
        return port;
    }
    throw std::runtime_error("no free loopback port after 100 attempts");
}

std::uint16_t free_loopback_port_block(std::uint16_t count) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::uint16_t first = free_loopback_port();
        if (first > 65535 - count) continue;
        bool all_free = true;
        for (std::uint16_t offset = 1; offset < count && all_free; ++offset) {
            const auto port = static_cast<std::uint16_t>(first + offset);
            all_free = bind_loopback(SOCK_STREAM, port) == port && bind_loopback(SOCK_DGRAM, port) == port;
        }
        if (all_free) return first;
    }
    throw std::runtime_error("no block of free loopback ports after 100 attempts");
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(interval);
    }
}

}  // namespace ephemery::test
