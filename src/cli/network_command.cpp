#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "core/time_format.hpp"
#include "infra/clock.hpp"
#include "network/schedule.hpp"

#include <fmt/format.h>

#include <chrono>

namespace ephemery::cli {
namespace {

struct NetworkOptions {
    std::optional<std::int64_t> at;
    std::optional<std::uint64_t> iteration;
    bool json{false};
};

nlohmann::ordered_json to_json(const std::string& name, const network::Schedule& schedule,
                               const network::IterationInfo& info, std::int64_t at) {
    nlohmann::ordered_json doc;
    doc["network"] = name;
    doc["at"] = at;
    doc["iteration"] = info.iteration;
    doc["legacy"] = info.legacy;
    doc["chain_id"] = info.chain_id ? nlohmann::ordered_json(*info.chain_id) : nlohmann::ordered_json();
    doc["release_tag"] = info.release_tag ? nlohmann::ordered_json(*info.release_tag) : nlohmann::ordered_json();
    if (info.times) {
        doc["el_genesis_time"] = info.times->el_genesis_time;
        doc["cl_genesis_time"] = info.times->cl_genesis_time;
        doc["reset_time"] = info.times->reset_time;
        doc["seconds_to_reset"] = info.times->reset_time - at;
        doc["next_release_tag"] = network::release_tag(schedule, info.iteration + 1);
        doc["next_release_published_time"] = info.times->next_release_published_time;
    }
    const auto latest = network::latest_release_iteration_at(schedule, at);
    doc["latest_release_tag"] =
        latest ? nlohmann::ordered_json(network::release_tag(schedule, *latest)) : nlohmann::ordered_json();
    return doc;
}

void print_text(const std::string& name, const network::Schedule& schedule, const network::IterationInfo& info,
                std::int64_t at) {
    fmt::print("network      {}\n", name);
    fmt::print("at           {} ({})\n", format_utc(at), at);
    fmt::print("iteration    {}{}\n", info.iteration, info.legacy ? " (legacy: before the modelled era)" : "");
    if (info.chain_id) fmt::print("chain id     {}\n", *info.chain_id);
    if (!info.times) {
        fmt::print("times        not modelled: iterations before {} used other intervals\n", schedule.base_iteration);
        return;
    }
    const auto& times = *info.times;
    fmt::print("release tag  {}\n", *info.release_tag);
    fmt::print("EL genesis   {} ({})\n", format_utc(times.el_genesis_time), times.el_genesis_time);
    fmt::print("CL genesis   {} ({})\n", format_utc(times.cl_genesis_time), times.cl_genesis_time);
    const std::int64_t remaining = times.reset_time - at;
    fmt::print("reset        {} ({}), {}\n", format_utc(times.reset_time), times.reset_time,
               remaining >= 0 ? "in " + format_duration(remaining) : "ended " + format_duration(-remaining) + " ago");
    fmt::print("next release {} is published from about {}\n", network::release_tag(schedule, info.iteration + 1),
               format_utc(times.next_release_published_time));
    if (const auto latest = network::latest_release_iteration_at(schedule, at); latest && *latest != info.iteration) {
        fmt::print("note         \"latest\" already points at {}: fetch releases by tag\n",
                   network::release_tag(schedule, *latest));
    }
}

ExitCode run_network(const CommandContext& context, const NetworkOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const config::Config* config = &loaded->outcome.config;
    const network::Schedule& schedule = config->network.schedule;

    const std::int64_t at = options.at.value_or(infra::unix_now());
    std::uint64_t iteration = 0;
    if (options.iteration) {
        iteration = *options.iteration;
    } else if (const auto live = network::iteration_at(schedule, at)) {
        iteration = *live;
    } else {
        const auto first = network::describe_iteration(schedule, schedule.base_iteration);
        print_stderr(
            "error: {} is before iteration {} ({}), where the {} schedule begins; earlier iterations are legacy "
            "and not modelled. Pass --iteration N to see what is known about one.\n",
            format_utc(at), schedule.base_iteration,
            first && first->times ? format_utc(first->times->el_genesis_time) : "?", config->network.name);
        return ExitCode::usage_error;
    }
    const auto info = network::describe_iteration(schedule, iteration);
    if (!info) {
        print_stderr("error: --iteration: {}\n", info.error().message);
        return ExitCode::usage_error;
    }
    if (options.json) {
        print_json(to_json(config->network.name, schedule, *info, at));
    } else {
        print_text(config->network.name, schedule, *info, at);
    }
    return ExitCode::ok;
}

}  // namespace

void add_network_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<NetworkOptions>();
    auto* command = app.add_subcommand(
        "network", "Show the iteration, chain id, genesis times, release tag and next reset of the network");
    command->add_option("--at", options->at, "Unix time to ask about (default: now)");
    command->add_option("--iteration", options->iteration, "Iteration to describe (default: the one live --at)");
    command->add_flag("--json", options->json, "Print one JSON document");
    command->callback([&context, options] { context.exit_code = run_network(context, *options); });
}

}  // namespace ephemery::cli
