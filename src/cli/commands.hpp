#pragma once

#include "cli/context.hpp"

#include <CLI/CLI.hpp>

// Each command registers itself on the application; its callback sets context.exit_code.
namespace ephemery::cli {

void add_network_command(CLI::App& app, CommandContext& context);
void add_config_command(CLI::App& app, CommandContext& context);
void add_genesis_command(CLI::App& app, CommandContext& context);
void add_keys_command(CLI::App& app, CommandContext& context);
// `keys new`, registered by add_keys_command on the `keys` subcommand.
void add_keys_new_command(CLI::App& keys, CommandContext& context);
void add_slashing_command(CLI::App& app, CommandContext& context);
void add_reset_command(CLI::App& app, CommandContext& context);
void add_clients_command(CLI::App& app, CommandContext& context);
// `up`, `down`, `status`, `restart` and `logs`.
void add_node_commands(CLI::App& app, CommandContext& context);
void add_logs_command(CLI::App& app, CommandContext& context);
// `devnet`: a mini-Ephemery with short iterations on Lodestar.
void add_devnet_command(CLI::App& app, CommandContext& context);
// `checkpoint fetch` and `checkpoint serve`.
void add_checkpoint_command(CLI::App& app, CommandContext& context);
// `monitor once` and `history`.
void add_monitor_commands(CLI::App& app, CommandContext& context);
void add_alerts_commands(CLI::App& app, CommandContext& context);

}  // namespace ephemery::cli
