#pragma once
// Shell completions and the man page, rendered from the same command tree as --help (cli/app.cpp builds it), so
// that they cannot drift from the program. The build runs `ephemery completion SHELL` and `ephemery manpage` on the
// binary it just made; `cmake --install` and the Debian package ship the results.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace ephemery::cli {

// A bash completion script (`complete -F`): subcommands at each level, then that command's options, with the global
// options everywhere (they may follow the command name).
[[nodiscard]] std::string render_bash_completion(const CLI::App& app);

// A zsh completion script (#compdef) with the same words, each described.
[[nodiscard]] std::string render_zsh_completion(const CLI::App& app);

// A fish completion script: one `complete` line per subcommand and option, each with its description.
[[nodiscard]] std::string render_fish_completion(const CLI::App& app);

// The man page (roff, section 1): every command with its options and descriptions, the exit codes and the files.
[[nodiscard]] std::string render_man_page(const CLI::App& app, std::string_view version);

}  // namespace ephemery::cli
