#include "alerts/engine.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <set>

namespace ephemery::alerts {
namespace {

using nlohmann::json;

constexpr int state_version = 1;

Labels sorted(Labels labels) {
    std::sort(labels.begin(), labels.end());
    return labels;
}

bool has_all(const Labels& labels, const Labels& matchers) {
    return std::all_of(matchers.begin(), matchers.end(), [&](const auto& matcher) {
        return std::find(labels.begin(), labels.end(), matcher) != labels.end();
    });
}

// The rule's severity raised by every escalation step the alert has reached.
Severity escalated_severity(const Rule& rule, std::uint64_t firing_epochs) {
    Severity severity = rule.severity;
    for (const auto& step : rule.escalation) {
        if (firing_epochs >= step.after_epochs && step.severity > severity) severity = step.severity;
    }
    return severity;
}

json labels_to_json(const Labels& labels) {
    json object = json::object();
    for (const auto& [name, value] : labels) object[name] = value;
    return object;
}

enum class Kind { text, count, integer, number, flag, object, array };

bool is_kind(const json& value, Kind kind) {
    switch (kind) {
        case Kind::text: return value.is_string();
        case Kind::count: return value.is_number_unsigned();
        case Kind::integer: return value.is_number_integer();
        case Kind::number: return value.is_number() || value.is_null();  // null: NaN
        case Kind::flag: return value.is_boolean();
        case Kind::object: return value.is_object();
        case Kind::array: return value.is_array();
    }
    return false;
}

// Reads the JSON fields of the state; the first problem wins (the file is ours, not an operator's).
class StateReader {
  public:
    std::optional<std::string> problem;

    const json* field(const json& object, const char* key, Kind kind, const std::string& where) {
        if (problem) return nullptr;
        const auto it = object.find(key);
        if (it == object.end() || !is_kind(*it, kind)) {
            problem = fmt::format("{}.{} is missing or has the wrong type", where, key);
            return nullptr;
        }
        return &*it;
    }

    std::string text(const json& object, const char* key, const std::string& where) {
        const json* value = field(object, key, Kind::text, where);
        return value != nullptr ? value->get<std::string>() : std::string();
    }
    std::uint64_t count(const json& object, const char* key, const std::string& where) {
        const json* value = field(object, key, Kind::count, where);
        return value != nullptr ? value->get<std::uint64_t>() : 0;
    }
    std::int64_t integer(const json& object, const char* key, const std::string& where) {
        const json* value = field(object, key, Kind::integer, where);
        return value != nullptr ? value->get<std::int64_t>() : 0;
    }
    double number(const json& object, const char* key, const std::string& where) {
        const json* value = field(object, key, Kind::number, where);
        if (value == nullptr) return 0;
        return value->is_null() ? std::numeric_limits<double>::quiet_NaN() : value->get<double>();
    }
    bool flag(const json& object, const char* key, const std::string& where) {
        const json* value = field(object, key, Kind::flag, where);
        return value != nullptr && value->get<bool>();
    }
    Severity severity(const json& object, const char* key, const std::string& where) {
        const std::string name = text(object, key, where);
        const auto severity = severity_from_name(name);
        if (!severity && !problem) problem = fmt::format("{}.{}: \"{}\" is not a severity", where, key, name);
        return severity.value_or(Severity::warning);
    }
    Labels labels(const json& object, const char* key, const std::string& where) {
        const json* value = field(object, key, Kind::object, where);
        Labels labels;
        if (value == nullptr) return labels;
        for (const auto& [name, label_value] : value->items()) {
            if (!label_value.is_string()) {
                problem = fmt::format("{}.{}.{} is not a string", where, key, name);
                return labels;
            }
            labels.emplace_back(name, label_value.get<std::string>());
        }
        return sorted(std::move(labels));
    }
};

// Calls read(item, "name[i]") for each element of `list`, all of which must be objects; stops at the first problem.
template <typename Read>
void for_each_object(StateReader& reader, const json& list, std::string_view name, Read&& read) {
    for (std::size_t i = 0; i < list.size() && !reader.problem; ++i) {
        const std::string where = fmt::format("{}[{}]", name, i);
        if (!list[i].is_object()) {
            reader.problem = where + " is not an object";
            return;
        }
        read(list[i], where);
    }
}

std::vector<Silence> read_silences(StateReader& reader, const json& list) {
    std::vector<Silence> silences;
    for_each_object(reader, list, "silences", [&](const json& item, const std::string& where) {
        Silence silence;
        silence.rule = reader.text(item, "rule", where);
        silence.matchers = reader.labels(item, "labels", where);
        silence.until = reader.integer(item, "until", where);
        silence.reason = reader.text(item, "reason", where);
        silences.push_back(std::move(silence));
    });
    return silences;
}

// Both documents carry the state's version; one this ephemery does not know is refused, not guessed at.
Status check_version(StateReader& reader, const json& document, std::string_view what) {
    if (const json* version = reader.field(document, "version", Kind::count, "document");
        version != nullptr && version->get<std::uint64_t>() != state_version) {
        return make_error(Errc::unsupported, fmt::format("{}: version {} is not supported (expected {})", what,
                                                         version->get<std::uint64_t>(), state_version));
    }
    return {};
}

Result<EngineState> parse_state(const json& document) {
    if (!document.is_object()) return make_error(Errc::parse_error, "alert state: expected a JSON object");
    StateReader reader;
    EngineState state;
    if (auto version = check_version(reader, document, "alert state"); !version) return version.error();
    const json* alerts = reader.field(document, "alerts", Kind::array, "state");
    const json* silences = reader.field(document, "silences", Kind::array, "state");
    if (alerts != nullptr) {
        for_each_object(reader, *alerts, "alerts", [&](const json& item, const std::string& where) {
            Alert alert;
            alert.rule = reader.text(item, "rule", where);
            alert.labels = reader.labels(item, "labels", where);
            const std::string state_name = reader.text(item, "state", where);
            if (state_name == "pending") {
                alert.state = AlertState::pending;
            } else if (state_name == "firing") {
                alert.state = AlertState::firing;
            } else if (!reader.problem) {
                reader.problem = fmt::format("{}.state: \"{}\" is not pending or firing", where, state_name);
            }
            alert.value = reader.number(item, "value", where);
            alert.active_epochs = reader.count(item, "active_epochs", where);
            alert.started_iteration = reader.count(item, "started_iteration", where);
            alert.started_epoch = reader.count(item, "started_epoch", where);
            alert.started_time = reader.integer(item, "started_time", where);
            alert.last_iteration = reader.count(item, "last_iteration", where);
            alert.last_epoch = reader.count(item, "last_epoch", where);
            alert.severity = reader.severity(item, "severity", where);
            alert.notified = reader.flag(item, "notified", where);
            alert.notified_severity = reader.severity(item, "notified_severity", where);
            alert.notified_active_epochs = reader.count(item, "notified_active_epochs", where);
            state.alerts.push_back(std::move(alert));
        });
    }
    if (silences != nullptr) state.silences = read_silences(reader, *silences);
    if (reader.problem) return make_error(Errc::parse_error, "alert state: " + *reader.problem);
    return state;
}

json silences_json(const std::vector<Silence>& silences) {
    json list = json::array();
    for (const auto& silence : silences) {
        list.push_back(json{
            {"rule", silence.rule},
            {"labels", labels_to_json(silence.matchers)},
            {"until", silence.until},
            {"reason", silence.reason},
        });
    }
    return list;
}

}  // namespace

std::string_view alert_state_name(AlertState state) {
    switch (state) {
        case AlertState::pending: return "pending";
        case AlertState::firing: return "firing";
    }
    return "?";
}

std::string_view notification_state_name(NotificationState state) {
    switch (state) {
        case NotificationState::firing: return "firing";
        case NotificationState::resolved: return "resolved";
    }
    return "?";
}

std::string_view notification_reason_name(NotificationReason reason) {
    switch (reason) {
        case NotificationReason::fired: return "fired";
        case NotificationReason::escalated: return "escalated";
        case NotificationReason::repeated: return "repeated";
        case NotificationReason::resolved: return "resolved";
    }
    return "?";
}

bool silence_matches(const Silence& silence, std::string_view rule, const Labels& labels) {
    if (!silence.rule.empty() && silence.rule != rule) return false;
    return has_all(labels, silence.matchers);
}

std::string dedup_key(std::string_view rule, const Labels& labels) {
    // FNV-1a 64: a fixed, documented hash (std::hash may differ between builds).
    std::uint64_t hash = 14695981039346656037ULL;
    const auto mix = [&hash](std::string_view text) {
        for (const char c : text) {
            hash ^= static_cast<unsigned char>(c);
            hash *= 1099511628211ULL;
        }
        hash ^= 0xffU;  // a separator no text byte of a valid label can fake
        hash *= 1099511628211ULL;
    };
    for (const auto& [name, value] : sorted(labels)) {
        mix(name);
        mix(value);
    }
    return fmt::format("ephemery-{}-{:016x}", rule, hash);
}

AlertEngine::AlertEngine(std::vector<Rule> rules, EngineState state)
    : rules_(std::move(rules)), silences_(std::move(state.silences)) {
    for (auto& alert : state.alerts) {
        const bool known =
            std::any_of(rules_.begin(), rules_.end(), [&](const Rule& rule) { return rule.name == alert.rule; });
        if (!known) continue;
        alert.labels = sorted(std::move(alert.labels));
        Key key{alert.rule, alert.labels};
        alerts_.insert_or_assign(std::move(key), std::move(alert));
    }
}

void AlertEngine::add_silence(Silence silence) {
    silence.matchers = sorted(std::move(silence.matchers));
    silences_.push_back(std::move(silence));
}

void AlertEngine::set_silences(std::vector<Silence> silences) {
    silences_.clear();
    for (auto& silence : silences) add_silence(std::move(silence));
}

bool AlertEngine::silenced(const std::string& rule, const Labels& labels) const {
    return std::any_of(silences_.begin(), silences_.end(),
                       [&](const Silence& silence) { return silence_matches(silence, rule, labels); });
}

std::vector<Alert> AlertEngine::alerts() const {
    std::vector<Alert> list;
    list.reserve(alerts_.size());
    for (const auto& [key, alert] : alerts_) list.push_back(alert);
    return list;
}

EngineState AlertEngine::state() const {
    EngineState state;
    state.alerts = alerts();
    state.silences = silences_;
    return state;
}

std::vector<Notification> AlertEngine::evaluate(const std::vector<monitoring::Sample>& samples, std::uint64_t iteration,
                                                std::uint64_t epoch, std::int64_t now) {
    std::erase_if(silences_, [now](const Silence& silence) { return silence.until <= now; });
    std::vector<Notification> notifications;
    const auto notify = [&](const Rule& rule, const Alert& alert, NotificationState state, NotificationReason reason) {
        Notification notification;
        notification.rule = rule.name;
        notification.state = state;
        notification.reason = reason;
        notification.severity = alert.severity;
        notification.labels = alert.labels;
        notification.value = alert.value;
        notification.summary = render_summary(rule, alert.labels, alert.value);
        notification.started_iteration = alert.started_iteration;
        notification.started_epoch = alert.started_epoch;
        notification.iteration = iteration;
        notification.epoch = epoch;
        notification.time = now;
        notification.dedup_key = dedup_key(rule.name, alert.labels);
        notification.channels = rule.channels;
        notifications.push_back(std::move(notification));
    };

    for (const Rule& rule : rules_) {
        // Every series of the rule's metric that has the rule's labels: the last sample of a series wins.
        std::map<Labels, double> series;
        for (const auto& sample : samples) {
            if (sample.name != rule.metric) continue;
            Labels labels = sorted(sample.labels);
            if (!has_all(labels, rule.matchers)) continue;
            series.insert_or_assign(std::move(labels), sample.value);
        }
        std::set<Labels> holding;
        for (const auto& [labels, value] : series) {
            if (!compare(value, rule.comparison, rule.threshold)) continue;
            holding.insert(labels);
            auto [it, created] = alerts_.try_emplace(Key{rule.name, labels});
            Alert& alert = it->second;
            if (created) {
                alert.rule = rule.name;
                alert.labels = labels;
                alert.started_iteration = iteration;
                alert.started_epoch = epoch;
                alert.started_time = now;
                alert.severity = rule.severity;
                alert.notified_severity = rule.severity;
            }
            alert.value = value;
            if (created || alert.last_iteration != iteration || alert.last_epoch != epoch) {
                ++alert.active_epochs;
                alert.last_iteration = iteration;
                alert.last_epoch = epoch;
            }
            if (alert.active_epochs < rule.for_epochs) continue;
            alert.state = AlertState::firing;
            alert.severity = escalated_severity(rule, alert.active_epochs - rule.for_epochs);
            if (silenced(rule.name, alert.labels)) continue;
            std::optional<NotificationReason> reason;
            if (!alert.notified) {
                reason = NotificationReason::fired;
            } else if (alert.severity > alert.notified_severity) {
                reason = NotificationReason::escalated;
            } else if (rule.repeat_epochs > 0 &&
                       alert.active_epochs - alert.notified_active_epochs >= rule.repeat_epochs) {
                reason = NotificationReason::repeated;
            }
            if (!reason) continue;
            alert.notified = true;
            alert.notified_severity = alert.severity;
            alert.notified_active_epochs = alert.active_epochs;
            notify(rule, alert, NotificationState::firing, *reason);
        }
        // Alerts of this rule whose condition no longer holds: pending ones go quietly, firing ones resolve.
        for (auto it = alerts_.begin(); it != alerts_.end();) {
            Alert& alert = it->second;
            if (alert.rule != rule.name || holding.contains(alert.labels)) {
                ++it;
                continue;
            }
            if (const auto present = series.find(alert.labels); present != series.end()) alert.value = present->second;
            if (alert.state == AlertState::firing && alert.notified && rule.notify_resolved &&
                !silenced(rule.name, alert.labels)) {
                notify(rule, alert, NotificationState::resolved, NotificationReason::resolved);
            }
            it = alerts_.erase(it);
        }
    }
    return notifications;
}

std::string AlertEngine::to_json() const {
    json alerts = json::array();
    for (const auto& [key, alert] : alerts_) {
        alerts.push_back(json{
            {"rule", alert.rule},
            {"labels", labels_to_json(alert.labels)},
            {"state", alert_state_name(alert.state)},
            {"value", std::isfinite(alert.value) ? json(alert.value) : json(nullptr)},
            {"active_epochs", alert.active_epochs},
            {"started_iteration", alert.started_iteration},
            {"started_epoch", alert.started_epoch},
            {"started_time", alert.started_time},
            {"last_iteration", alert.last_iteration},
            {"last_epoch", alert.last_epoch},
            {"severity", severity_name(alert.severity)},
            {"notified", alert.notified},
            {"notified_severity", severity_name(alert.notified_severity)},
            {"notified_active_epochs", alert.notified_active_epochs},
        });
    }
    const json document{{"version", state_version}, {"alerts", alerts}, {"silences", silences_json(silences_)}};
    return document.dump(2);
}

Result<EngineState> engine_state_from_json(std::string_view json_text) {
    const json document = json::parse(json_text, nullptr, false);
    if (document.is_discarded()) return make_error(Errc::parse_error, "alert state: not valid JSON");
    try {
        return parse_state(document);
    } catch (const std::exception& error) {
        return make_error(Errc::parse_error, fmt::format("alert state: cannot be read: {}", error.what()));
    }
}

std::string silences_to_json(const std::vector<Silence>& silences) {
    return json{{"version", state_version}, {"silences", silences_json(silences)}}.dump(2);
}

Result<std::vector<Silence>> silences_from_json(std::string_view json_text) {
    const json document = json::parse(json_text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        return make_error(Errc::parse_error, "alert silences: not a JSON object");
    }
    StateReader reader;
    if (auto version = check_version(reader, document, "alert silences"); !version) return version.error();
    std::vector<Silence> silences;
    if (const json* list = reader.field(document, "silences", Kind::array, "document"); list != nullptr) {
        silences = read_silences(reader, *list);
    }
    if (reader.problem) return make_error(Errc::parse_error, "alert silences: " + *reader.problem);
    return silences;
}

}  // namespace ephemery::alerts
