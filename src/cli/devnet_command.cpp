// `ephemery devnet`: a mini-Ephemery on this machine with short iterations, run by the same daemon, reset
// engine and supervisor as a public node (src/rehearsal).
#include "cli/commands.hpp"
#include "cli/run_daemon.hpp"
#include "cli/terminal.hpp"
#include "core/time_format.hpp"
#include "daemon/node_daemon.hpp"
#include "devnet/release.hpp"
#include "infra/clock.hpp"
#include "rehearsal/devnet.hpp"
#include "runtime/launch.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

namespace ephemery::cli {
namespace {

namespace fs = std::filesystem;

struct DevnetOptions {
    std::optional<std::int64_t> iteration_seconds;
    std::optional<std::uint32_t> validators;
    std::string lodestar{"lodestar"};
    std::uint16_t port_base{0};
};

void print_ready(const daemon::DaemonSettings& settings, const rehearsal::Settings& devnet, int port) {
    const auto& schedule = settings.network.schedule;
    const std::int64_t now = infra::unix_now();
    fmt::print("ephemery devnet: {}-second iterations (genesis {} s after each reset), pid {}\n",
               schedule.genesis_interval, schedule.genesis_delay, ::getpid());
    fmt::print("  data dir     {}\n", settings.data_dir.string());
    if (port > 0) fmt::print("  control API  http://{}:{}/api/v1/status\n", settings.api.listen_address, port);
    fmt::print("  clients      devnet-consensus-lodestar, devnet-validator-lodestar ({})\n", devnet.lodestar);
    fmt::print("  client logs  {}/devnet-{{consensus,validator}}-lodestar.log (ephemery's own: here)\n",
               (settings.data_dir / daemon::logs_dir).string());
    if (const auto live = network::iteration_at(schedule, now)) {
        const auto info = network::describe_iteration(schedule, *live);
        if (info && info->times) {
            fmt::print("  iteration    {} now (genesis {}), next reset {}\n", *live,
                       format_utc(info->times->cl_genesis_time), format_utc(info->times->reset_time));
        }
    }
    fmt::print("  status       ephemery --data-dir {} status   (ports, iteration, restarts)\n",
               settings.data_dir.string());
    fmt::print("  Ctrl-C stops the clients and the devnet\n");
    (void)std::fflush(stdout);
}

ExitCode run_devnet(const CommandContext& context, const DevnetOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const config::Config& config = loaded->outcome.config;
    rehearsal::Settings devnet;
    // --data-dir names the devnet's own directory; without it the devnet lives beside a public node's data.
    devnet.data_dir = context.global.data_dir.empty() ? config.data_dir / "devnet" : config.data_dir;
    devnet.iteration_seconds = options.iteration_seconds;
    devnet.validators = options.validators;
    devnet.port_base = options.port_base;
    devnet.api = config.api;
    devnet.monitoring = config.monitoring;
    devnet.alerts = config.alerts;
    // An explicit path is taken as it is (the supervisor reports it if it is missing); a bare name must be on PATH.
    const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): read once, before any thread starts
    auto program = runtime::find_program(options.lodestar, path == nullptr ? "" : path);
    if (!program) {
        print_stderr(
            "error: --lodestar {}: {}; `make lodestar` installs the pinned, patched Lodestar v1.5.1 into "
            "tools/lodestar (then pass --lodestar tools/lodestar/node_modules/.bin/lodestar)\n",
            options.lodestar, program.error().message);
        return ExitCode::usage_error;
    }
    if (::access(program->c_str(), X_OK) != 0) {
        print_stderr(
            "error: --lodestar {}: not an executable file; `make lodestar` installs the pinned, patched "
            "Lodestar v1.5.1 (tools/lodestar/node_modules/.bin/lodestar)\n",
            program->string());
        return ExitCode::usage_error;
    }
    devnet.lodestar = fs::absolute(*program).string();
    if (auto running = daemon::find_running_daemon(devnet.data_dir); running && *running) {
        print_stderr("error: a devnet already runs for {} (pid {}); `ephemery --data-dir {} status` shows it\n",
                     devnet.data_dir.string(), (*running)->pid, devnet.data_dir.string());
        return ExitCode::runtime_failure;
    }
    const std::int64_t now = infra::unix_now();
    auto settings = rehearsal::prepare_devnet(devnet, now);
    if (!settings) {
        print_stderr("error: {}\n", settings.error().message);
        return settings.error().code == Errc::invalid_argument ? ExitCode::usage_error : ExitCode::runtime_failure;
    }
    const auto shown = *settings;
    return run_daemon(std::move(settings).value(), [&shown, &devnet](const Status& status, int port) {
        if (!status) {
            print_stderr("error: {}\n", status.error().message);
            return;
        }
        print_ready(shown, devnet, port);
    });
}

}  // namespace

void add_devnet_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<DevnetOptions>();
    auto* command = app.add_subcommand(
        "devnet", "Run a mini-Ephemery here: short iterations, Lodestar, resets through the same engine as a node");
    command
        ->add_option("--iteration-seconds", options->iteration_seconds,
                     fmt::format("Seconds between resets (default {}, at least {}; fixed when the devnet is "
                                 "created)",
                                 devnet::default_iteration_seconds, devnet::min_iteration_seconds))
        ->check(CLI::Range(devnet::min_iteration_seconds, std::int64_t{365} * 24 * 3600));
    command
        ->add_option(
            "--validators", options->validators,
            fmt::format("Validators (default {}; fixed when the devnet is created)", devnet::default_validators))
        ->check(CLI::Range(devnet::min_validators, devnet::max_validators));
    command->add_option("--lodestar", options->lodestar,
                        "Lodestar v1.5.1 as tools/lodestar installs it (default: lodestar on PATH)");
    command
        ->add_option("--port-base", options->port_base,
                     "Number every port the devnet opens from here: the control API on this one, the clients' "
                     "after it (default: api.port and the clients' usual ports)")
        ->check(CLI::Range(1024, 65000));
    command->footer(
        "Without --data-dir the devnet lives in <data_dir>/devnet. Keys, the schedule and the libp2p identity are "
        "kept across restarts; every reset makes a new genesis (new genesis time and validators root).");
    command->callback([&context, options] { context.exit_code = run_devnet(context, *options); });
}

}  // namespace ephemery::cli
