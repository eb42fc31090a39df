#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ephemery::test {

struct BackgroundProcessOptions {
    std::vector<std::string> argv;           // argv[0] is the program's path; no shell, no PATH search
    std::map<std::string, std::string> env;  // exactly the child's environment
    std::filesystem::path working_directory;
    std::filesystem::path log_file;  // stdout and stderr are appended here
};

// A long-running program a test needs (a real client or server). It runs in its own process group, so stopping
// it also stops anything it started; the destructor stops it, so a failing assertion leaves nothing running.
class BackgroundProcess {
  public:
    explicit BackgroundProcess(BackgroundProcessOptions options);  // throws std::runtime_error if it cannot start
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;
    BackgroundProcess(BackgroundProcess&&) = delete;
    BackgroundProcess& operator=(BackgroundProcess&&) = delete;
    ~BackgroundProcess();

    // SIGTERM to the group; SIGKILL to whatever is left after `grace`. Returns the exit code (128 + signal when
    // killed by one). Idempotent.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(15));

    // True until the program has exited on its own or been stopped.
    [[nodiscard]] bool running();
    // The exit code once it has exited; nothing while it runs.
    [[nodiscard]] std::optional<int> exit_code();
    [[nodiscard]] std::string log() const;
    // The log without ANSI colour codes (Lodestar colours its output), for matching.
    [[nodiscard]] std::string plain_log() const;
    // The last lines of plain_log() under a header naming the log file: for failure messages.
    [[nodiscard]] std::string log_tail(std::size_t max_lines = 40) const;
    [[nodiscard]] const std::filesystem::path& log_file() const { return options_.log_file; }
    [[nodiscard]] pid_t pid() const { return pid_; }

  private:
    // Reaps the leader if it has exited, after killing what is left of its group; the unreaped leader keeps the
    // group id reserved, so the kill cannot reach an unrelated process.
    bool reap_if_exited();

    BackgroundProcessOptions options_;
    pid_t pid_{-1};
    std::optional<int> exit_code_;
};

// A loopback port that is free for both TCP and UDP right now (the kernel picks it when binding port 0). Another
// process could take it before the caller's program binds it; tests accept that small window.
[[nodiscard]] std::uint16_t free_loopback_port();

// The first of `count` consecutive loopback ports that are all free for TCP and UDP right now (same caveat).
[[nodiscard]] std::uint16_t free_loopback_port_block(std::uint16_t count);

// Calls `condition` every `interval` until it returns true (then true) or `timeout` has passed (then false).
[[nodiscard]] bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                              std::chrono::milliseconds interval = std::chrono::milliseconds(250));

}  // namespace ephemery::test
