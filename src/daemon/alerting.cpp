#include "daemon/alerting.hpp"

#include "infra/files.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ephemery::daemon {
namespace {

constexpr std::string_view engine_state_key = "alerts.engine";
constexpr std::size_t max_rules_bytes = std::size_t{1} << 20U;

std::string labels_json(const alerts::Labels& labels) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& [name, value] : labels) object[name] = value;
    return object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

Result<std::vector<alerts::Rule>> load_alert_rules(const alerts::Settings& settings) {
    std::vector<alerts::Rule> rules;
    if (settings.rules_file.empty()) {
        rules = alerts::builtin_rules();
    } else {
        auto text = infra::read_file(settings.rules_file, max_rules_bytes);
        if (!text) {
            return make_error(text.error().code, fmt::format("alerts.rules_file: {} (fix the path, or leave it empty "
                                                             "for the built-in rules)",
                                                             text.error().message));
        }
        auto parsed = alerts::parse_rules(*text, settings.rules_file);
        if (!parsed) return parsed.error();
        rules = std::move(*parsed);
    }
    std::vector<std::string> names;
    for (const auto& channel : settings.channels) names.push_back(channel.name);
    if (auto checked = alerts::check_rule_channels(rules, names, settings.rules_file); !checked) {
        return checked.error();
    }
    return rules;
}

Alerting::Alerting(std::vector<alerts::Rule> rules, alerts::EngineState state, std::vector<alerts::Channel> channels,
                   history::HistoryStore store)
    : engine_(std::move(rules), std::move(state)), dispatcher_(std::move(channels)), store_(std::move(store)) {}

Result<std::unique_ptr<Alerting>> Alerting::create(const alerts::Settings& settings,
                                                   const std::filesystem::path& database) {
    auto rules = load_alert_rules(settings);
    if (!rules) return rules.error();
    auto store = history::HistoryStore::open(database);
    if (!store) return store.error();
    alerts::EngineState state;
    std::string saved_state;
    if (auto saved = store->get_value(engine_state_key); saved && *saved) {
        saved_state = **saved;
        if (auto restored = alerts::engine_state_from_json(**saved)) {
            state = std::move(*restored);
        } else {
            spdlog::warn("alerting: the saved alert state is unreadable ({}); starting with no active alerts",
                         restored.error().message);
        }
    }
    auto alerting = std::unique_ptr<Alerting>(
        new Alerting(std::move(*rules), std::move(state), settings.channels, std::move(*store)));
    alerting->saved_state_ = std::move(saved_state);
    return alerting;
}

void Alerting::evaluate(const std::vector<monitoring::Sample>& samples, std::uint64_t iteration, std::uint64_t epoch,
                        std::int64_t now) {
    const std::scoped_lock lock(mutex_);
    apply_operator_silences();
    const auto notifications = engine_.evaluate(samples, iteration, epoch, now);
    for (const auto& notification : notifications) {
        const auto report = dispatcher_.deliver(notification);
        std::string delivery;
        for (const auto& channel : report.channels) {
            if (!delivery.empty()) delivery += "; ";
            delivery += channel.delivered
                            ? fmt::format("{}: delivered ({} attempts)", channel.channel, channel.attempts)
                            : fmt::format("{}: failed after {} attempts: {}", channel.channel, channel.attempts,
                                          channel.last_error);
        }
        ++notifications_;
        history::AlertEvent event;
        event.time = notification.time;
        event.iteration = notification.iteration;
        event.epoch = notification.epoch;
        event.rule = notification.rule;
        event.state = std::string(alerts::notification_state_name(notification.state));
        event.severity = std::string(alerts::severity_name(notification.severity));
        event.labels_json = labels_json(notification.labels);
        event.value = notification.value;
        event.summary = notification.summary;
        event.delivery = delivery;
        if (auto recorded = store_.record_alert(event); !recorded) {
            ++record_failures_;
            spdlog::warn("alerting: {}", recorded.error().message);
        }
    }
    // Evaluated at every poll; written only when it changed (a new epoch counted, an alert started or ended).
    auto state = engine_.to_json();
    if (state != saved_state_) {
        if (auto saved = store_.put_value(engine_state_key, state); !saved) {
            ++record_failures_;
            spdlog::warn("alerting: cannot save the alert state: {}", saved.error().message);
        } else {
            saved_state_ = std::move(state);
        }
    }
}

// `ephemery alerts silence` writes the operator's list while the daemon runs; it is read before every evaluation
// (one small row) so a silence takes effect at the next poll without a restart.
void Alerting::apply_operator_silences() {
    auto stored = store_.get_value(operator_silences_key);
    if (!stored || !*stored) return;
    if (**stored == applied_silences_) return;
    auto silences = alerts::silences_from_json(**stored);
    if (!silences) {
        ++record_failures_;
        if (!silences_unreadable_) spdlog::warn("alerting: {}; the silences in force stay", silences.error().message);
        silences_unreadable_ = true;
        return;
    }
    silences_unreadable_ = false;
    engine_.set_silences(std::move(*silences));
    applied_silences_ = **stored;
    spdlog::info("alerting: {} operator silence(s) in force", engine_.silences().size());
}

std::vector<monitoring::MetricFamily> Alerting::metric_families() const {
    const std::scoped_lock lock(mutex_);
    std::vector<monitoring::MetricFamily> families;
    monitoring::MetricFamily firing{"ephemery_alerts_firing", "gauge", "alerts firing now, by rule and severity", {}};
    std::map<std::pair<std::string, std::string>, double> counts;
    for (const auto& alert : engine_.alerts()) {
        if (alert.state != alerts::AlertState::firing) continue;
        counts[{alert.rule, std::string(alerts::severity_name(alert.severity))}] += 1;
    }
    for (const auto& [key, count] : counts) {
        firing.samples.push_back({firing.name, {{"rule", key.first}, {"severity", key.second}}, count});
    }
    families.push_back(std::move(firing));
    monitoring::MetricFamily delivered{
        "ephemery_alert_notifications_total", "counter", "notifications per channel, delivered or given up on", {}};
    monitoring::MetricFamily retries{
        "ephemery_alert_delivery_retries_total", "counter", "delivery attempts after the first, per channel", {}};
    for (const auto& channel : dispatcher_.counters()) {
        delivered.samples.push_back({delivered.name,
                                     {{"channel", channel.channel}, {"outcome", "delivered"}},
                                     static_cast<double>(channel.delivered_total)});
        delivered.samples.push_back({delivered.name,
                                     {{"channel", channel.channel}, {"outcome", "failed"}},
                                     static_cast<double>(channel.failed_total)});
        retries.samples.push_back(
            {retries.name, {{"channel", channel.channel}}, static_cast<double>(channel.retries_total)});
    }
    families.push_back(std::move(delivered));
    families.push_back(std::move(retries));
    return families;
}

nlohmann::ordered_json Alerting::status() const {
    const std::scoped_lock lock(mutex_);
    auto active = nlohmann::ordered_json::array();
    for (const auto& alert : engine_.alerts()) {
        active.push_back({{"rule", alert.rule},
                          {"state", alerts::alert_state_name(alert.state)},
                          {"severity", alerts::severity_name(alert.severity)},
                          {"labels", nlohmann::ordered_json::parse(labels_json(alert.labels))},
                          {"value", alert.value},
                          {"since_epoch", alert.started_epoch}});
    }
    return {{"rules", engine_.rules().size()},
            {"notifications", notifications_},
            {"record_failures", record_failures_},
            {"active", std::move(active)}};
}

}  // namespace ephemery::daemon
