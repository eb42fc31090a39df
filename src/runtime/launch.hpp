#pragma once

#include "core/result.hpp"
#include "runtime/watchdog.hpp"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::runtime {

// One supervised program.
struct ProcessSpec {
    std::string name;                                // unique; names the log file, so no '/'
    std::string program;                             // a path, or a name looked up on ephemery's PATH
    std::vector<std::string> arguments;              // argv[1...]
    std::filesystem::path working_directory;         // empty: ephemery's; created when missing
    std::map<std::string, std::string> environment;  // added to (and overriding) ephemery's environment
};

struct LaunchedProcess {
    pid_t pid{-1};      // also its process group id
    int output_fd{-1};  // read end (non-blocking, close-on-exec) of the pipe holding its stdout and stderr
    Watchdog watchdog;  // watching the group since before the program began
};

// The program to execute: `program` itself when it holds a '/', else the first executable regular file of that
// name in the ':'-separated `search_path` (empty entries skipped). Fails with Errc::not_found naming the path.
[[nodiscard]] Result<std::filesystem::path> find_program(const std::string& program, std::string_view search_path);

// Starts the program in its own process group with stdin from /dev/null and stdout and stderr into one pipe,
// the signal dispositions and mask at their defaults and only descriptors 0-2 open. No shell: argv is passed
// as it is. The child waits, before it executes anything, until its watchdog exists, so even a SIGKILL of
// ephemery at any moment of the start leaves no unwatched client. Fails when the program cannot be found or
// executed (Errc::not_found when it does not exist) or the working directory cannot be created or entered.
[[nodiscard]] Result<LaunchedProcess> launch(const ProcessSpec& spec, std::chrono::milliseconds orphan_timeout);

}  // namespace ephemery::runtime
