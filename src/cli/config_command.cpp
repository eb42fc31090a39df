#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "config/emit.hpp"
#include "daemon/node_daemon.hpp"
#include "infra/files.hpp"
#include "reset/plan.hpp"
#include "reset/tree.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace ephemery::cli {
namespace {

struct InitOptions {
    std::string output;
    bool force{false};
};

ExitCode run_init(const CommandContext& context, const InitOptions& options) {
    const auto text = config::default_config_yaml();
    std::filesystem::path target = options.output;
    if (target.empty()) target = context.global.config_file.value_or("ephemery.yaml");
    if (target == "-") {
        fmt::print("{}", text);
        return ExitCode::ok;
    }
    std::error_code error;
    if (std::filesystem::exists(target, error) && !options.force) {
        print_stderr("error: {} already exists; pass --force to replace it (the old file is then lost)\n",
                     target.string());
        return ExitCode::usage_error;
    }
    // 0600: the file may later hold inline webhook URLs or other credentials.
    if (auto status = infra::write_file_atomically(target, text, infra::owner_only); !status) {
        print_stderr("error: {}\n", status.error().message);
        return ExitCode::runtime_failure;
    }
    fmt::print("wrote {}; edit it, then run `ephemery -c {} config check`\n", target.string(), target.string());
    return ExitCode::ok;
}

nlohmann::ordered_json diagnostics_json(const std::vector<config::Diagnostic>& diagnostics) {
    auto items = nlohmann::ordered_json::array();
    for (const auto& diagnostic : diagnostics) {
        items.push_back({{"severity", diagnostic.severity == config::Diagnostic::Severity::error ? "error" : "warning"},
                         {"where", diagnostic.where},
                         {"key", diagnostic.key},
                         {"message", diagnostic.message}});
    }
    return items;
}

// A client data dir that overlaps a path the node owns (reth's data_dir: <data_dir>/archive) would let a reset
// delete the node's archives or releases: an error here, as `reset plan` and `reset run` refuse it. Symlinks are
// resolved as a reset resolves them; relative or empty dirs are the schema's to report.
std::vector<config::Diagnostic> client_data_dir_diagnostics(const config::Config& config, const std::string& source) {
    const auto resolved = [](const std::filesystem::path& directory) {
        auto checked = reset::checked_data_dir(directory, "data_dir");
        return checked ? std::move(checked).value() : directory.lexically_normal();
    };
    auto instances = daemon::node_instances(config.network.name, config.data_dir, config.node);
    for (auto& instance : instances) instance.data_dir = resolved(instance.data_dir);
    std::vector<config::Diagnostic> diagnostics;
    for (auto& message : reset::data_dir_conflicts(resolved(config.data_dir), instances)) {
        diagnostics.push_back({.severity = config::Diagnostic::Severity::error,
                               .where = source,
                               .key = {},
                               .message = std::move(message),
                               .line = 0,
                               .column = 0});
    }
    return diagnostics;
}

ExitCode run_check(const CommandContext& context, bool json) {
    auto loaded = read_configuration(context.global);
    if (!loaded) {
        print_stderr("error: {}\n", loaded.error().message);
        return ExitCode::usage_error;
    }
    auto& outcome = loaded->outcome;
    for (auto& diagnostic : client_data_dir_diagnostics(outcome.config, loaded->source)) {
        outcome.diagnostics.push_back(std::move(diagnostic));
    }
    if (json) {
        print_json({{"source", loaded->source},
                    {"valid", outcome.ok()},
                    {"diagnostics", diagnostics_json(outcome.diagnostics)}});
    } else {
        for (const auto& diagnostic : outcome.diagnostics) fmt::print("{}\n", config::to_string(diagnostic));
        const auto errors = std::count_if(outcome.diagnostics.begin(), outcome.diagnostics.end(), [](const auto& d) {
            return d.severity == config::Diagnostic::Severity::error;
        });
        if (errors == 0) {
            fmt::print("{}: ok\n", loaded->source);
        } else {
            fmt::print("{}: {} error{}\n", loaded->source, errors, errors == 1 ? "" : "s");
        }
    }
    return outcome.ok() ? ExitCode::ok : ExitCode::usage_error;
}

ExitCode run_dump(const CommandContext& context, bool json) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    if (json) {
        print_json(loaded->outcome.effective);
    } else {
        fmt::print("# effective configuration from {}, secrets redacted\n{}", loaded->source,
                   config::to_yaml(loaded->outcome.effective));
    }
    return ExitCode::ok;
}

}  // namespace

void add_config_command(CLI::App& app, CommandContext& context) {
    auto* command = app.add_subcommand("config", "Write, check and show the configuration");
    command->require_subcommand(1);

    auto init_options = std::make_shared<InitOptions>();
    auto* init = command->add_subcommand("init", "Write a commented default ephemery.yaml");
    init->add_option("-o,--output", init_options->output,
                     "Where to write it (default: the -c path, else ./ephemery.yaml; - for stdout)");
    init->add_flag("--force", init_options->force, "Replace an existing file");
    init->callback([&context, init_options] { context.exit_code = run_init(context, *init_options); });

    auto check_json = std::make_shared<bool>(false);
    auto* check = command->add_subcommand("check", "Validate the configuration; exit 0 when valid, 2 when not");
    check->add_flag("--json", *check_json, "Print one JSON document");
    check->callback([&context, check_json] { context.exit_code = run_check(context, *check_json); });

    auto dump_json = std::make_shared<bool>(false);
    auto* dump = command->add_subcommand("dump", "Print the effective configuration, secrets redacted");
    dump->add_flag("--json", *dump_json, "Print JSON instead of YAML");
    dump->callback([&context, dump_json] { context.exit_code = run_dump(context, *dump_json); });
}

}  // namespace ephemery::cli
