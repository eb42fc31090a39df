#pragma once

#include "cli/context.hpp"

#include <CLI/CLI.hpp>

// Each command registers itself on the application; its callback sets context.exit_code.
namespace ephemery::cli {

void add_network_command(CLI::App& app, CommandContext& context);
void add_config_command(CLI::App& app, CommandContext& context);
void add_genesis_command(CLI::App& app, CommandContext& context);

}  // namespace ephemery::cli
