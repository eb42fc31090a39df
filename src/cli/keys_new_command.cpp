#include "cli/commands.hpp"

namespace ephemery::cli {

void add_keys_new_command(CLI::App& keys, CommandContext& context) {
    (void)keys;
    (void)context;
}

}  // namespace ephemery::cli
