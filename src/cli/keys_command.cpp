#include "cli/commands.hpp"

namespace ephemery::cli {

void add_keys_command(CLI::App& app, CommandContext& context) {
    auto* keys = app.add_subcommand("keys", "Check, create, rotate and import validator keystores (EIP-2335)");
    keys->require_subcommand(1);
    add_keys_new_command(*keys, context);
}

}  // namespace ephemery::cli
