#include "cli/context.hpp"
#include "cli/terminal.hpp"

#include "config/sources.hpp"
#include "infra/logging.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace ephemery::cli {
namespace {

std::map<std::string, config::Override> flag_overrides(const GlobalOptions& global) {
    std::map<std::string, config::Override> overrides;
    if (!global.data_dir.empty()) overrides["data_dir"] = {global.data_dir, "--data-dir"};
    if (!global.log_level.empty()) overrides["logging.level"] = {global.log_level, "--log-level"};
    if (!global.log_format.empty()) overrides["logging.format"] = {global.log_format, "--log-format"};
    return overrides;
}

}  // namespace

Result<LoadedConfig> read_configuration(const GlobalOptions& global) {
    auto environment = config::process_environment();
    auto file = config::locate_config_file(global.config_file, environment);
    if (!file) return file.error();
    auto request = config::gather_load_request(*file, std::move(environment), flag_overrides(global));
    if (!request) return request.error();
    LoadedConfig loaded{*file ? (*file)->string() : "(built-in defaults: no config file found)",
                        config::load_config(*request)};
    infra::configure_logging(loaded.outcome.config.logging);
    return loaded;
}

std::optional<LoadedConfig> load_configuration(const GlobalOptions& global) {
    auto loaded = read_configuration(global);
    if (!loaded) {
        print_stderr("error: {}\n", loaded.error().message);
        return std::nullopt;
    }
    const auto& outcome = loaded->outcome;
    if (!outcome.ok()) {
        for (const auto& diagnostic : outcome.diagnostics) print_stderr("{}\n", config::to_string(diagnostic));
        print_stderr("{}: the configuration has errors (check it with `ephemery config check`)\n", loaded->source);
        return std::nullopt;
    }
    for (const auto& diagnostic : outcome.diagnostics) spdlog::warn("{}", config::to_string(diagnostic));
    return std::move(loaded).value();
}

void print_json(const nlohmann::ordered_json& document) {
    // Replace, never throw: a stray invalid byte must not turn a report into a crash.
    fmt::print("{}\n", document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    (void)std::fflush(stdout);
}

release::Expectation expectation_for(const config::Config& config, std::uint64_t iteration) {
    release::Expectation expectation{iteration, config.network.schedule, {}};
    if (config.network.preset == network::Preset::ephemery) {
        expectation.fork_versions = release::public_ephemery_fork_versions();
    }
    return expectation;
}

}  // namespace ephemery::cli
