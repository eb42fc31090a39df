#pragma once

namespace ephemery::cli {

// Parses the command line, runs the chosen command and returns the process exit code.
[[nodiscard]] int run(int argc, char** argv);

}  // namespace ephemery::cli
