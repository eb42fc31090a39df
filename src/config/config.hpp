#pragma once

#include "alerts/settings.hpp"
#include "api/settings.hpp"
#include "checkpoint/settings.hpp"
#include "config/diagnostic.hpp"
#include "config/reader.hpp"
#include "infra/logging.hpp"
#include "keys/settings.hpp"
#include "monitoring/settings.hpp"
#include "network/settings.hpp"
#include "node/settings.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ephemery::config {

// Everything ephemery.yaml configures: one Settings struct per module, filled here and nowhere else.
struct Config {
    network::Settings network;
    std::filesystem::path data_dir{"~/.ephemery"};  // absolute after loading
    infra::LogSettings logging;
    node::Settings node;
    keys::Settings validators;
    checkpoint::Settings checkpoint;
    monitoring::Settings monitoring;
    alerts::Settings alerts;
    api::Settings api;
};

// What a load reads. Gathered by sources.hpp from disk and the process; plain data here so loading is pure.
struct LoadRequest {
    std::string file_label;  // path shown in messages; empty when there is no file (built-in defaults)
    std::string yaml_text;
    std::map<std::string, std::string> environment;  // the process environment; EPHEMERY_* are overrides
    std::map<std::string, Override> cli_overrides;   // dotted key path -> value from a command-line flag
    std::string home;                                // $HOME, for "~/" in paths
    std::filesystem::path working_directory;         // base for relative paths
};

struct LoadOutcome {
    Config config;
    std::vector<Diagnostic> diagnostics;
    nlohmann::ordered_json effective;  // every setting with its effective value; secrets redacted
    [[nodiscard]] bool ok() const { return !has_errors(diagnostics); }
};

// Environment variables that are not setting overrides.
inline constexpr std::string_view config_path_variable = "EPHEMERY_CONFIG";

// Builds the effective config: built-in defaults < file < EPHEMERY_* variables < command-line flags.
// Never throws; every problem becomes a Diagnostic.
[[nodiscard]] LoadOutcome load_config(const LoadRequest& request);

// Fills `config` from the root section. The one place that names the keys of ephemery.yaml.
void read_config(Section& root, Config& config, const LoadRequest& request);

// The commented default ephemery.yaml that `ephemery config init` writes.
[[nodiscard]] std::string_view default_config_yaml();

}  // namespace ephemery::config
