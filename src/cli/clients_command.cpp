#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "clients/catalog.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ephemery::cli {
namespace {

std::string_view transport_name(clients::Transport transport) {
    switch (transport) {
        case clients::Transport::tcp: return "tcp";
        case clients::Transport::udp: return "udp";
        case clients::Transport::tcp_and_udp: return "tcp+udp";
    }
    return "?";
}

std::vector<std::string> texts(const std::vector<clients::Argument>& arguments) {
    std::vector<std::string> result;
    result.reserve(arguments.size());
    for (const auto& argument : arguments)
        result.push_back(argument.optional ? "[" + argument.text + "]" : argument.text);
    return result;
}

nlohmann::ordered_json role_json(const clients::RoleSpec& role) {
    auto keep = nlohmann::ordered_json::array();
    for (const auto& kept : role.keep) keep.push_back({{"path", kept.path}, {"what", kept.what}});
    auto wipe = nlohmann::ordered_json::array();
    for (const auto& wiped : role.wipe) wipe.push_back({{"path", wiped.path}, {"what", wiped.what}});
    auto slashing = nlohmann::ordered_json::array();
    for (const auto& store : role.slashing) {
        slashing.push_back({{"path", store.path}, {"format", clients::slashing_format_name(store.format)}});
    }
    auto ports = nlohmann::ordered_json::array();
    for (const auto& port : role.ports) {
        ports.push_back({{"name", port.name}, {"number", port.number}, {"transport", transport_name(port.transport)}});
    }
    return {{"role", clients::role_name(role.role)},
            {"program", role.program},
            {"run", texts(role.run)},
            {"init", texts(role.init)},
            {"json_logs", texts(role.json_logs)},
            {"keep", keep},
            {"wipe", wipe},
            {"slashing", slashing},
            {"ports", ports},
            {"image", role.image},
            {"notes", role.notes},
            {"sources", role.sources}};
}

void print_role(const clients::RoleSpec& role) {
    fmt::print("  {} ({}; image {})\n", clients::role_name(role.role), role.program, role.image);
    for (const auto& kept : role.keep) fmt::print("    keep     {:<44} {}\n", kept.path, kept.what);
    for (const auto& wiped : role.wipe) fmt::print("    wipe     {:<44} {}\n", wiped.path, wiped.what);
    for (const auto& store : role.slashing) {
        fmt::print("    slashing {:<44} {}\n", store.path, clients::slashing_format_name(store.format));
    }
    if (!role.init.empty()) fmt::print("    init     {}\n", fmt::join(texts(role.init), " "));
    fmt::print("    run      {} {}\n", role.program, fmt::join(texts(role.run), " "));
    for (const auto& port : role.ports) {
        fmt::print("    port     {} {}/{}\n", port.name, port.number, transport_name(port.transport));
    }
    for (const auto& note : role.notes) fmt::print("    note     {}\n", note);
    for (const auto& source : role.sources) fmt::print("    source   {}\n", source);
}

ExitCode run_clients(const std::string& name, bool json) {
    std::vector<const clients::ClientSpec*> chosen;
    for (const auto& spec : clients::catalog()) {
        if (name.empty() || spec.name == name) chosen.push_back(&spec);
    }
    if (chosen.empty()) {
        print_stderr(
            "error: unknown client '{}'; known: geth, nethermind, besu, erigon, reth, lighthouse, prysm, "
            "teku, nimbus, lodestar, grandine\n",
            name);
        return ExitCode::usage_error;
    }
    if (json) {
        auto document = nlohmann::ordered_json::array();
        for (const auto* spec : chosen) {
            auto roles = nlohmann::ordered_json::array();
            for (const auto& role : spec->roles) roles.push_back(role_json(role));
            document.push_back({{"client", spec->name},
                                {"name", spec->display_name},
                                {"knows_ephemery_by_name", spec->knows_ephemery_by_name},
                                {"roles", roles}});
        }
        print_json(document);
        return ExitCode::ok;
    }
    for (const auto* spec : chosen) {
        if (name.empty()) {
            std::vector<std::string> roles;
            for (const auto& role : spec->roles) roles.emplace_back(clients::role_name(role.role));
            fmt::print("{:<11} {}\n", spec->name, fmt::join(roles, ", "));
            continue;
        }
        fmt::print("{} ({})\n", spec->display_name, spec->name);
        for (const auto& role : spec->roles) print_role(role);
    }
    return ExitCode::ok;
}

}  // namespace

void add_clients_command(CLI::App& app, CommandContext& context) {
    auto name = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto* command = app.add_subcommand(
        "clients", "The client catalog: what each client keeps and wipes at a reset, how it is launched, its sources");
    command->add_option("client", *name, "Show one client in full (default: list them all)");
    command->add_flag("--json", *json, "Print one JSON document");
    command->callback([&context, name, json] { context.exit_code = run_clients(*name, *json); });
}

}  // namespace ephemery::cli
