// ephemery alerts silence | silences | unsilence: the operator's silences, kept in the monitoring history where the
// running daemon reads them before every evaluation (no restart needed).
#include "alerts/engine.hpp"
#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "core/time_format.hpp"
#include "daemon/alerting.hpp"
#include "history/store.hpp"
#include "infra/clock.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace ephemery::cli {
namespace {

struct SilenceOptions {
    std::string rule;
    std::vector<std::string> matches;  // label=value
    std::string duration;
    std::string reason;
};

struct ListOptions {
    bool json{false};
};

struct UnsilenceOptions {
    std::size_t number{0};
    bool all{false};
};

// The history holding the silences; created when the daemon has not written one yet (a silence may be set up
// before the first start).
std::optional<history::HistoryStore> open_store(const config::Config& config) {
    std::error_code ignored;
    if (!std::filesystem::is_directory(config.data_dir, ignored)) {
        print_stderr("error: the data dir {} does not exist: give the node's --data-dir (or data_dir in the config)\n",
                     config.data_dir.string());
        return std::nullopt;
    }
    auto store = history::HistoryStore::open(config.data_dir / std::string(history::database_file));
    if (!store) {
        print_stderr("error: {}\n", store.error().message);
        return std::nullopt;
    }
    return std::move(*store);
}

// The stored silences still in force at `now`; nullopt (after saying why) when they cannot be read.
std::optional<std::vector<alerts::Silence>> active_silences(history::HistoryStore& store, std::int64_t now) {
    auto stored = store.get_value(daemon::operator_silences_key);
    if (!stored) {
        print_stderr("error: {}\n", stored.error().message);
        return std::nullopt;
    }
    std::vector<alerts::Silence> silences;
    if (*stored) {
        auto parsed = alerts::silences_from_json(**stored);
        if (!parsed) {
            print_stderr("error: {} (history value {}); `ephemery alerts unsilence --all` starts a new list\n",
                         parsed.error().message, daemon::operator_silences_key);
            return std::nullopt;
        }
        silences = std::move(*parsed);
    }
    std::erase_if(silences, [now](const alerts::Silence& silence) { return silence.until <= now; });
    return silences;
}

bool save(history::HistoryStore& store, const std::vector<alerts::Silence>& silences) {
    if (auto saved = store.put_value(daemon::operator_silences_key, alerts::silences_to_json(silences)); !saved) {
        print_stderr("error: {}\n", saved.error().message);
        return false;
    }
    return true;
}

std::string describe(const alerts::Silence& silence, std::int64_t now) {
    std::vector<std::string> matchers;
    for (const auto& [name, value] : silence.matchers) matchers.push_back(fmt::format("{}={}", name, value));
    return fmt::format("{} {} until {} ({} left){}", silence.rule.empty() ? "every rule" : "rule " + silence.rule,
                       matchers.empty() ? "on every series" : "where " + fmt::format("{}", fmt::join(matchers, ",")),
                       format_utc(silence.until), format_duration(silence.until - now),
                       silence.reason.empty() ? "" : ": " + silence.reason);
}

ExitCode run_silence(const CommandContext& context, const SilenceOptions& options) {
    auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const auto& config = loaded->outcome.config;
    const auto seconds = parse_duration(options.duration);
    if (!seconds) {
        print_stderr("error: --for \"{}\" is not a duration such as 30m, 2h or 1d12h (at most a year)\n",
                     options.duration);
        return ExitCode::usage_error;
    }
    alerts::Silence silence;
    silence.rule = options.rule;
    silence.reason = options.reason;
    for (const auto& match : options.matches) {
        const auto equals = match.find('=');
        if (equals == std::string::npos || equals == 0) {
            print_stderr("error: --match \"{}\" is not label=value (e.g. --match label=mine)\n", match);
            return ExitCode::usage_error;
        }
        silence.matchers.emplace_back(match.substr(0, equals), match.substr(equals + 1));
    }
    if (!options.rule.empty()) {
        auto rules = daemon::load_alert_rules(config.alerts);
        if (!rules) {
            print_stderr("error: {}\n", rules.error().message);
            return ExitCode::usage_error;
        }
        const bool known = std::any_of(rules->begin(), rules->end(),
                                       [&](const alerts::Rule& rule) { return rule.name == options.rule; });
        if (!known) {
            std::vector<std::string> names;
            for (const auto& rule : *rules) names.push_back(rule.name);
            print_stderr("error: --rule {}: no such alert rule; the rules are: {}\n", options.rule,
                         fmt::join(names, ", "));
            return ExitCode::usage_error;
        }
    }
    auto store = open_store(config);
    if (!store) return ExitCode::runtime_failure;
    const auto now = infra::unix_now();
    auto silences = active_silences(*store, now);
    if (!silences) return ExitCode::runtime_failure;
    silence.until = now + *seconds;
    const std::string description = describe(silence, now);
    silences->push_back(std::move(silence));
    if (!save(*store, *silences)) return ExitCode::runtime_failure;
    fmt::print("silenced {}\n", description);
    return ExitCode::ok;
}

ExitCode run_list(const CommandContext& context, const ListOptions& options) {
    auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    auto store = open_store(loaded->outcome.config);
    if (!store) return ExitCode::runtime_failure;
    const auto now = infra::unix_now();
    const auto silences = active_silences(*store, now);
    if (!silences) return ExitCode::runtime_failure;
    if (options.json) {
        auto list = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < silences->size(); ++i) {
            const auto& silence = (*silences)[i];
            nlohmann::ordered_json matchers = nlohmann::ordered_json::object();
            for (const auto& [name, value] : silence.matchers) matchers[name] = value;
            list.push_back({{"number", i + 1},
                            {"rule", silence.rule},
                            {"labels", std::move(matchers)},
                            {"until", format_iso8601(silence.until)},
                            {"reason", silence.reason}});
        }
        print_json({{"silences", std::move(list)}});
        return ExitCode::ok;
    }
    if (silences->empty()) fmt::print("no silences in force\n");
    for (std::size_t i = 0; i < silences->size(); ++i) fmt::print("{}. {}\n", i + 1, describe((*silences)[i], now));
    return ExitCode::ok;
}

ExitCode run_unsilence(const CommandContext& context, const UnsilenceOptions& options) {
    if (options.all == (options.number != 0)) {
        print_stderr("error: give the number `ephemery alerts silences` shows, or --all\n");
        return ExitCode::usage_error;
    }
    auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    auto store = open_store(loaded->outcome.config);
    if (!store) return ExitCode::runtime_failure;
    const auto now = infra::unix_now();
    std::vector<alerts::Silence> silences;
    if (!options.all) {
        auto active = active_silences(*store, now);
        if (!active) return ExitCode::runtime_failure;
        if (options.number > active->size()) {
            print_stderr("error: there is no silence {}; {} in force (`ephemery alerts silences`)\n", options.number,
                         active->size());
            return ExitCode::usage_error;
        }
        silences = std::move(*active);
        fmt::print("lifted {}\n", describe(silences[options.number - 1], now));
        silences.erase(silences.begin() + static_cast<std::ptrdiff_t>(options.number - 1));
    }
    if (!save(*store, silences)) return ExitCode::runtime_failure;
    if (options.all) fmt::print("every silence lifted\n");
    return ExitCode::ok;
}

}  // namespace

void add_alerts_commands(CLI::App& app, CommandContext& context) {
    auto* alerts = app.add_subcommand("alerts", "Silence alert notifications (the running daemon picks it up)");
    alerts->require_subcommand(1);

    auto silence = std::make_shared<SilenceOptions>();
    auto* silence_command = alerts->add_subcommand("silence", "Mute notifications of matching alerts for a while");
    silence_command->add_option("--rule", silence->rule, "Only this rule (default: every rule)");
    silence_command->add_option("--match", silence->matches, "Only series with this label, label=value (repeatable)");
    silence_command->add_option("--for", silence->duration, "How long: 30m, 2h, 1d12h")->required();
    silence_command->add_option("--reason", silence->reason, "Why (shown in `alerts silences`)");
    silence_command->callback([&context, silence] { context.exit_code = run_silence(context, *silence); });

    auto list = std::make_shared<ListOptions>();
    auto* list_command = alerts->add_subcommand("silences", "The silences in force");
    list_command->add_flag("--json", list->json, "Print one JSON document");
    list_command->callback([&context, list] { context.exit_code = run_list(context, *list); });

    auto unsilence = std::make_shared<UnsilenceOptions>();
    auto* unsilence_command = alerts->add_subcommand("unsilence", "Lift a silence before it ends");
    unsilence_command->add_option("number", unsilence->number, "Its number in `ephemery alerts silences`");
    unsilence_command->add_flag("--all", unsilence->all, "Lift every silence");
    unsilence_command->callback([&context, unsilence] { context.exit_code = run_unsilence(context, *unsilence); });
}

}  // namespace ephemery::cli
