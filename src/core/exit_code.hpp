#pragma once

namespace ephemery {

// Process exit codes, the same for every command (documented in the README).
enum class ExitCode : int {
    ok = 0,               // the command did what was asked; every check passed
    check_failed = 1,     // the command ran, and a check it made failed (a bad key, a failed verification)
    usage_error = 2,      // bad command line, or a configuration that does not load
    runtime_failure = 3,  // the command could not finish (I/O, network, a child process)
};

[[nodiscard]] constexpr int to_int(ExitCode code) noexcept {
    return static_cast<int>(code);
}

}  // namespace ephemery
