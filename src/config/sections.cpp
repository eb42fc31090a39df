// The schema of ephemery.yaml: every key, its type, default and allowed values, and cross-field checks.
#include "config/config.hpp"

#include "monitoring/assess.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace ephemery::config {
namespace {

constexpr std::string_view custom_only = "is part of the schedule; set it only with network.preset: custom";

bool is_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

StringCheck hex_bytes(std::size_t bytes, std::string_view what) {
    return [bytes, what](const std::string& text) -> std::optional<std::string> {
        if (text.size() != 2 + 2 * bytes || !text.starts_with("0x") || !is_hex(std::string_view(text).substr(2))) {
            return fmt::format("is not {} (0x followed by {} hex digits)", what, 2 * bytes);
        }
        return std::nullopt;
    };
}

// Empty means "not set" for optional settings; only a given value is checked.
StringCheck optional_value(StringCheck check) {
    return [check = std::move(check)](const std::string& text) -> std::optional<std::string> {
        if (text.empty()) return std::nullopt;
        return check(text);
    };
}

std::optional<std::string> check_http_url(const std::string& text) {
    if (!text.starts_with("http://") && !text.starts_with("https://")) return "is not an http:// or https:// URL";
    if (text.find_first_of(" \t\n") != std::string::npos) return "contains white space";
    return std::nullopt;
}

std::optional<std::string> check_release_source(const std::string& text) {
    if (text.starts_with("file://") || text.starts_with("/")) return std::nullopt;
    if (check_http_url(text)) return "is not an http(s):// or file:// URL or an absolute directory";
    return std::nullopt;
}

std::optional<std::string> check_network_name(const std::string& text) {
    const bool valid = !text.empty() && text.size() <= 32 && std::isalnum(static_cast<unsigned char>(text[0])) != 0 &&
                       std::all_of(text.begin(), text.end(), [](unsigned char c) {
                           return (std::islower(c) != 0) || (std::isdigit(c) != 0) || c == '-';
                       });
    if (!valid) return "is not a valid name (1 to 32 lower-case letters, digits and '-', used in service names)";
    return std::nullopt;
}

std::optional<std::string> check_not_empty(const std::string& text) {
    if (text.empty()) return "must not be empty";
    return std::nullopt;
}

std::optional<std::string> check_path(const std::string& text) {
    if (text.empty()) return "must not be empty";
    if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::iscntrl(c) != 0; })) {
        return "contains a control character (a line break?); check the quoting";
    }
    return std::nullopt;
}

// A client's own data dir: empty (<data_dir>/<role>-<client>) or absolute, never the root.
std::optional<std::string> check_client_data_dir(const std::string& text) {
    if (text.empty()) return std::nullopt;
    if (auto problem = check_path(text)) return problem;
    const std::filesystem::path path = std::filesystem::path(text).lexically_normal();
    if (path.is_relative()) return "must be an absolute path (or empty for <data_dir>/<role>-<client>)";
    if (path == path.root_path()) return "is the root directory; a reset deletes chain data below it";
    return std::nullopt;
}

std::optional<std::string> check_graffiti(const std::string& text) {
    if (text.size() > 32) return fmt::format("is {} bytes long; graffiti holds at most 32 bytes", text.size());
    return std::nullopt;
}

// "0-63,100,200-201"
std::optional<std::string> check_index_ranges(const std::string& text) {
    for (const auto& part : split_list(text, ',')) {
        if (!monitoring::parse_index_ranges(part)) {
            return fmt::format("has a bad range \"{}\" (write indices like 0-63,100)", part);
        }
    }
    return std::nullopt;
}

std::optional<std::string> check_ip_address(const std::string& text) {
    std::array<unsigned char, 16> buffer{};
    if (::inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
        ::inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1) {
        return std::nullopt;
    }
    return "is not an IPv4 or IPv6 address (for example 127.0.0.1)";
}

bool is_loopback(const std::string& address) {
    return address.starts_with("127.") || address == "::1";
}

void read_network(Section& section, network::Settings& settings) {
    section.choice("preset", settings.preset, NameTable<network::Preset>(network::preset_names));
    section.string("name", settings.name, check_network_name);
    section.string("release_base_url", settings.release_base_url, check_release_source);

    network::Schedule& schedule = settings.schedule;
    constexpr std::array schedule_keys{"base_genesis_time", "base_iteration",       "genesis_interval",
                                       "genesis_delay",     "chain_id_base",        "release_tag_prefix",
                                       "release_lead_time", "release_build_minutes"};
    if (settings.preset == network::Preset::ephemery) {
        for (const char* key : schedule_keys) section.forbid(key, std::string(custom_only));
        return;
    }
    // A custom network starts from a blank schedule: its times must be stated, not inherited by accident.
    schedule = network::Schedule{.base_genesis_time = 0,
                                 .base_iteration = 0,
                                 .genesis_interval = 0,
                                 .genesis_delay = 0,
                                 .chain_id_base = 0,
                                 .chain_id_formula_since = 0,
                                 .release_tag_prefix = settings.name + "-",
                                 .release_lead_time = 0,
                                 .release_build_minutes = {}};
    constexpr std::int64_t max_time = std::int64_t{1} << 40;
    for (const char* key : {"base_genesis_time", "genesis_interval", "chain_id_base"}) {
        if (!section.has(key)) section.error_at(key, "is required when network.preset is custom");
    }
    section.integer("base_genesis_time", schedule.base_genesis_time, {0, max_time, "(Unix seconds)"});
    section.unsigned_integer("base_iteration", schedule.base_iteration);
    section.integer("genesis_interval", schedule.genesis_interval, {60, std::int64_t{366} * 86400, "seconds"});
    section.integer("genesis_delay", schedule.genesis_delay, {0, std::int64_t{366} * 86400, "seconds"});
    section.unsigned_integer("chain_id_base", schedule.chain_id_base);
    section.string("release_tag_prefix", schedule.release_tag_prefix, check_not_empty);
    section.integer("release_lead_time", schedule.release_lead_time, {0, std::int64_t{366} * 86400, "seconds"});
    section.integer_list("release_build_minutes", schedule.release_build_minutes, {0, 59, "(minutes past the hour)"});
    schedule.chain_id_formula_since = schedule.base_iteration;
    if (auto status = network::validate(schedule); !status) section.error_at("", status.error().message);
}

void read_client(Section& section, node::ClientSettings& settings, NameTable<clients::Client> allowed_clients) {
    section.boolean("enabled", settings.enabled);
    section.choice("client", settings.client, allowed_clients);
    section.string("binary", settings.binary);
    section.string("data_dir", settings.data_dir, check_client_data_dir);
    section.string("image", settings.image);
    section.string_list("extra_args", settings.extra_args);
}

void read_validators(Section& section, keys::Settings& settings) {
    section.string("keystores_dir", settings.keystores_dir);
    section.string("password_file", settings.password_file);
    section.string("passwords_dir", settings.passwords_dir);
    section.string("fee_recipient", settings.fee_recipient, optional_value(hex_bytes(20, "an execution address")));
    section.string("graffiti", settings.graffiti, check_graffiti);
    if (!settings.password_file.empty() && !settings.passwords_dir.empty()) {
        section.error_at("passwords_dir", "set either validators.password_file or validators.passwords_dir, not both");
    }
}

void read_checkpoint(Section& section, checkpoint::Settings& settings) {
    section.boolean("enabled", settings.enabled);
    section.string_list("providers", settings.providers, check_http_url);
    section.integer("quorum", settings.quorum, {1, 16, "providers"});
    section.integer("cache_entries", settings.cache_entries, {1, 1000, "checkpoints"});
    section.integer("cache_mb", settings.cache_mb, {1, std::int64_t{1} << 30, "MiB"});
    section.integer("serve_port", settings.serve_port, {1, 65535, "(TCP port)"});
    if (settings.enabled && static_cast<std::size_t>(settings.quorum) > settings.providers.size()) {
        section.error_at("quorum", fmt::format("a quorum of {} needs at least {} providers; {} are configured",
                                               settings.quorum, settings.quorum, settings.providers.size()));
    }
}

void read_monitoring(Section& section, monitoring::Settings& settings) {
    section.boolean("enabled", settings.enabled);
    section.choice("mode", settings.mode, NameTable<monitoring::Mode>(monitoring::mode_names));
    section.integer("max_validator_series", settings.max_validator_series, {0, 100000, "series"});
    section.integer("retention_days", settings.retention_days, {1, 36500, "days"});
    section.section_list<monitoring::ValidatorGroup>(
        "validators", settings.validators, [](Section& item, monitoring::ValidatorGroup& group) {
            item.string("label", group.label, check_not_empty);
            item.string_list("pubkeys", group.pubkeys, hex_bytes(48, "a BLS public key"));
            item.string("indices", group.indices, optional_value(check_index_ranges));
            if (group.pubkeys.empty() && group.indices.empty()) {
                item.error_at("", "a validator group needs pubkeys or indices");
            }
        });
}

// Which keys each channel type takes besides name and type.
std::vector<std::string_view> channel_keys(alerts::ChannelType type) {
    switch (type) {
        case alerts::ChannelType::console: return {};
        case alerts::ChannelType::webhook:
        case alerts::ChannelType::slack:
        case alerts::ChannelType::discord: return {"url", "url_file"};
        case alerts::ChannelType::pagerduty: return {"routing_key", "routing_key_file", "events_url"};
        case alerts::ChannelType::email: return {"smtp_url", "smtp_username", "smtp_password_file", "from", "to"};
    }
    return {};
}

void read_channel(Section& item, alerts::Channel& channel, std::set<std::string>& names) {
    item.string("name", channel.name, check_not_empty);
    item.choice("type", channel.type, NameTable<alerts::ChannelType>(alerts::channel_type_names));
    item.secret("url", channel.url);
    item.string("url_file", channel.url_file);
    item.secret("routing_key", channel.routing_key);
    item.string("routing_key_file", channel.routing_key_file);
    item.string("events_url", channel.events_url,
                optional_value([](const std::string& url) -> std::optional<std::string> {
                    if (url.starts_with("https://") || url.starts_with("http://")) return std::nullopt;
                    return "is not an http:// or https:// URL";
                }));
    item.string("smtp_url", channel.smtp_url, optional_value([](const std::string& url) -> std::optional<std::string> {
                    if (url.starts_with("smtp://") || url.starts_with("smtps://")) return std::nullopt;
                    return "is not an smtp:// or smtps:// URL";
                }));
    item.string("smtp_username", channel.smtp_username);
    item.string("smtp_password_file", channel.smtp_password_file);
    item.string("from", channel.from);
    item.string_list("to", channel.to);

    if (!channel.name.empty() && !names.insert(channel.name).second) {
        item.error_at("name", fmt::format("channel name \"{}\" is used twice; names must be unique", channel.name));
    }
    const auto relevant = channel_keys(channel.type);
    // Judged by value, not presence: `config dump` writes every key, empty where unused.
    const std::array<std::pair<std::string_view, bool>, 10> given{{
        {"url", !channel.url.empty()},
        {"url_file", !channel.url_file.empty()},
        {"routing_key", !channel.routing_key.empty()},
        {"routing_key_file", !channel.routing_key_file.empty()},
        {"events_url", !channel.events_url.empty()},
        {"smtp_url", !channel.smtp_url.empty()},
        {"smtp_username", !channel.smtp_username.empty()},
        {"smtp_password_file", !channel.smtp_password_file.empty()},
        {"from", !channel.from.empty()},
        {"to", !channel.to.empty()},
    }};
    for (const auto& [key, set] : given) {
        if (set && std::find(relevant.begin(), relevant.end(), key) == relevant.end()) {
            item.error_at(key, "does not apply to this channel type");
        }
    }
    const auto exactly_one = [&](bool inline_set, bool file_set, std::string_view inline_key,
                                 std::string_view file_key) {
        if (inline_set == file_set) {
            item.error_at("", fmt::format("set exactly one of {} or {} (a file keeps the secret out of the config)",
                                          inline_key, file_key));
        }
    };
    switch (channel.type) {
        case alerts::ChannelType::console: break;
        case alerts::ChannelType::webhook:
        case alerts::ChannelType::slack:
        case alerts::ChannelType::discord:
            exactly_one(!channel.url.empty(), !channel.url_file.empty(), "url", "url_file");
            break;
        case alerts::ChannelType::pagerduty:
            exactly_one(!channel.routing_key.empty(), !channel.routing_key_file.empty(), "routing_key",
                        "routing_key_file");
            break;
        case alerts::ChannelType::email:
            if (channel.smtp_url.empty() || channel.from.empty() || channel.to.empty()) {
                item.error_at("", "an email channel needs smtp_url, from and to");
            }
            break;
    }
}

void read_alerts(Section& section, alerts::Settings& settings) {
    section.boolean("enabled", settings.enabled);
    section.string("rules_file", settings.rules_file);
    std::set<std::string> names;
    section.section_list<alerts::Channel>("channels", settings.channels, [&](Section& item, alerts::Channel& channel) {
        read_channel(item, channel, names);
    });
}

void read_api(Section& section, api::Settings& settings) {
    section.boolean("enabled", settings.enabled);
    section.string("listen_address", settings.listen_address, check_ip_address);
    section.integer("port", settings.port, {0, 65535, ""});  // 0: any free port, recorded in daemon.json
    if (settings.enabled && !is_loopback(settings.listen_address)) {
        section.warning_at("listen_address", fmt::format("the control API on {} is reachable from other hosts; "
                                                         "keep it on 127.0.0.1 unless a firewall protects it",
                                                         settings.listen_address));
    }
}

}  // namespace

void read_config(Section& root, Config& config, const LoadRequest& request) {
    root.section("network", [&](Section& s) { read_network(s, config.network); });

    std::string data_dir = config.data_dir.string();
    root.string("data_dir", data_dir, check_path);
    if (data_dir == "~" || data_dir.starts_with("~/")) {
        if (request.home.empty()) {
            root.error_at("data_dir", "starts with ~ but HOME is not set; write an absolute path");
        } else {
            data_dir = request.home + data_dir.substr(1);
        }
    } else if (data_dir.starts_with("~")) {
        root.error_at("data_dir", "only ~/ (your own home) is expanded; write an absolute path");
    }
    std::filesystem::path path{data_dir};
    if (path.is_relative()) {
        path = request.working_directory / path;
        root.warning_at("data_dir", fmt::format("\"{}\" is relative: it resolves to {} from this working directory; "
                                                "write an absolute path for services",
                                                data_dir, path.lexically_normal().string()));
    }
    config.data_dir = path.lexically_normal();
    root.set_effective("data_dir", config.data_dir.string());  // show where data really goes

    root.section("logging", [&](Section& s) {
        s.choice("level", config.logging.level, NameTable<infra::LogLevel>(infra::log_level_names));
        s.choice("format", config.logging.format, NameTable<infra::LogFormat>(infra::log_format_names));
    });
    root.section("runtime", [&](Section& s) {
        s.choice("backend", config.node.backend, NameTable<node::Backend>(node::backend_names));
    });
    root.section("clients", [&](Section& s) {
        const NameTable<clients::Client> execution(clients::execution_client_names);
        const NameTable<clients::Client> consensus(clients::consensus_client_names);
        s.section("execution", [&](Section& c) { read_client(c, config.node.execution, execution); });
        s.section("consensus", [&](Section& c) { read_client(c, config.node.consensus, consensus); });
        s.section("validator", [&](Section& c) { read_client(c, config.node.validator, consensus); });
    });
    root.section("validators", [&](Section& s) { read_validators(s, config.validators); });
    if (config.node.validator.enabled && config.validators.keystores_dir.empty()) {
        root.error_at("validators",
                      "clients.validator is enabled but validators.keystores_dir is empty; set the "
                      "keystore directory or disable the validator client");
    }
    root.section("checkpoint", [&](Section& s) { read_checkpoint(s, config.checkpoint); });
    root.section("monitoring", [&](Section& s) { read_monitoring(s, config.monitoring); });
    root.section("alerts", [&](Section& s) { read_alerts(s, config.alerts); });
    root.section("api", [&](Section& s) { read_api(s, config.api); });
}

}  // namespace ephemery::config
