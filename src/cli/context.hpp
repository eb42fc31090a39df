#pragma once

#include "config/config.hpp"
#include "core/exit_code.hpp"
#include "core/result.hpp"
#include "release/verify.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace ephemery::cli {

// Options every command accepts, before or after its name.
struct GlobalOptions {
    std::optional<std::filesystem::path> config_file;
    std::string data_dir;
    std::string log_level;
    std::string log_format;
};

// State shared by the command callbacks of one invocation.
struct CommandContext {
    GlobalOptions global;
    ExitCode exit_code{ExitCode::ok};
};

struct LoadedConfig {
    std::string source;  // the file read, or a note that the built-in defaults apply
    config::LoadOutcome outcome;
};

// Finds and reads the config file and environment, and loads them; diagnostics are left to the caller.
// Fails only when the file cannot be found or read.
[[nodiscard]] Result<LoadedConfig> read_configuration(const GlobalOptions& global);

// The config a command runs with. Problems are printed to stderr (file:line, key, value, what is allowed)
// and yield nullopt: the command then exits with usage_error. Warnings are logged.
[[nodiscard]] std::optional<LoadedConfig> load_configuration(const GlobalOptions& global);

// Prints a JSON document to stdout (the --json convention: stdout carries only the document).
void print_json(const nlohmann::ordered_json& document);

// What a release of iteration N of the configured network must satisfy (fork versions for the public network).
[[nodiscard]] release::Expectation expectation_for(const config::Config& config, std::uint64_t iteration);

}  // namespace ephemery::cli
