#include "cli/app.hpp"

#include "cli/command_docs.hpp"
#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "core/text.hpp"
#include "infra/files.hpp"
#include "infra/logging.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <span>

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
            print_stderr("{}\n", written.error().message);
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

namespace {

// The option a word names at this level of the command tree or above it (global options may follow a command).
const CLI::Option* option_named(const CLI::App& level, const std::string& name) {
    for (const CLI::App* at = &level; at != nullptr; at = at->get_parent()) {
        if (const CLI::Option* option = at->get_option_no_throw(name)) return option;
    }
    return nullptr;
}

// The commands --help lists at this level (hidden ones, in the empty group, are left out).
std::vector<std::string> listed_command_names(const CLI::App& level) {
    std::vector<std::string> names;
    for (const CLI::App* command : level.get_subcommands([](const CLI::App*) { return true; })) {
        if (!command->get_group().empty()) names.push_back(command->get_name());
    }
    return names;
}

std::string command_path(const CLI::App& level) {
    std::string path;
    for (const CLI::App* at = &level; at != nullptr; at = at->get_parent()) {
        path = path.empty() ? at->get_name() : fmt::format("{} {}", at->get_name(), path);
    }
    return path;
}

}  // namespace

std::optional<std::string> explain_command_words(CLI::App& app, const std::vector<std::string>& words) {
    CLI::App* level = &app;
    for (std::size_t index = 0; index < words.size(); ++index) {
        const std::string& word = words[index];
        if (word == "--") break;
        if (word.starts_with("-")) {
            // An option's value is not a command name: skip it when it follows as the next word.
            const std::string name = word.substr(0, word.find('='));
            const CLI::Option* option = option_named(*level, name);
            if (name.size() == word.size() && option != nullptr && option->get_items_expected_min() > 0) ++index;
            continue;
        }
        const auto commands = level->get_subcommands([](CLI::App*) { return true; });
        if (commands.empty()) return std::nullopt;  // a command's own arguments follow
        const auto named = std::find_if(commands.begin(), commands.end(),
                                        [&word](const CLI::App* command) { return command->check_name(word); });
        if (named != commands.end()) {
            level = *named;
            continue;
        }
        const std::vector<std::string> names = listed_command_names(*level);
        std::string message = fmt::format("`{}` is not {}", word,
                                          level == &app ? std::string("an ephemery command")
                                                        : fmt::format("a subcommand of `{}`", command_path(*level)));
        if (const auto nearest = closest_match(word, names)) message += fmt::format("; did you mean `{}`?", *nearest);
        return message +
               fmt::format(" The commands: {}. `{} --help` describes them.", join(names, ", "), command_path(*level));
    }
    if (level->get_require_subcommand_min() == 0) return std::nullopt;
    return fmt::format("`{}` needs a command: {}. `{} --help` describes them.", command_path(*level),
                       join(listed_command_names(*level), ", "), command_path(*level));
}

int run(int argc, char** argv) {
    infra::configure_logging({});
    CommandContext context;
    CLI::App app{program_description, "ephemery"};
    define_commands(app, context);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr ||
            dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
            const std::span<char*> arguments(argv, static_cast<std::size_t>(argc));
            const std::vector<std::string> words(arguments.begin() + std::min<std::ptrdiff_t>(argc, 1),
                                                 arguments.end());
            if (const auto explained = explain_command_words(app, words)) {
                print_stderr("error: {}\n", *explained);
                return to_int(ExitCode::usage_error);
            }
        }
        const int printed = app.exit(error);  // prints help, the version or the parse error
        return printed == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::usage_error);
    }
    return to_int(context.exit_code);
}

}  // namespace ephemery::cli
