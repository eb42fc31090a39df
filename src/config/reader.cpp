#include "config/reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ephemery::config {
namespace {

const char* describe(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Scalar: return "a single value";
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined: break;
    }
    return "nothing";
}

std::string allowed_range(const IntegerRange& range) {
    std::string text = fmt::format("allowed: {} to {}", range.min, range.max);
    if (!range.unit.empty()) text += fmt::format(" {}", range.unit);
    return text;
}

template <typename Number>
std::optional<Number> parse_number(const std::string& text) {
    Number value{};
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

std::string environment_name(std::string_view key_path) {
    std::string name = "EPHEMERY_";
    for (const char c : key_path) {
        name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return name;
}

ReadContext::ReadContext(std::string file_label, std::map<std::string, Override> cli_overrides,
                         std::map<std::string, std::string> environment)
    : file_label_(std::move(file_label)),
      cli_overrides_(std::move(cli_overrides)),
      environment_(std::move(environment)) {}

void ReadContext::report(Diagnostic::Severity severity, const Location& location, std::string key,
                         std::string message) {
    Diagnostic diagnostic{severity, location.origin, std::move(key), std::move(message), 0, 0};
    if (!location.mark.is_null()) {
        diagnostic.where = fmt::format("{}:{}:{}", file_label_, location.mark.line + 1, location.mark.column + 1);
        diagnostic.line = static_cast<std::size_t>(location.mark.line) + 1;
        diagnostic.column = static_cast<std::size_t>(location.mark.column) + 1;
    } else if (diagnostic.where.empty()) {
        diagnostic.where = file_label_;
    }
    diagnostics.push_back(std::move(diagnostic));
}

std::optional<Override> ReadContext::override_for(const std::string& key_path) {
    std::optional<Override> from_environment;
    if (key_path.find('[') == std::string::npos) {  // list items have no variable
        const std::string name = environment_name(key_path);
        known_environment_names_.insert(name);
        if (const auto it = environment_.find(name); it != environment_.end()) {
            used_environment_.insert(name);
            from_environment = Override{it->second, "environment variable " + name};
        }
    }
    if (const auto it = cli_overrides_.find(key_path); it != cli_overrides_.end()) return it->second;
    return from_environment;
}

void ReadContext::report_unused_overrides() {
    const std::vector<std::string> known(known_environment_names_.begin(), known_environment_names_.end());
    for (const auto& [name, value] : environment_) {
        if (used_environment_.contains(name)) continue;
        std::string message = fmt::format("{} matches no setting", name);
        if (const auto suggestion = closest_match(name, known)) {
            message += fmt::format(" (did you mean {}?)", *suggestion);
        } else {
            message += "; unset it, or see `ephemery config dump` for the setting names";
        }
        error(Location{"environment variable " + name}, "", std::move(message));
    }
}

Section::Section(ReadContext& context, const YAML::Node& node, std::string path, nlohmann::ordered_json& effective)
    : context_(context), path_(std::move(path)), effective_(effective), mark_(node.Mark()) {
    effective_ = nlohmann::ordered_json::object();
    if (!node.IsMap()) return;
    for (const auto& item : node) {
        const std::string name = item.first.IsScalar() ? item.first.Scalar() : std::string{};
        if (name.empty()) {
            context_.error_at_mark(item.first.Mark(), path_, "keys must be plain names");
            continue;
        }
        if (find(name) != nullptr) {
            context_.error_at_mark(item.first.Mark(), key_path(name),
                                   "duplicate key; each setting may appear once in a section");
            continue;
        }
        entries_.emplace_back(name, Entry{item.first, item.second, false});
    }
}

std::string Section::key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

Section::Entry* Section::find(std::string_view key) {
    for (auto& [name, entry] : entries_) {
        if (name == key) return &entry;
    }
    return nullptr;
}

bool Section::has(std::string_view key) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const auto& entry) { return entry.first == key && !entry.second.value.IsNull(); });
}

Location Section::location_of(std::string_view key) const {
    for (const auto& [name, entry] : entries_) {
        if (name == key) return Location{{}, entry.value.Mark()};
    }
    return Location{{}, mark_};
}

void Section::set_effective(std::string_view key, nlohmann::ordered_json value) {
    effective_[std::string(key)] = std::move(value);
}

void Section::error_at(std::string_view key, std::string message) {
    context_.error(location_of(key), key.empty() ? path_ : key_path(key), std::move(message));
}

void Section::warning_at(std::string_view key, std::string message) {
    context_.report(Diagnostic::Severity::warning, location_of(key), key.empty() ? path_ : key_path(key),
                    std::move(message));
}

std::optional<Section::RawValue> Section::scalar(std::string_view key) {
    known_keys_.emplace_back(key);
    Entry* entry = find(key);
    if (entry != nullptr) entry->used = true;
    if (auto override_value = context_.override_for(key_path(key))) {
        return RawValue{std::move(override_value->value), Location{std::move(override_value->origin)}};
    }
    if (entry == nullptr || entry->value.IsNull()) return std::nullopt;
    if (!entry->value.IsScalar()) {
        context_.error_at_mark(entry->value.Mark(), key_path(key),
                               fmt::format("expected a single value, found {}", describe(entry->value)));
        return std::nullopt;
    }
    return RawValue{entry->value.Scalar(), Location{{}, entry->value.Mark()}};
}

void Section::string(std::string_view key, std::string& field, const StringCheck& check) {
    if (auto raw = scalar(key)) {
        const auto problem = check ? check(raw->text) : std::nullopt;
        if (problem) {
            context_.error(raw->location, key_path(key), fmt::format("\"{}\" {}", raw->text, *problem));
        } else {
            field = std::move(raw->text);
        }
    }
    effective_[std::string(key)] = field;
}

void Section::secret(std::string_view key, SecretString& field) {
    if (auto raw = scalar(key)) field = SecretString{std::move(raw->text)};
    effective_[std::string(key)] = field.empty() ? "" : SecretString::redacted;
}

void Section::integer(std::string_view key, std::int64_t& field, const IntegerRange& range) {
    if (auto raw = scalar(key)) {
        const auto value = parse_number<std::int64_t>(raw->text);
        if (!value) {
            context_.error(raw->location, key_path(key),
                           fmt::format("\"{}\" is not a whole number ({})", raw->text, allowed_range(range)));
        } else if (*value < range.min || *value > range.max) {
            context_.error(raw->location, key_path(key),
                           fmt::format("{} is out of range ({})", *value, allowed_range(range)));
        } else {
            field = *value;
        }
    }
    effective_[std::string(key)] = field;
}

void Section::unsigned_integer(std::string_view key, std::uint64_t& field) {
    if (auto raw = scalar(key)) {
        const auto value = parse_number<std::uint64_t>(raw->text);
        if (!value) {
            context_.error(raw->location, key_path(key),
                           fmt::format("\"{}\" is not a whole number (allowed: 0 to 18446744073709551615)", raw->text));
        } else {
            field = *value;
        }
    }
    effective_[std::string(key)] = field;
}

void Section::boolean(std::string_view key, bool& field) {
    if (auto raw = scalar(key)) {
        const std::string text = to_lower(raw->text);
        if (text == "true" || text == "yes" || text == "on") {
            field = true;
        } else if (text == "false" || text == "no" || text == "off") {
            field = false;
        } else {
            context_.error(raw->location, key_path(key),
                           fmt::format("\"{}\" is not a boolean (allowed: true, false)", raw->text));
        }
    }
    effective_[std::string(key)] = field;
}

std::string Section::read_choice(std::string_view key, const std::string& current,
                                 const std::vector<std::string>& allowed) {
    std::string chosen = current;
    if (auto raw = scalar(key)) {
        if (std::find(allowed.begin(), allowed.end(), raw->text) != allowed.end()) {
            chosen = raw->text;
        } else {
            std::string message = fmt::format("\"{}\" is not one of: {}", raw->text, join(allowed, ", "));
            if (const auto suggestion = closest_match(raw->text, allowed)) {
                message += fmt::format(" (did you mean \"{}\"?)", *suggestion);
            }
            context_.error(raw->location, key_path(key), std::move(message));
        }
    }
    effective_[std::string(key)] = chosen;
    return chosen;
}

void Section::string_list(std::string_view key, std::vector<std::string>& field, const StringCheck& check) {
    known_keys_.emplace_back(key);
    Entry* entry = find(key);
    if (entry != nullptr) entry->used = true;

    std::vector<std::pair<std::string, Location>> items;
    bool given = false;
    if (auto override_value = context_.override_for(key_path(key))) {
        given = true;
        for (auto& item : split_list(override_value->value, ','))
            items.emplace_back(std::move(item), Location{override_value->origin});
    } else if (entry != nullptr && !entry->value.IsNull()) {
        if (!entry->value.IsSequence()) {
            context_.error_at_mark(
                entry->value.Mark(), key_path(key),
                fmt::format("expected a list (- item per line, or [a, b]), found {}", describe(entry->value)));
        } else {
            given = true;
            for (const auto& item : entry->value) {
                if (!item.IsScalar()) {
                    context_.error_at_mark(item.Mark(), key_path(key),
                                           fmt::format("list items must be single values, found {}", describe(item)));
                    given = false;
                    continue;
                }
                items.emplace_back(item.Scalar(), Location{{}, item.Mark()});
            }
        }
    }
    if (given) {
        std::vector<std::string> values;
        bool valid = true;
        for (auto& [value, location] : items) {
            if (const auto problem = check ? check(value) : std::nullopt) {
                context_.error(location, key_path(key), fmt::format("\"{}\" {}", value, *problem));
                valid = false;
            }
            values.push_back(std::move(value));
        }
        if (valid) field = std::move(values);
    }
    effective_[std::string(key)] = field;
}

void Section::integer_list(std::string_view key, std::vector<int>& field, const IntegerRange& range) {
    std::vector<std::string> texts;
    texts.reserve(field.size());
    for (const int value : field) texts.push_back(std::to_string(value));
    string_list(key, texts, [&](const std::string& text) -> std::optional<std::string> {
        const auto value = parse_number<std::int64_t>(text);
        if (!value || *value < range.min || *value > range.max) {
            return fmt::format("is not a whole number in range ({})", allowed_range(range));
        }
        return std::nullopt;
    });
    std::vector<int> values;
    for (const auto& text : texts) {
        const auto value = parse_number<std::int64_t>(text);
        if (value && *value >= range.min && *value <= range.max) values.push_back(static_cast<int>(*value));
    }
    field = std::move(values);
    effective_[std::string(key)] = field;
}

void Section::section(std::string_view key, const std::function<void(Section&)>& read) {
    known_keys_.emplace_back(key);
    Entry* entry = find(key);
    YAML::Node node;
    if (entry != nullptr) {
        entry->used = true;
        if (entry->value.IsMap()) {
            node = entry->value;
        } else if (!entry->value.IsNull()) {
            context_.error_at_mark(entry->value.Mark(), key_path(key),
                                   fmt::format("expected a mapping of settings (key: value lines, indented), found {}",
                                               describe(entry->value)));
        }
    }
    Section child(context_, node, key_path(key), effective_[std::string(key)]);
    read(child);
    child.finish();
}

std::optional<std::vector<YAML::Node>> Section::list_items(std::string_view key) {
    known_keys_.emplace_back(key);
    effective_[std::string(key)] = nlohmann::ordered_json::array();
    Entry* entry = find(key);
    if (entry == nullptr) return std::nullopt;
    entry->used = true;
    if (entry->value.IsNull()) return std::nullopt;
    if (!entry->value.IsSequence()) {
        context_.error_at_mark(
            entry->value.Mark(), key_path(key),
            fmt::format("expected a list of mappings (each item starts with '- '), found {}", describe(entry->value)));
        return std::nullopt;
    }
    std::vector<YAML::Node> items;
    for (const auto& item : entry->value) {
        if (!item.IsMap()) {
            context_.error_at_mark(
                item.Mark(), key_path(key),
                fmt::format("expected each item to be a mapping of settings, found {}", describe(item)));
            continue;
        }
        items.push_back(item);
    }
    return items;
}

void Section::read_list_item(std::string_view key, const YAML::Node& node, const std::function<void(Section&)>& read) {
    auto& items = effective_[std::string(key)];
    const std::string item_path = fmt::format("{}[{}]", key_path(key), items.size());
    items.push_back(nlohmann::ordered_json::object());
    Section child(context_, node, item_path, items.back());
    read(child);
    child.finish();
}

void Section::forbid(std::string_view key, std::string_view reason) {
    known_keys_.emplace_back(key);
    Entry* entry = find(key);
    if (entry != nullptr) {
        entry->used = true;
        context_.error_at_mark(entry->key_node.Mark(), key_path(key), std::string(reason));
    }
    if (auto override_value = context_.override_for(key_path(key))) {
        context_.error(Location{override_value->origin}, key_path(key), std::string(reason));
    }
}

void Section::finish() {
    for (const auto& [name, entry] : entries_) {
        if (entry.used) continue;
        std::string message = fmt::format("unknown key \"{}\"", name);
        if (const auto suggestion = closest_match(name, known_keys_)) {
            message += fmt::format(" (did you mean \"{}\"?)", *suggestion);
        } else {
            message += fmt::format("; {} takes: {}", path_.empty() ? "the top level" : path_, join(known_keys_, ", "));
        }
        context_.error_at_mark(entry.key_node.Mark(), key_path(name), std::move(message));
    }
}

}  // namespace ephemery::config
