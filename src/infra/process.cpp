#include "infra/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <system_error>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere in a header

namespace ephemery::infra {

namespace {

namespace fs = std::filesystem;
constexpr std::size_t max_captured_output = std::size_t{64} * 1024;

class FileActions {
  public:
    FileActions() { ::posix_spawn_file_actions_init(&actions_); }
    ~FileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
    posix_spawn_file_actions_t* get() { return &actions_; }

  private:
    posix_spawn_file_actions_t actions_{};
};

// strerror's text, without strerror's shared buffer.
std::string error_text(int error_number) {
    return std::generic_category().message(error_number);
}

bool is_under(const std::string& path, const std::string& directory) {
    return path == directory || (path.size() > directory.size() && path.compare(0, directory.size(), directory) == 0 &&
                                 path[directory.size()] == '/');
}

std::string read_small_file(const fs::path& path) {
    std::array<char, 256> buffer{};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    const ssize_t length = ::read(fd, buffer.data(), buffer.size() - 1);
    ::close(fd);
    std::string text(buffer.data(), length > 0 ? static_cast<std::size_t>(length) : 0);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

}  // namespace

std::string last_lines(const std::string& output, std::size_t lines) {
    if (lines == 0) return {};
    // A final newline ends the last line; it does not start another one.
    std::size_t start = output.ends_with('\n') ? output.size() - 1 : output.size();
    while (start > 0) {
        const std::size_t newline = output.rfind('\n', start - 1);
        if (newline == std::string::npos) return output;
        if (--lines == 0) return output.substr(newline + 1);
        start = newline;
    }
    return output;
}

Result<ProcessOutcome> run_process(const std::vector<std::string>& argv) {
    if (argv.empty() || argv.front().empty()) return make_error(Errc::invalid_argument, "no program to run");
    std::array<int, 2> pipe_fds{-1, -1};
    if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
        return make_error(Errc::io_error, fmt::format("cannot create a pipe: {}", error_text(errno)));
    }
    FileActions actions;
    ::posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], STDERR_FILENO);
    std::vector<char*> pointers;
    pointers.reserve(argv.size() + 1);
    for (const std::string& argument : argv) pointers.push_back(const_cast<char*>(argument.c_str()));
    pointers.push_back(nullptr);
    // The daemon blocks its stop signals in every thread (one thread takes them with sigwait); a child must
    // start with none blocked and default dispositions, or it could not be interrupted.
    posix_spawnattr_t attributes{};
    ::posix_spawnattr_init(&attributes);
    sigset_t no_signals{};
    sigemptyset(&no_signals);
    sigset_t all_signals{};
    sigfillset(&all_signals);
    ::posix_spawnattr_setsigmask(&attributes, &no_signals);
    ::posix_spawnattr_setsigdefault(&attributes, &all_signals);
    ::posix_spawnattr_setflags(&attributes, static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
    pid_t pid = 0;
    const int spawn_error =
        ::posix_spawnp(&pid, argv.front().c_str(), actions.get(), &attributes, pointers.data(), environ);
    ::posix_spawnattr_destroy(&attributes);
    ::close(pipe_fds[1]);
    if (spawn_error != 0) {
        ::close(pipe_fds[0]);
        return make_error(spawn_error == ENOENT ? Errc::not_found : Errc::io_error,
                          fmt::format("cannot run {}: {}", argv.front(), error_text(spawn_error)));
    }
    ProcessOutcome outcome;
    std::array<char, 4096> buffer{};
    for (;;) {
        const ssize_t length = ::read(pipe_fds[0], buffer.data(), buffer.size());
        if (length < 0 && errno == EINTR) continue;
        if (length <= 0) break;
        outcome.output.append(buffer.data(), static_cast<std::size_t>(length));
        if (outcome.output.size() > 2 * max_captured_output)
            outcome.output.erase(0, outcome.output.size() - max_captured_output);
    }
    ::close(pipe_fds[0]);
    if (outcome.output.size() > max_captured_output)
        outcome.output.erase(0, outcome.output.size() - max_captured_output);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return make_error(Errc::io_error, fmt::format("cannot wait for {}: {}", argv.front(), error_text(errno)));
    }
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return outcome;
}

std::vector<ProcessUsingPath> processes_using(const fs::path& directory) {
    std::vector<ProcessUsingPath> found;
    std::error_code error;
    const std::string root = fs::weakly_canonical(directory, error).string();
    if (error || root.empty()) return found;
    const pid_t self = ::getpid();
    for (const auto& entry : fs::directory_iterator("/proc", error)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto pid = static_cast<pid_t>(std::stol(name));
        if (pid == self) continue;
        std::string hit;
        std::error_code link_error;
        const fs::path cwd = fs::read_symlink(entry.path() / "cwd", link_error);
        if (!link_error && is_under(cwd.string(), root)) hit = cwd.string();
        if (hit.empty()) {
            std::error_code fd_error;
            for (const auto& fd : fs::directory_iterator(entry.path() / "fd", fd_error)) {
                const fs::path target = fs::read_symlink(fd.path(), link_error);
                if (!link_error && is_under(target.string(), root)) {
                    hit = target.string();
                    break;
                }
            }
        }
        if (!hit.empty()) found.push_back({pid, read_small_file(entry.path() / "comm"), hit});
    }
    return found;
}

}  // namespace ephemery::infra
