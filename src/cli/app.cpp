#include "cli/app.hpp"

#include "cli/command_docs.hpp"
#include "cli/commands.hpp"
#include "infra/files.hpp"
#include "infra/logging.hpp"

#include <fmt/format.h>

#include <memory>

namespace ephemery::cli {

namespace {

constexpr const char* program_version = EPHEMERY_VERSION;  // the project's VERSION in CMakeLists.txt

// `ephemery completion bash|zsh|fish` and `ephemery manpage`: the build runs them to make the files it installs.
// Hidden from --help (an empty group): they document the program rather than run a node.
void add_documentation_commands(CLI::App& app, CommandContext& context) {
    struct Options {
        std::string shell;
        std::string output;
    };
    auto options = std::make_shared<Options>();
    const auto emit = [&context, options](const std::string& text) {
        if (options->output.empty() || options->output == "-") {
            fmt::print("{}", text);
            return;
        }
        if (auto written = infra::write_file_atomically(
                options->output, text,
                std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                    std::filesystem::perms::group_read | std::filesystem::perms::others_read);
            !written) {
            fmt::print(stderr, "{}\n", written.error().message);
            context.exit_code = ExitCode::runtime_failure;
        }
    };
    auto* completion = app.add_subcommand("completion", "Print a shell completion script for ephemery")->group("");
    completion->add_option("shell", options->shell, "bash, zsh or fish")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    completion->add_option("-o,--output", options->output, "Write it to this file instead of standard output");
    completion->callback([&app, options, emit] {
        if (options->shell == "bash") emit(render_bash_completion(app));
        if (options->shell == "zsh") emit(render_zsh_completion(app));
        if (options->shell == "fish") emit(render_fish_completion(app));
    });
    auto* manpage = app.add_subcommand("manpage", "Print the man page (roff) of ephemery")->group("");
    manpage->add_option("-o,--output", options->output, "Write it to this file instead of standard output");
    manpage->callback([&app, emit] { emit(render_man_page(app, program_version)); });
}

}  // namespace

void define_commands(CLI::App& app, CommandContext& context) {
    app.fallthrough();  // global options may follow the command name
    app.require_subcommand(1);
    app.set_version_flag("--version", program_version);
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
    add_documentation_commands(app, context);
}

int run(int argc, char** argv) {
    infra::configure_logging({});
    CommandContext context;
    CLI::App app{program_description, "ephemery"};
    define_commands(app, context);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int printed = app.exit(error);  // prints help, the version or the parse error
        return printed == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::usage_error);
    }
    return to_int(context.exit_code);
}

}  // namespace ephemery::cli
