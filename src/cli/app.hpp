#pragma once

#include "cli/context.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ephemery::cli {

inline constexpr const char* program_description =
    "ephemery: run and keep Ethereum nodes on the Ephemery testnet through every reset";

// Builds the whole command tree on `app`: every command's options and the callback that runs it into `context`.
// The same tree gives --help, the shell completions and the man page (cli/command_docs.hpp).
void define_commands(CLI::App& app, CommandContext& context);

// For a command line CLI11 refused: the first word that names no command where one was expected, with the nearest
// command names ("`statuz` is not an ephemery command; did you mean `status`?"), or the command that still needs
// one of its subcommands. nullopt when the words name commands correctly (the refusal was about something else).
// CLI11 itself says only "A subcommand is required".
[[nodiscard]] std::optional<std::string> explain_command_words(CLI::App& app, const std::vector<std::string>& words);

// Parses the command line, runs the chosen command and returns the process exit code.
[[nodiscard]] int run(int argc, char** argv);

}  // namespace ephemery::cli
