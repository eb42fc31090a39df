// `monitor once` (one epoch judged now, nothing stored), `history` (what the daemon stored) and `report`
// (analytics over a period of that history).
#include "analytics/report.hpp"
#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "collector/collector.hpp"
#include "core/text.hpp"
#include "history/store.hpp"
#include "infra/clock.hpp"
#include "infra/files.hpp"
#include "network/schedule.hpp"

#include <fmt/format.h>

namespace ephemery::cli {
namespace {

struct OnceOptions {
    std::optional<std::uint64_t> epoch;
    std::string beacon_url{"http://127.0.0.1:5052"};
    std::string execution_url;
    bool json{false};
};

struct ReportOptions {
    std::string period{"7d"};
    std::string format{"table"};
    std::string output;
    std::string title{"ephemery validator report"};
};

struct HistoryOptions {
    std::optional<std::uint64_t> iteration;
    std::string label;
    std::string pubkey;
    std::uint64_t epochs{5};
    bool alerts{false};
    bool json{false};
};

std::string vote(std::optional<bool> value) {
    if (!value) return "-";
    return *value ? "y" : "n";
}

std::string short_pubkey(const std::string& pubkey) {
    return pubkey.size() > 12 ? pubkey.substr(0, 10) + ".." : pubkey;
}

void print_validators(const std::vector<monitoring::ValidatorEpoch>& rows) {
    const auto or_dash = [](const auto& value) { return value ? fmt::format("{}", *value) : std::string("-"); };
    fmt::print("{:>9} {:>5} {:<10} {:>7} {:<12} {:<16} {:>15} {:>9} {:>9}  S T H L  {:>4} {:>5} {:>5}  {:<19}\n",
               "iteration", "epoch", "label", "index", "pubkey", "status", "balance (Gwei)", "delta", "reward", "miss",
               "delay", "sync", "figures from");
    for (const auto& row : rows) {
        const std::string sync =
            row.sync_participated && row.sync_missed
                ? fmt::format("{}/{}", *row.sync_participated, *row.sync_participated + *row.sync_missed)
                : std::string("-");
        fmt::print(
            "{:>9} {:>5} {:<10} {:>7} {:<12} {:<16} {:>15} {:>9} {:>9}  {} {} {} {}  {:>4} {:>5} {:>5}  {:<19}\n",
            row.iteration, row.epoch, row.label, row.index, short_pubkey(row.pubkey), row.status, row.balance,
            row.balance_delta, fmt::format("{}/{}", row.attestation_reward, row.ideal_attestation_reward),
            vote(row.source_hit), vote(row.target_hit), vote(row.head_hit), vote(row.live),
            row.missed_attestations_in_row, or_dash(row.inclusion_delay), sync,
            monitoring::figure_source_name(row.source));
    }
}

ExitCode run_once(const CommandContext& context, const OnceOptions& options) {
    auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const auto& config = loaded->outcome.config;
    collector::CollectorSettings settings;
    settings.monitoring = config.monitoring;
    settings.beacon_url = options.beacon_url;
    settings.execution_url = options.execution_url;
    settings.data_dir = config.data_dir;
    settings.iteration_of = [schedule = config.network.schedule](std::int64_t genesis_time) {
        return network::iteration_at(schedule, genesis_time);
    };
    std::error_code ignored;
    std::filesystem::create_directories(settings.data_dir, ignored);  // the state is downloaded there
    auto collector = collector::Collector::create(std::move(settings));
    if (!collector) {
        print_stderr("error: {}\n", collector.error().message);
        return ExitCode::runtime_failure;
    }
    auto snapshot = (*collector)->judge_once(options.epoch);
    if (!snapshot) {
        print_stderr("error: {}\n", snapshot.error().message);
        const auto code = snapshot.error().code;
        if (code == Errc::invalid_argument) return ExitCode::usage_error;
        return code == Errc::not_found ? ExitCode::check_failed : ExitCode::runtime_failure;
    }
    if (options.json) {
        print_json(collector::to_json(*snapshot));
        return ExitCode::ok;
    }
    if (snapshot->node) {
        const auto& node = *snapshot->node;
        fmt::print("iteration {} epoch {}: head slot {} (sync distance {}), {} peers, finalized epoch {} ({} behind)\n",
                   node.iteration, node.epoch, node.head_slot, node.sync_distance, node.peers, node.finalized_epoch,
                   node.finality_lag_epochs);
    }
    if (snapshot->network) {
        fmt::print("network: {} active validators, participation source {:.1f}% target {:.1f}% head {:.1f}%\n",
                   snapshot->network->active_validators, 100 * snapshot->network->source_participation,
                   100 * snapshot->network->target_participation, 100 * snapshot->network->head_participation);
    }
    if (snapshot->validators.empty()) {
        fmt::print("no validators are watched: list them under monitoring.validators (pubkeys or index ranges)\n");
    } else {
        print_validators(snapshot->validators);
    }
    for (const auto& missing : snapshot->missing) {
        fmt::print("missing: {} ({}) is not in this iteration's validator registry\n", missing.pubkey, missing.label);
    }
    return ExitCode::ok;
}

nlohmann::ordered_json alert_json(const history::AlertEvent& event) {
    return {{"time", event.time},
            {"iteration", event.iteration},
            {"epoch", event.epoch},
            {"rule", event.rule},
            {"state", event.state},
            {"severity", event.severity},
            {"labels", nlohmann::ordered_json::parse(event.labels_json, nullptr, false)},
            {"value", event.value},
            {"summary", event.summary},
            {"delivery", event.delivery}};
}

std::optional<history::HistoryStore> open_history(const config::Config& config) {
    const auto path = config.data_dir / std::string(history::database_file);
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) {
        print_stderr(
            "error: there is no monitoring history at {}: `ephemery up` (or `ephemery devnet`) writes "
            "it while monitoring.enabled is true\n",
            path.string());
        return std::nullopt;
    }
    auto store = history::HistoryStore::open(path);
    if (!store) {
        print_stderr("error: {}\n", store.error().message);
        return std::nullopt;
    }
    return std::move(*store);
}

ExitCode run_history(const CommandContext& context, const HistoryOptions& options) {
    auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    auto store = open_history(loaded->outcome.config);
    if (!store) return ExitCode::runtime_failure;
    history::ValidatorQuery query;
    query.iteration = options.iteration;
    if (!options.label.empty()) query.label = options.label;
    if (!options.pubkey.empty()) query.pubkey = to_lower(options.pubkey);
    if (options.epochs > 0) query.last_epochs = options.epochs;
    auto rows = store->validators(query);
    auto nodes = store->nodes(std::nullopt, options.iteration);
    auto iterations = store->iterations();
    auto alerts = store->alerts(std::nullopt);
    for (const auto* failed : {rows ? nullptr : &rows.error(), nodes ? nullptr : &nodes.error(),
                               iterations ? nullptr : &iterations.error(), alerts ? nullptr : &alerts.error()}) {
        if (failed != nullptr) {
            print_stderr("error: {}\n", failed->message);
            return ExitCode::runtime_failure;
        }
    }
    if (options.json) {
        nlohmann::ordered_json document;
        document["iterations"] = *iterations;
        auto validators = nlohmann::ordered_json::array();
        for (const auto& row : *rows) {
            auto entry = collector::to_json(row);
            entry["iteration"] = row.iteration;
            entry["epoch"] = row.epoch;
            entry["time"] = row.time;
            validators.push_back(std::move(entry));
        }
        document["validators"] = std::move(validators);
        auto node_rows = nlohmann::ordered_json::array();
        for (const auto& node : *nodes) {
            node_rows.push_back({{"iteration", node.iteration},
                                 {"epoch", node.epoch},
                                 {"node", collector::to_json(node)},
                                 {"time", node.time}});
        }
        document["nodes"] = std::move(node_rows);
        if (options.alerts) {
            auto events = nlohmann::ordered_json::array();
            for (const auto& event : *alerts) events.push_back(alert_json(event));
            document["alerts"] = std::move(events);
        }
        print_json(document);
        return ExitCode::ok;
    }
    fmt::print("iterations with history: {}\n", fmt::join(*iterations, ", "));
    if (rows->empty()) {
        fmt::print("no validator records match\n");
    } else {
        print_validators(*rows);
    }
    if (options.alerts) {
        for (const auto& event : *alerts) {
            fmt::print("alert {} {} {} (iteration {} epoch {}): {} [{}]\n", event.rule, event.state, event.severity,
                       event.iteration, event.epoch, event.summary, event.delivery);
        }
    }
    return ExitCode::ok;
}

ExitCode run_report(const CommandContext& context, const ReportOptions& options) {
    const auto window = analytics::parse_window(options.period);
    const auto format = analytics::parse_format(options.format);
    for (const auto* problem : {window ? nullptr : &window.error(), format ? nullptr : &format.error()}) {
        if (problem != nullptr) {
            print_stderr("error: {}\n", problem->message);
            return ExitCode::usage_error;
        }
    }
    auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    auto store = open_history(loaded->outcome.config);
    if (!store) return ExitCode::runtime_failure;
    analytics::ReportInput input;
    input.title = options.title;
    input.window = *window;
    input.now = infra::unix_now();
    const auto since = analytics::window_start(*window, input.now);
    history::ValidatorQuery query;
    query.since = since;
    auto validators = store->validators(query);
    auto nodes = store->nodes(since, std::nullopt);
    auto networks = store->networks(since);
    for (const auto* failed : {validators ? nullptr : &validators.error(), nodes ? nullptr : &nodes.error(),
                               networks ? nullptr : &networks.error()}) {
        if (failed != nullptr) {
            print_stderr("error: {}\n", failed->message);
            return ExitCode::runtime_failure;
        }
    }
    input.validators = std::move(*validators);
    input.node = std::move(*nodes);
    input.network = std::move(*networks);
    const std::string text = analytics::render(analytics::make_report(input), *format);
    if (options.output.empty()) {
        fmt::print("{}", text);
        return ExitCode::ok;
    }
    using std::filesystem::perms;
    const auto mode = perms::owner_read | perms::owner_write | perms::group_read | perms::others_read;
    if (auto written = infra::write_file_atomically(options.output, text, mode); !written) {
        print_stderr("error: --output {}: {}\n", options.output, written.error().message);
        return ExitCode::runtime_failure;
    }
    print_stderr("report written to {}\n", options.output);
    return ExitCode::ok;
}

}  // namespace

void add_monitor_commands(CLI::App& app, CommandContext& context) {
    auto* monitor = app.add_subcommand("monitor", "Per-epoch monitoring of the node and its validators");
    monitor->require_subcommand(1);
    auto once = std::make_shared<OnceOptions>();
    auto* once_command =
        monitor->add_subcommand("once", "Judge one epoch now from the node's beacon API and print it (stores nothing)");
    once_command->add_option("--epoch", once->epoch, "The epoch (default: the newest the mode can judge)");
    once_command->add_option("--beacon-url", once->beacon_url, "The consensus client's REST API")
        ->capture_default_str();
    once_command->add_option("--execution-url", once->execution_url, "The execution client's JSON-RPC (optional)");
    once_command->add_flag("--json", once->json, "Print one JSON document");
    once_command->callback([&context, once] { context.exit_code = run_once(context, *once); });

    auto history_options = std::make_shared<HistoryOptions>();
    auto* history_command = app.add_subcommand("history", "What monitoring stored: validators per epoch, alerts");
    history_command->add_option("--iteration", history_options->iteration, "Only this iteration");
    history_command->add_option("--label", history_options->label, "Only this validator group");
    history_command->add_option("--pubkey", history_options->pubkey,
                                "Only this validator (it keeps its pubkey across resets)");
    history_command->add_option("--epochs", history_options->epochs, "The newest N epochs of each iteration (0: all)")
        ->capture_default_str();
    history_command->add_flag("--alerts", history_options->alerts, "Also the alerts fired and resolved");
    history_command->add_flag("--json", history_options->json, "Print one JSON document");
    history_command->callback(
        [&context, history_options] { context.exit_code = run_history(context, *history_options); });

    auto report = std::make_shared<ReportOptions>();
    auto* report_command =
        app.add_subcommand("report", "Validator and node performance over a period, from the monitoring history");
    report_command->add_option("--period", report->period, "1d, 7d, 30d, 90d or all")->capture_default_str();
    report_command->add_option("--format", report->format, "table, json, csv or html (one self-contained page)")
        ->capture_default_str();
    report_command->add_option("--output", report->output, "Write to this file (atomically) instead of stdout");
    report_command->add_option("--title", report->title, "The report's title")->capture_default_str();
    report_command->callback([&context, report] { context.exit_code = run_report(context, *report); });
}

}  // namespace ephemery::cli
