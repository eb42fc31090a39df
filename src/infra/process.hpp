#pragma once

#include "core/result.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ephemery::infra {

struct ProcessOutcome {
    int exit_code{-1};   // the program's exit status; 128 + signal when a signal ended it
    std::string output;  // stdout and stderr, interleaved, at most the last 64 KiB
};

// Runs a program directly (posix_spawnp: argv[0] is looked up on PATH, no shell ever sees the arguments)
// with stdin closed, and waits for it. Fails when it cannot be started; a non-zero exit is an outcome.
[[nodiscard]] Result<ProcessOutcome> run_process(const std::vector<std::string>& argv);

// The last `lines` lines of a command's output or a log (all of it when it has fewer; empty text gives empty text).
// A final newline is kept and does not count as a line.
[[nodiscard]] std::string last_lines(const std::string& output, std::size_t lines);

struct ProcessUsingPath {
    pid_t pid{0};
    std::string command;  // /proc/<pid>/comm
    std::string path;     // the open file or working directory under the path
};

// Processes (other than this one) with a working directory or an open file under `directory`, from /proc.
// Processes we may not inspect (other users' without privileges) are not seen.
[[nodiscard]] std::vector<ProcessUsingPath> processes_using(const std::filesystem::path& directory);

}  // namespace ephemery::infra
