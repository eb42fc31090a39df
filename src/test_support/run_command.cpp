#include "test_support/run_command.hpp"

#include "test_support/temp_dir.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace ephemery::test {
namespace {

std::string slurp(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream contents;
    contents << stream.rdbuf();
    return contents.str();
}

}  // namespace

SpawnArguments::SpawnArguments(std::vector<std::string> argv, const std::map<std::string, std::string>& env)
    : argv_(std::move(argv)) {
    env_.reserve(env.size());
    for (const auto& [key, value] : env) {
        std::string entry = key;
        entry += '=';
        entry += value;
        env_.push_back(std::move(entry));
    }
    for (auto& arg : argv_) argv_pointers_.push_back(arg.data());
    argv_pointers_.push_back(nullptr);
    for (auto& entry : env_) env_pointers_.push_back(entry.data());
    env_pointers_.push_back(nullptr);
}

CommandOutput run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::string& working_directory) {
    const TempDir capture;
    const auto out_path = capture.path() / "stdout";
    const auto err_path = capture.path() / "stderr";

    const SpawnArguments arguments(argv, env);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addchdir_np(&actions, working_directory.c_str());

    pid_t pid = 0;
    const int spawn_error =
        ::posix_spawn(&pid, argv.front().c_str(), &actions, nullptr, arguments.argv(), arguments.envp());
    posix_spawn_file_actions_destroy(&actions);
    if (spawn_error != 0) throw std::runtime_error("posix_spawn failed for " + argv.front());

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    CommandOutput output;
    output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    output.out = slurp(out_path);
    output.err = slurp(err_path);
    return output;
}

std::filesystem::path find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): read once, nothing sets it
    std::istringstream directories(path == nullptr ? "/usr/local/bin:/usr/bin:/bin" : path);
    for (std::string directory; std::getline(directories, directory, ':');) {
        std::filesystem::path candidate = std::filesystem::path(directory) / name;
        if (!directory.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

}  // namespace ephemery::test
