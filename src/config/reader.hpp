#pragma once

#include "config/diagnostic.hpp"
#include "core/secret.hpp"
#include "core/text.hpp"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Reads settings out of a YAML tree while recording everything an operator needs to hear about:
// where each value came from, unknown keys (with "did you mean"), wrong types and disallowed values.
// The read functions in sections.cpp are the only place that knows the key names: what they ask for is
// the schema, so "unknown key", env overrides and `config dump` can never drift from the code.
namespace ephemery::config {

// A value given outside the file, by an environment variable or a command-line flag.
struct Override {
    std::string value;
    std::string origin;  // "environment variable EPHEMERY_DATA_DIR" or "--data-dir"
};

// Where a value came from: a place in the file, or (mark null) an override's origin.
struct Location {
    std::string origin;  // used when mark is null: "environment variable EPHEMERY_API_PORT", "--data-dir"
    YAML::Mark mark{YAML::Mark::null_mark()};
};

// Shared state of one load: diagnostics, overrides and which of them were used.
class ReadContext {
  public:
    ReadContext(std::string file_label, std::map<std::string, Override> cli_overrides,
                std::map<std::string, std::string> environment);

    void report(Diagnostic::Severity severity, const Location& location, std::string key, std::string message);
    void error(const Location& location, std::string key, std::string message) {
        report(Diagnostic::Severity::error, location, std::move(key), std::move(message));
    }
    void error_at_mark(const YAML::Mark& mark, std::string key, std::string message) {
        report(Diagnostic::Severity::error, Location{{}, mark}, std::move(key), std::move(message));
    }
    [[nodiscard]] const std::string& file_label() const { return file_label_; }

    // The override for a dotted key path, command line first, then EPHEMERY_<PATH> from the environment.
    [[nodiscard]] std::optional<Override> override_for(const std::string& key_path);
    // Reports EPHEMERY_* variables and flags that matched no setting.
    void report_unused_overrides();

    std::vector<Diagnostic> diagnostics;

  private:
    std::string file_label_;
    std::map<std::string, Override> cli_overrides_;
    std::map<std::string, std::string> environment_;  // EPHEMERY_* only
    std::set<std::string> used_environment_;
    std::set<std::string> known_environment_names_;
};

// Name of the environment variable that overrides a key path: data_dir -> EPHEMERY_DATA_DIR.
[[nodiscard]] std::string environment_name(std::string_view key_path);

template <typename Enum>
using NameTable = std::span<const std::pair<std::string_view, Enum>>;

struct IntegerRange {
    std::int64_t min;
    std::int64_t max;
    std::string_view unit;  // "seconds", "" ...
};

// Checks a string value; returns a message ("is not an http(s) URL") when it is not acceptable.
using StringCheck = std::function<std::optional<std::string>(const std::string&)>;

// One YAML mapping being read into settings. Every key must be asked for exactly once; finish() then
// reports the keys nobody asked for.
class Section {
  public:
    Section(ReadContext& context, const YAML::Node& node, std::string path, nlohmann::ordered_json& effective);

    void string(std::string_view key, std::string& field, const StringCheck& check = {});
    void secret(std::string_view key, SecretString& field);
    void integer(std::string_view key, std::int64_t& field, const IntegerRange& range);
    void unsigned_integer(std::string_view key, std::uint64_t& field);
    void boolean(std::string_view key, bool& field);
    void string_list(std::string_view key, std::vector<std::string>& field, const StringCheck& check = {});
    void integer_list(std::string_view key, std::vector<int>& field, const IntegerRange& range);

    template <typename Enum>
    void choice(std::string_view key, Enum& field, NameTable<Enum> names) {
        std::vector<std::string> allowed;
        std::string current;
        for (const auto& [name, value] : names) {
            allowed.emplace_back(name);
            if (value == field) current = name;
        }
        const auto chosen = read_choice(key, current, allowed);
        for (const auto& [name, value] : names) {
            if (name == chosen) field = value;
        }
    }

    // A nested mapping; `read` fills it.
    void section(std::string_view key, const std::function<void(Section&)>& read);
    // A list of mappings. When the key is given, its items replace `items`; otherwise the defaults in
    // `items` are kept (and still shown in the effective config).
    template <typename Item>
    void section_list(std::string_view key, std::vector<Item>& items,
                      const std::function<void(Section&, Item&)>& read) {
        const auto nodes = list_items(key);
        if (!nodes) {
            for (auto& item : items) read_list_item(key, YAML::Node{}, [&](Section& s) { read(s, item); });
            return;
        }
        std::vector<Item> given;
        for (const auto& node : *nodes) {
            Item item{};
            read_list_item(key, node, [&](Section& s) { read(s, item); });
            given.push_back(std::move(item));
        }
        items = std::move(given);
    }

    // The key is known but must not be set here (e.g. schedule keys for the public network).
    void forbid(std::string_view key, std::string_view reason);
    [[nodiscard]] bool has(std::string_view key) const;

    // Replaces the effective value shown for a key that was read (e.g. a path after expansion).
    void set_effective(std::string_view key, nlohmann::ordered_json value);

    // Reports a problem with a key that was read, at its location; an empty key means the section itself.
    void error_at(std::string_view key, std::string message);
    void warning_at(std::string_view key, std::string message);
    [[nodiscard]] const std::string& path() const { return path_; }

    // Reports unknown keys. Called by the owner after all reads.
    void finish();

  private:
    struct Entry {
        YAML::Node key_node;
        YAML::Node value;
        bool used{false};
    };
    struct RawValue {
        std::string text;
        Location location;
    };

    [[nodiscard]] std::string key_path(std::string_view key) const;
    Entry* find(std::string_view key);
    // The scalar to read for a key: an override, the YAML value, or nullopt to keep the default.
    std::optional<RawValue> scalar(std::string_view key);
    std::string read_choice(std::string_view key, const std::string& current, const std::vector<std::string>& allowed);
    [[nodiscard]] Location location_of(std::string_view key) const;
    // The mapping items of a list key; nullopt when the key is absent or empty (keep the defaults).
    std::optional<std::vector<YAML::Node>> list_items(std::string_view key);
    void read_list_item(std::string_view key, const YAML::Node& node, const std::function<void(Section&)>& read);

    ReadContext& context_;
    std::string path_;
    nlohmann::ordered_json& effective_;
    YAML::Mark mark_;
    std::vector<std::pair<std::string, Entry>> entries_;
    std::vector<std::string> known_keys_;
};

}  // namespace ephemery::config
