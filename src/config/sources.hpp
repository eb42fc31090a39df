#pragma once

#include "config/config.hpp"
#include "core/result.hpp"

#include <filesystem>
#include <optional>

// The I/O half of configuration: which file to read and what the process environment says.
namespace ephemery::config {

inline constexpr std::size_t max_config_bytes = std::size_t{1024} * 1024;

using Environment = std::map<std::string, std::string>;

// This process's environment, read once at start-up.
[[nodiscard]] Environment process_environment();

// The config file to use: the explicit path (must exist), else $EPHEMERY_CONFIG (must exist), else
// ./ephemery.yaml, else /etc/ephemery/ephemery.yaml; nullopt when none exists (built-in defaults).
[[nodiscard]] Result<std::optional<std::filesystem::path>> locate_config_file(
    const std::optional<std::filesystem::path>& explicit_path, const Environment& environment);

// A LoadRequest from the config file (if any), the environment, HOME and the working directory.
[[nodiscard]] Result<LoadRequest> gather_load_request(const std::optional<std::filesystem::path>& config_file,
                                                      Environment environment,
                                                      std::map<std::string, Override> cli_overrides);

}  // namespace ephemery::config
