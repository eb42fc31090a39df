#pragma once

#include <map>
#include <string>
#include <vector>

namespace ephemery::test {

struct CommandOutput {
    int exit_code{-1};
    std::string out;
    std::string err;
};

// Runs a program directly (no shell) with exactly the given environment and captures its output.
CommandOutput run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::string& working_directory);

}  // namespace ephemery::test
