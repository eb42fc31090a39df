#include "clients/catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace ephemery::clients {

namespace {

// Calls visit(name) for each {name} in text; returns false on an unclosed brace.
template <typename Visit>
bool for_each_placeholder(std::string_view text, Visit&& visit) {
    std::size_t position = 0;
    while ((position = text.find('{', position)) != std::string_view::npos) {
        const std::size_t close = text.find('}', position);
        if (close == std::string_view::npos) return false;
        visit(text.substr(position + 1, close - position - 1));
        position = close + 1;
    }
    return true;
}

bool is_known_placeholder(std::string_view name) {
    return std::find(placeholder_names.begin(), placeholder_names.end(), name) != placeholder_names.end();
}

std::vector<ClientSpec> build_catalog() {
    std::vector<ClientSpec> all = execution_client_specs();
    std::vector<ClientSpec> consensus = consensus_client_specs();
    all.insert(all.end(), std::make_move_iterator(consensus.begin()), std::make_move_iterator(consensus.end()));
    std::sort(all.begin(), all.end(), [](const ClientSpec& a, const ClientSpec& b) { return a.client < b.client; });
    return all;
}

}  // namespace

std::string_view slashing_format_name(SlashingFormat format) {
    switch (format) {
        case SlashingFormat::lighthouse_sqlite: return "lighthouse-sqlite";
        case SlashingFormat::nimbus_sqlite: return "nimbus-sqlite";
        case SlashingFormat::teku_yaml: return "teku-yaml";
        case SlashingFormat::prysm_bolt: return "prysm-bolt";
        case SlashingFormat::lodestar_leveldb: return "lodestar-leveldb";
        case SlashingFormat::grandine_sqlite: return "grandine-sqlite";
    }
    return "unknown";
}

const std::vector<ClientSpec>& catalog() {
    static const std::vector<ClientSpec> entries = build_catalog();
    return entries;
}

const ClientSpec& spec_of(Client client) {
    const auto& entries = catalog();
    const auto found = std::find_if(entries.begin(), entries.end(),
                                    [client](const ClientSpec& spec) { return spec.client == client; });
    if (found == entries.end()) {
        // Every Client has an entry; catalog_test checks it.
        (void)std::fprintf(stderr, "fatal: client %d missing from the catalog\n", static_cast<int>(client));
        std::abort();
    }
    return *found;
}

const RoleSpec* role_spec(Client client, Role role, Edition edition) {
    const ClientSpec& spec = spec_of(client);
    const auto& roles = edition == Edition::devnet ? spec.devnet_roles : spec.roles;
    const auto found =
        std::find_if(roles.begin(), roles.end(), [role](const RoleSpec& entry) { return entry.role == role; });
    return found == roles.end() ? nullptr : &*found;
}

std::string_view edition_name(Edition edition) {
    return edition == Edition::devnet ? "devnet" : "current";
}

std::string_view client_name(Client client) {
    for (const auto& [name, value] : execution_client_names) {
        if (value == client) return name;
    }
    for (const auto& [name, value] : consensus_client_names) {
        if (value == client) return name;
    }
    return "unknown";
}

std::string_view role_name(Role role) {
    for (const auto& [name, value] : role_names) {
        if (value == role) return name;
    }
    return "unknown";
}

std::optional<Client> client_from_name(std::string_view name) {
    for (const auto& [known, value] : execution_client_names) {
        if (known == name) return value;
    }
    for (const auto& [known, value] : consensus_client_names) {
        if (known == name) return value;
    }
    return std::nullopt;
}

std::optional<Role> role_from_name(std::string_view name) {
    for (const auto& [known, value] : role_names) {
        if (known == name) return value;
    }
    return std::nullopt;
}

std::string service_name(std::string_view network, Role role, Client client) {
    return fmt::format("{}-{}-{}", network, role_name(role), client_name(client));
}

Result<std::vector<std::string>> render_arguments(const std::vector<Argument>& arguments,
                                                  const std::map<std::string, std::string>& values) {
    std::vector<std::string> rendered;
    rendered.reserve(arguments.size());
    for (const Argument& argument : arguments) {
        std::string text;
        std::string_view rest = argument.text;
        bool dropped = false;
        while (!rest.empty()) {
            const std::size_t open = rest.find('{');
            if (open == std::string_view::npos) {
                text += rest;
                break;
            }
            const std::size_t close = rest.find('}', open);
            if (close == std::string_view::npos) {
                return make_error(Errc::invalid_argument,
                                  fmt::format("argument '{}' has an unclosed '{{'", argument.text));
            }
            text += rest.substr(0, open);
            const std::string name(rest.substr(open + 1, close - open - 1));
            if (!is_known_placeholder(name)) {
                return make_error(
                    Errc::invalid_argument,
                    fmt::format("argument '{}' uses the unknown placeholder {{{}}}", argument.text, name));
            }
            const auto value = values.find(name);
            if (value == values.end() || value->second.empty()) {
                if (argument.optional) {
                    dropped = true;
                    break;
                }
                return make_error(
                    Errc::not_found,
                    fmt::format("argument '{}' needs a value for {{{}}}, and none is set", argument.text, name));
            }
            text += value->second;
            rest.remove_prefix(close + 1);
        }
        if (!dropped) rendered.push_back(std::move(text));
    }
    return rendered;
}

std::vector<std::string> placeholders_in(const std::vector<Argument>& arguments) {
    std::set<std::string> names;
    for (const Argument& argument : arguments) {
        (void)for_each_placeholder(argument.text, [&names](std::string_view name) { names.emplace(name); });
    }
    return {names.begin(), names.end()};
}

}  // namespace ephemery::clients
