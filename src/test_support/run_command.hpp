#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ephemery::test {

struct CommandOutput {
    int exit_code{-1};
    std::string out;
    std::string err;
};

// The argv and envp arrays posix_spawn takes, owning their strings ("KEY=value" for the environment).
class SpawnArguments {
  public:
    SpawnArguments(std::vector<std::string> argv, const std::map<std::string, std::string>& env);
    SpawnArguments(const SpawnArguments&) = delete;
    SpawnArguments& operator=(const SpawnArguments&) = delete;
    [[nodiscard]] char* const* argv() const { return argv_pointers_.data(); }
    [[nodiscard]] char* const* envp() const { return env_pointers_.data(); }

  private:
    std::vector<std::string> argv_;
    std::vector<std::string> env_;
    std::vector<char*> argv_pointers_;
    std::vector<char*> env_pointers_;
};

// The first executable called `name` on $PATH; empty when there is none.
std::filesystem::path find_on_path(const std::string& name);

// Runs a program directly (no shell) with exactly the given environment and captures its output.
CommandOutput run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::string& working_directory);

}  // namespace ephemery::test
