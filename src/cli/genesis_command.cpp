#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "genesis/fetch.hpp"
#include "genesis/store.hpp"
#include "infra/clock.hpp"
#include "network/schedule.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <chrono>

namespace ephemery::cli {
namespace {

struct FetchOptions {
    std::string tag;
    std::optional<std::uint64_t> iteration;
    bool next{false};
    std::string source;
    bool force{false};
    bool no_activate{false};
    bool json{false};
};

struct VerifyOptions {
    std::string directory;
    std::optional<std::uint64_t> iteration;
    bool json{false};
};

ExitCode exit_code_for(const Error& error) {
    switch (error.code) {
        case Errc::verification_failed: return ExitCode::check_failed;
        case Errc::invalid_argument: return ExitCode::usage_error;
        default: return ExitCode::runtime_failure;
    }
}

// The iteration a fetch is for: --tag, --iteration, --next or the one live now.
Result<std::uint64_t> requested_iteration(const FetchOptions& options, const network::Schedule& schedule) {
    if (!options.tag.empty()) {
        const std::string_view tag = options.tag;
        std::uint64_t iteration = 0;
        const std::string_view number = tag.substr(std::min(tag.size(), schedule.release_tag_prefix.size()));
        const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), iteration);
        if (!tag.starts_with(schedule.release_tag_prefix) || number.empty() || error != std::errc{} ||
            end != number.data() + number.size()) {
            return make_error(Errc::invalid_argument,
                              fmt::format("--tag {} is not of the form {}N", options.tag, schedule.release_tag_prefix));
        }
        return iteration;
    }
    if (options.iteration) return *options.iteration;
    const auto now = infra::unix_now();
    const auto live = network::iteration_at(schedule, now);
    if (!live) return make_error(Errc::invalid_argument, "the network has not started yet; pass --tag or --iteration");
    // By tag, never "latest": "latest" already points at N+1 during the last hours of N.
    return options.next ? *live + 1 : *live;
}

ExitCode run_fetch(const CommandContext& context, const FetchOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const config::Config& config = loaded->outcome.config;
    const auto iteration = requested_iteration(options, config.network.schedule);
    if (!iteration) {
        print_stderr("error: {}\n", iteration.error().message);
        return ExitCode::usage_error;
    }
    genesis::FetchRequest request;
    request.iteration = *iteration;
    request.tag = network::release_tag(config.network.schedule, *iteration);
    request.source = options.source.empty() ? config.network.release_base_url : options.source;
    request.data_dir = config.data_dir;
    request.expectation = expectation_for(config, *iteration);
    request.download.progress = !options.json && ::isatty(STDERR_FILENO) == 1;
    request.replace = options.force;
    request.activate = !options.no_activate;

    const auto outcome = genesis::fetch_release(request);
    if (!outcome) {
        print_stderr("error: {}\n", outcome.error().message);
        return exit_code_for(outcome.error());
    }
    if (options.json) {
        print_json({{"tag", outcome->tag},
                    {"iteration", outcome->iteration},
                    {"path", outcome->path.string()},
                    {"already_installed", outcome->already_installed},
                    {"current", outcome->activated || outcome->already_installed},
                    {"layout", outcome->layout},
                    {"asset", outcome->asset},
                    {"url", outcome->url},
                    {"bytes", outcome->bytes},
                    {"sha256", outcome->sha256},
                    {"attempts", outcome->attempts},
                    {"checks_passed", outcome->checks_passed},
                    {"pruned", outcome->pruned}});
    } else if (outcome->already_installed) {
        fmt::print("{} is already installed and current at {}\n", outcome->tag, outcome->path.string());
    } else {
        fmt::print("installed {} from {} ({} bytes, sha256 {}) at {}\n", outcome->tag, outcome->url, outcome->bytes,
                   outcome->sha256, outcome->path.string());
        fmt::print("verified: {}\n", fmt::join(outcome->checks_passed, ", "));
        fmt::print("{}\n", outcome->activated ? "it is now current" : "not activated: current is unchanged");
        if (!outcome->pruned.empty()) fmt::print("pruned iterations: {}\n", fmt::join(outcome->pruned, ", "));
    }
    return ExitCode::ok;
}

ExitCode run_verify(const CommandContext& context, const VerifyOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const auto files = genesis::load_release_dir(options.directory);
    if (!files) {
        print_stderr("error: {}\n", files.error().message);
        return files.error().code == Errc::verification_failed ? ExitCode::check_failed : ExitCode::usage_error;
    }
    const auto iteration = options.iteration ? options.iteration : release::declared_iteration(*files);
    if (!iteration) {
        print_stderr("error: {} does not say its iteration (retention.vars ITERATION_NUMBER); pass --iteration N\n",
                     options.directory);
        return ExitCode::check_failed;
    }
    const auto report = release::verify_release(*files, expectation_for(loaded->outcome.config, *iteration));
    if (options.json) {
        auto failures = nlohmann::ordered_json::array();
        for (const auto& failure : report.failures)
            failures.push_back({{"check", failure.check}, {"message", failure.message}});
        print_json({{"directory", options.directory},
                    {"iteration", *iteration},
                    {"layout", release::layout_name(files->layout)},
                    {"valid", report.ok()},
                    {"passed", report.passed},
                    {"failures", failures}});
    } else {
        fmt::print("{} ({} layout, iteration {})\n", options.directory, release::layout_name(files->layout),
                   *iteration);
        for (const auto& check : report.passed) fmt::print("  ok    {}\n", check);
        for (const auto& failure : report.failures) fmt::print("  FAIL  {}: {}\n", failure.check, failure.message);
        fmt::print("{}\n", report.ok() ? "the release is consistent" : "the release is NOT consistent: do not use it");
    }
    return report.ok() ? ExitCode::ok : ExitCode::check_failed;
}

ExitCode run_show(const CommandContext& context, bool json) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const genesis::ReleaseStore store(loaded->outcome.config.data_dir);
    const auto releases = store.list();
    if (!releases) {
        print_stderr("error: {}\n", releases.error().message);
        return ExitCode::runtime_failure;
    }
    if (json) {
        auto items = nlohmann::ordered_json::array();
        for (const auto& r : *releases) {
            items.push_back({{"iteration", r.iteration},
                             {"tag", r.tag},
                             {"layout", r.layout},
                             {"path", r.path.string()},
                             {"current", r.current}});
        }
        const auto current = store.current();
        print_json({{"root", store.root().string()},
                    {"current", current ? nlohmann::ordered_json(*current) : nlohmann::ordered_json()},
                    {"releases", items}});
        return ExitCode::ok;
    }
    if (releases->empty()) {
        fmt::print("no releases installed in {}; run `ephemery genesis fetch`\n", store.root().string());
        return ExitCode::ok;
    }
    for (const auto& r : *releases) {
        fmt::print("{} {:>5}  {:<14} {:<15} {}\n", r.current ? "*" : " ", r.iteration, r.tag, r.layout,
                   r.path.string());
    }
    return ExitCode::ok;
}

}  // namespace

void add_genesis_command(CLI::App& app, CommandContext& context) {
    auto* command = app.add_subcommand("genesis", "Fetch, verify and show Ephemery genesis releases");
    command->require_subcommand(1);

    auto fetch_options = std::make_shared<FetchOptions>();
    auto* fetch = command->add_subcommand("fetch", "Download, verify and install a release (by tag, never \"latest\")");
    auto* tag = fetch->add_option("--tag", fetch_options->tag, "Release tag, e.g. ephemery-160");
    auto* iteration = fetch->add_option("--iteration", fetch_options->iteration, "Iteration number");
    auto* next = fetch->add_flag("--next", fetch_options->next, "The iteration after the live one (pre-fetch)");
    tag->excludes(iteration)->excludes(next);
    iteration->excludes(next);
    fetch->add_option("--source", fetch_options->source,
                      "Base URL or directory holding <tag>/<asset> (default: network.release_base_url)");
    fetch->add_flag("--force", fetch_options->force, "Fetch and install again even when already installed");
    fetch->add_flag("--no-activate", fetch_options->no_activate, "Install without making it current");
    fetch->add_flag("--json", fetch_options->json, "Print one JSON document");
    fetch->callback([&context, fetch_options] { context.exit_code = run_fetch(context, *fetch_options); });

    auto verify_options = std::make_shared<VerifyOptions>();
    auto* verify =
        command->add_subcommand("verify", "Cross-check an extracted release directory; exit 1 if inconsistent");
    verify->add_option("directory", verify_options->directory, "Release directory")->required();
    verify->add_option("--iteration", verify_options->iteration, "Expected iteration (default: what the release says)");
    verify->add_flag("--json", verify_options->json, "Print one JSON document");
    verify->callback([&context, verify_options] { context.exit_code = run_verify(context, *verify_options); });

    auto show_json = std::make_shared<bool>(false);
    auto* show = command->add_subcommand("show", "List installed releases; * marks the current one");
    show->add_flag("--json", *show_json, "Print one JSON document");
    show->callback([&context, show_json] { context.exit_code = run_show(context, *show_json); });
}

}  // namespace ephemery::cli
