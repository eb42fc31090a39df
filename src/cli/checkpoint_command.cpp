#include "checkpoint/fetch.hpp"
#include "checkpoint/server.hpp"
#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "genesis/fetch.hpp"
#include "genesis/store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>

namespace ephemery::cli {
namespace {

struct FetchOptions {
    std::vector<std::string> providers;
    std::optional<std::size_t> quorum;
    std::string release_dir;
    std::optional<double> timeout_seconds;
    bool json{false};
};

struct ServeOptions {
    std::optional<std::uint16_t> port;
    std::string release_dir;
};

// The chain checkpoints must belong to: the release given with --release, else the installed current one.
Result<checkpoint::NetworkFacts> installed_network(const config::Config& config, const std::string& release_dir) {
    std::filesystem::path dir = release_dir;
    if (dir.empty()) {
        const genesis::ReleaseStore store(config.data_dir);
        const auto current = store.current();
        if (!current) {
            return make_error(Errc::not_found,
                              fmt::format("no release is installed in {}; run `ephemery genesis fetch` first (or pass "
                                          "--release DIR)",
                                          store.root().string()));
        }
        dir = store.release_dir(*current);
    }
    auto files = genesis::load_release_dir(dir);
    if (!files) return files.error();
    auto facts = checkpoint::network_facts(*files);
    if (!facts) return make_error(facts.error().code, fmt::format("{}: {}", dir.string(), facts.error().message));
    return facts;
}

// The configuration and the chain a command works on; problems are printed and give nullopt.
struct Chain {
    config::Config config;
    checkpoint::NetworkFacts facts;
};

std::optional<Chain> load_chain(const CommandContext& context, const std::string& release_dir) {
    auto loaded = load_configuration(context.global);
    if (!loaded) return std::nullopt;
    auto facts = installed_network(loaded->outcome.config, release_dir);
    if (!facts) {
        print_stderr("error: {}\n", facts.error().message);
        return std::nullopt;
    }
    return Chain{.config = std::move(loaded->outcome.config), .facts = std::move(*facts)};
}

checkpoint::CheckpointCache cache_for(const config::Config& config) {
    return checkpoint::CheckpointCache(
        std::filesystem::path(config.data_dir) / "checkpoints",
        checkpoint::CacheLimits{.max_entries = static_cast<std::size_t>(config.checkpoint.cache_entries),
                                .max_bytes = static_cast<std::uint64_t>(config.checkpoint.cache_mb) << 20U});
}

void print_report(const checkpoint::FetchReport& report) {
    for (const auto& provider : report.decision.providers) {
        fmt::print("  {:<11} {}  {}\n", checkpoint::verdict_name(provider.verdict), provider.url, provider.detail);
    }
    if (report.decision.agreed) {
        fmt::print("agreed finalized checkpoint: epoch {} root {}\n", report.decision.agreed->epoch,
                   beacon::root_hex(report.decision.agreed->root));
    }
    for (const auto& download : report.downloads) {
        fmt::print("  {} from {}: {} ({} bytes, {} ms)\n", download.what, download.provider, download.outcome,
                   download.bytes, download.elapsed.count());
    }
    if (report.installed) {
        const auto& entry = *report.installed;
        fmt::print("verified and installed: slot {} ({}), state root {}, {} MB, in {}\n", entry.slot, entry.fork,
                   beacon::root_hex(entry.state_root), entry.state_bytes / 1000000, entry.dir.string());
    } else {
        print_stderr("error: {}\n", report.problem);
    }
}

ExitCode run_fetch(const CommandContext& context, const FetchOptions& options) {
    auto chain = load_chain(context, options.release_dir);
    if (!chain) return ExitCode::usage_error;
    const config::Config& config = chain->config;
    auto& facts = chain->facts;
    checkpoint::FetchRequest request{
        .providers = options.providers.empty() ? config.checkpoint.providers : options.providers,
        .quorum = options.quorum.value_or(static_cast<std::size_t>(config.checkpoint.quorum)),
        .facts = std::move(facts),
        .http = {},
    };
    if (options.timeout_seconds) {
        request.http.request_timeout =
            std::chrono::milliseconds(static_cast<std::int64_t>(*options.timeout_seconds * 1000));
        request.http.connect_timeout = std::min(request.http.connect_timeout, request.http.request_timeout);
        request.http.stall_timeout = std::min(request.http.stall_timeout, request.http.request_timeout);
    }
    if (request.quorum > request.providers.size()) {
        print_stderr("error: a quorum of {} needs at least {} providers; {} given\n", request.quorum, request.quorum,
                     request.providers.size());
        return ExitCode::usage_error;
    }
    auto cache = cache_for(config);
    const auto report = checkpoint::fetch_checkpoint(request, cache);
    if (!report) {
        print_stderr("error: {}\n", report.error().message);
        return ExitCode::runtime_failure;
    }
    if (options.json) {
        print_json(nlohmann::ordered_json::parse(checkpoint::to_json(*report)));
    } else {
        print_report(*report);
    }
    return report->installed ? ExitCode::ok : ExitCode::check_failed;
}

ExitCode run_serve(const CommandContext& context, const ServeOptions& options) {
    auto chain = load_chain(context, options.release_dir);
    if (!chain) return ExitCode::usage_error;
    const config::Config& config = chain->config;
    auto& facts = chain->facts;
    const auto cache = cache_for(config);
    const auto entry = cache.latest(facts.genesis.genesis_validators_root);
    if (!entry) {
        print_stderr("error: {} holds no verified checkpoint of this chain; run `ephemery checkpoint fetch` first\n",
                     cache.dir().string());
        return ExitCode::usage_error;
    }
    // Signals are taken by sigwait below, so block them before the server's threads start.
    sigset_t signals{};
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    const checkpoint::ServeSettings settings{
        .listen_address = "127.0.0.1",
        .port = options.port.value_or(static_cast<std::uint16_t>(config.checkpoint.serve_port))};
    auto server = checkpoint::CheckpointServer::start(*entry, facts, settings);
    if (!server) {
        print_stderr("error: {}\n", server.error().message);
        return ExitCode::runtime_failure;
    }
    fmt::print("serving the verified checkpoint of slot {} (epoch {}, {}) on http://127.0.0.1:{}\n", entry->slot,
               entry->checkpoint.epoch, entry->fork, (*server)->port());
    fmt::print("point a consensus client's checkpoint sync URL at it; Ctrl-C stops\n");
    std::fflush(stdout);  // NOLINT(cert-err33-c): tests and supervisors read this line while we run
    int signal = 0;
    (void)sigwait(&signals, &signal);
    spdlog::info("{} received: stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
    (*server)->stop();
    return ExitCode::ok;
}

}  // namespace

void add_checkpoint_command(CLI::App& app, CommandContext& context) {
    auto* command = app.add_subcommand("checkpoint", "Verified checkpoint sync: fetch from providers, serve locally");
    command->require_subcommand(1);

    auto fetch_options = std::make_shared<FetchOptions>();
    auto* fetch = command->add_subcommand(
        "fetch", "Fetch the finalized state a quorum of providers agrees on, verify it by hashing, and cache it");
    fetch->add_option("--provider", fetch_options->providers,
                      "Beacon API URL (repeatable; default: checkpoint.providers)");
    fetch->add_option("--quorum", fetch_options->quorum, "providers that must agree (default: checkpoint.quorum)")
        ->check(CLI::Range(1, 16));
    fetch->add_option("--release", fetch_options->release_dir,
                      "release directory of the chain (default: the installed current release)");
    fetch
        ->add_option("--timeout", fetch_options->timeout_seconds,
                     "seconds a provider may take to answer a question, and to stall a download (default 30)")
        ->check(CLI::Range(0.1, 3600.0));
    fetch->add_flag("--json", fetch_options->json, "print a JSON report on stdout");
    fetch->callback([&context, fetch_options] { context.exit_code = run_fetch(context, *fetch_options); });

    auto serve_options = std::make_shared<ServeOptions>();
    auto* serve =
        command->add_subcommand("serve", "Serve the newest verified checkpoint on 127.0.0.1 for a local node");
    serve->add_option("--port", serve_options->port, "TCP port (default: checkpoint.serve_port; 0 picks a free one)");
    serve->add_option("--release", serve_options->release_dir,
                      "release directory of the chain (default: the installed current release)");
    serve->callback([&context, serve_options] { context.exit_code = run_serve(context, *serve_options); });
}

}  // namespace ephemery::cli
