#include "cli/app.hpp"

#include "cli/commands.hpp"
#include "infra/logging.hpp"

#include <fmt/format.h>

namespace ephemery::cli {

namespace {
constexpr const char* version = "0.1.0";
}

int run(int argc, char** argv) {
    infra::configure_logging({});
    CommandContext context;
    CLI::App app{"ephemery: run and keep Ethereum nodes on the Ephemery testnet through every reset", "ephemery"};
    app.fallthrough();  // global options may follow the command name
    app.require_subcommand(1);
    app.set_version_flag("--version", version);
    app.footer(
        "Exit codes: 0 ok, 1 a check failed, 2 usage or configuration error, 3 runtime failure.\n"
        "Settings: built-in defaults < config file < EPHEMERY_* environment variables < flags.");

    app.add_option("-c,--config", context.global.config_file,
                   "Config file (default: $EPHEMERY_CONFIG, ./ephemery.yaml, /etc/ephemery/ephemery.yaml)");
    app.add_option("--data-dir", context.global.data_dir, "Data directory (overrides data_dir)");
    app.add_option("--log-level", context.global.log_level, "trace, debug, info, warn, error or off");
    app.add_option("--log-format", context.global.log_format, "text or json");

    add_network_command(app, context);
    add_config_command(app, context);
    add_genesis_command(app, context);
    add_keys_command(app, context);
    add_slashing_command(app, context);
    add_reset_command(app, context);
    add_clients_command(app, context);
    add_node_commands(app, context);
    add_devnet_command(app, context);
    add_checkpoint_command(app, context);
    add_monitor_commands(app, context);
    add_alerts_commands(app, context);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int printed = app.exit(error);  // prints help, version or the parse error
        return printed == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::usage_error);
    }
    return to_int(context.exit_code);
}

}  // namespace ephemery::cli
