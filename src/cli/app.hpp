#pragma once

#include "cli/context.hpp"

#include <CLI/CLI.hpp>

namespace ephemery::cli {

inline constexpr const char* program_description =
    "ephemery: run and keep Ethereum nodes on the Ephemery testnet through every reset";

// Builds the whole command tree on `app`: every command's options and the callback that runs it into `context`.
// The same tree gives --help, the shell completions and the man page (cli/command_docs.hpp).
void define_commands(CLI::App& app, CommandContext& context);

// Parses the command line, runs the chosen command and returns the process exit code.
[[nodiscard]] int run(int argc, char** argv);

}  // namespace ephemery::cli
