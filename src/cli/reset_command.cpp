#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "daemon/node_daemon.hpp"
#include "infra/clock.hpp"
#include "network/schedule.hpp"
#include "node/plan.hpp"
#include "reset/engine.hpp"
#include "reset/external_control.hpp"

#include <fmt/format.h>

#include <chrono>

namespace ephemery::cli {
namespace {

struct ResetOptions {
    std::optional<std::uint64_t> iteration;
    bool force{false};
    bool json{false};
};

std::string human_bytes(std::uint64_t bytes) {
    constexpr std::array<const char*, 5> units{"B", "KiB", "MiB", "GiB", "TiB"};
    auto value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < units.size()) {
        value /= 1024.0;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

Result<std::uint64_t> target_iteration(const ResetOptions& options, const network::Schedule& schedule) {
    if (options.iteration) return *options.iteration;
    const auto now = infra::unix_now();
    const auto live = network::iteration_at(schedule, now);
    if (!live) return make_error(Errc::invalid_argument, "the network has not started yet; pass --iteration N");
    return *live;
}

Result<reset::Prepared> prepare(const config::Config& config, const ResetOptions& options) {
    auto iteration = target_iteration(options, config.network.schedule);
    if (!iteration) return iteration.error();
    return reset::prepare_reset({.data_dir = config.data_dir,
                                 .instances = daemon::node_instances(config.network.name, config.data_dir, config.node),
                                 .target_iteration = *iteration,
                                 .expectation = expectation_for(config, *iteration),
                                 .force = options.force});
}

// The prepared reset for the configuration; problems are printed and give nullopt (a usage error).
std::optional<reset::Prepared> load_and_prepare(const CommandContext& context, const ResetOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return std::nullopt;
    auto prepared = prepare(loaded->outcome.config, options);
    if (!prepared) {
        print_stderr("error: {}\n", prepared.error().message);
        return std::nullopt;
    }
    return std::move(prepared).value();
}

nlohmann::ordered_json plan_document(const reset::Prepared& prepared, const std::vector<reset::StepPreview>& previews) {
    auto document = reset::to_json(prepared.plan);
    document["resuming"] = prepared.resuming;
    document["resume_at_step"] = prepared.resume_at + 1;
    document["refusals"] = prepared.refusals;
    for (std::size_t i = 0; i < previews.size(); ++i) {
        auto& step = document["steps"][i];
        const auto& preview = previews[i];
        step["done"] = prepared.resuming && i < prepared.resume_at;
        if (!preview.deletions.empty() || step["kind"] == "wipe-chain-data") {
            auto deletions = nlohmann::ordered_json::array();
            for (const auto& deletion : preview.deletions) {
                deletions.push_back({{"path", deletion.path},
                                     {"bytes", deletion.usage.bytes},
                                     {"entries", deletion.usage.entries},
                                     {"symlink", deletion.symlink}});
            }
            step["delete"] = std::move(deletions);
            step["kept"] = preview.kept;
            if (!preview.notes.empty()) step["notes"] = preview.notes;
        }
        if (preview.store) {
            step["store"] = {
                {"exists", preview.store->exists},
                {"bytes", preview.store->bytes},
                {"genesis_validators_root", preview.store->genesis_validators_root
                                                ? nlohmann::ordered_json(*preview.store->genesis_validators_root)
                                                : nullptr}};
            if (!preview.store->note.empty()) step["store"]["note"] = preview.store->note;
        }
    }
    return document;
}

void print_step(std::size_t index, const reset::Step& step, const reset::StepPreview& preview, bool done) {
    fmt::print("{:>3}. {}{}\n", index + 1, step.description, done ? "  [done]" : "");
    using reset::StepKind;
    switch (step.kind) {
        case StepKind::wipe_chain_data:
            for (const auto& deletion : preview.deletions) {
                fmt::print("       delete {}  ({}, {} entries{})\n", deletion.path, human_bytes(deletion.usage.bytes),
                           deletion.usage.entries, deletion.symlink ? ", a symlink: only the link goes" : "");
            }
            if (preview.deletions.empty()) fmt::print("       nothing to delete in {}\n", step.path.string());
            for (const auto& kept : preview.kept) fmt::print("       keep   {}\n", kept);
            for (const auto& note : preview.notes) fmt::print("       note   {}\n", note);
            break;
        case StepKind::archive_slashing:
        case StepKind::clear_slashing:
            if (preview.store && preview.store->exists) {
                fmt::print("       {} ({}, {}): {}\n",
                           step.kind == StepKind::archive_slashing ? step.source : step.path.string(), step.format,
                           human_bytes(preview.store->bytes),
                           preview.store->genesis_validators_root
                               ? "genesis validators root " + *preview.store->genesis_validators_root
                               : preview.store->note);
                if (step.kind == StepKind::archive_slashing) fmt::print("       into {}\n", step.path.string());
            } else {
                fmt::print("       {} does not exist: nothing to do\n",
                           step.kind == StepKind::archive_slashing ? step.source : step.path.string());
            }
            break;
        case StepKind::init_genesis: fmt::print("       run: {}\n", fmt::join(step.command, " ")); break;
        default: break;
    }
}

ExitCode run_plan(const CommandContext& context, const ResetOptions& options) {
    const auto prepared = load_and_prepare(context, options);
    if (!prepared) return ExitCode::usage_error;
    const auto previews = reset::preview_plan(prepared->plan);
    if (!previews) {
        print_stderr("error: {}\n", previews.error().message);
        return ExitCode::runtime_failure;
    }
    if (options.json) {
        print_json(plan_document(*prepared, *previews));
        return prepared->refusals.empty() ? ExitCode::ok : ExitCode::check_failed;
    }
    const auto& plan = prepared->plan;
    fmt::print("Reset of {} to iteration {}{}\n", plan.data_dir.string(), plan.target_iteration,
               plan.from_iteration ? fmt::format(" (the node is on iteration {})", *plan.from_iteration)
                                   : std::string(" (no iteration recorded: a new node, or data from before ephemery)"));
    if (prepared->resuming) {
        fmt::print("An interrupted reset is recorded in {}: `reset run` resumes it at step {}.\n",
                   reset::journal_path(plan.data_dir).string(), prepared->resume_at + 1);
    }
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        print_step(i, plan.steps[i], (*previews)[i], prepared->resuming && i < prepared->resume_at);
    }
    if (!prepared->refusals.empty()) {
        fmt::print("\n`reset run` would refuse:\n");
        for (const auto& refusal : prepared->refusals) fmt::print("  - {}\n", refusal);
    }
    fmt::print("\nThis was a dry run: nothing was changed.\n");
    return prepared->refusals.empty() ? ExitCode::ok : ExitCode::check_failed;
}

ExitCode run_run(const CommandContext& context, const ResetOptions& options) {
    const auto prepared = load_and_prepare(context, options);
    if (!prepared) return ExitCode::usage_error;
    if (!prepared->refusals.empty()) {
        print_stderr("error: refusing to reset:\n");
        for (const auto& refusal : prepared->refusals) print_stderr("  - {}\n", refusal);
        return ExitCode::check_failed;
    }
    if (auto running = daemon::find_running_daemon(prepared->plan.data_dir); running && *running) {
        print_stderr(
            "error: the ephemery daemon (pid {}) runs this node and resets it itself; ask it with "
            "POST /api/v1/reset, or stop it first with `ephemery down`\n",
            (*running)->pid);
        return ExitCode::runtime_failure;
    }
    reset::ExternalControl control;
    const auto outcome = reset::run_reset(*prepared, {.control = &control, .on_phase = {}});
    if (!outcome) {
        print_stderr("error: {}\n", outcome.error().message);
        return ExitCode::runtime_failure;
    }
    if (options.json) {
        print_json({{"iteration", outcome->iteration},
                    {"steps_run", outcome->steps_run},
                    {"steps_resumed_past", outcome->steps_skipped},
                    {"start", control.to_start()}});
    } else {
        fmt::print("the node is reset to iteration {} ({} steps{})\n", outcome->iteration, outcome->steps_run,
                   outcome->steps_skipped > 0 ? fmt::format(", resumed after {} done before", outcome->steps_skipped)
                                              : std::string());
        if (!control.to_start().empty())
            fmt::print("start your clients now: {}\n", fmt::join(control.to_start(), ", "));
    }
    return ExitCode::ok;
}

}  // namespace

void add_reset_command(CLI::App& app, CommandContext& context) {
    auto* command =
        app.add_subcommand("reset", "Reset the node to a new iteration: keep identity and keys, wipe chain data");
    command->require_subcommand(1);

    auto plan_options = std::make_shared<ResetOptions>();
    auto* plan = command->add_subcommand("plan", "Show what `reset run` would do, with sizes; changes nothing");
    plan->add_option("--iteration", plan_options->iteration, "Target iteration (default: the one live now)");
    plan->add_flag("--force", plan_options->force, "Plan a reset even if the node is already on the iteration");
    plan->add_flag("--json", plan_options->json, "Print one JSON document");
    plan->callback([&context, plan_options] { context.exit_code = run_plan(context, *plan_options); });

    auto run_options = std::make_shared<ResetOptions>();
    auto* run = command->add_subcommand(
        "run", "Reset through a journal in the data dir; a rerun after a crash resumes where it stopped");
    run->add_option("--iteration", run_options->iteration, "Target iteration (default: the one live now)");
    run->add_flag("--force", run_options->force, "Reset even if the node is already on the iteration");
    run->add_flag("--json", run_options->json, "Print one JSON document");
    run->callback([&context, run_options] { context.exit_code = run_run(context, *run_options); });
}

}  // namespace ephemery::cli
