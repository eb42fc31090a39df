#include "node/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace ephemery::node {

namespace {

namespace fs = std::filesystem;
using clients::Role;

// Inside a container every client sees its own data dir here (compose mounts the host dir on it).
constexpr std::string_view container_data_dir = "/data";

bool overlaps(clients::Transport a, clients::Transport b) {
    return a == b || a == clients::Transport::tcp_and_udp || b == clients::Transport::tcp_and_udp;
}

// The catalog's default ports, each moved up past numbers an earlier service (or port) already took on the
// same transport, so EL, CL and VC of any combination fit on one host.
// With a port base, ports are numbered consecutively from it instead.
std::vector<AssignedPort> assign_ports(const std::vector<clients::Port>& wanted, std::vector<AssignedPort>& taken,
                                       std::uint16_t port_base) {
    std::vector<AssignedPort> assigned;
    assigned.reserve(wanted.size());
    for (const clients::Port& port : wanted) {
        std::uint16_t number = port.number;
        if (port_base != 0) number = static_cast<std::uint16_t>(port_base + taken.size());
        const auto in_use = [&](std::uint16_t candidate) {
            return std::any_of(taken.begin(), taken.end(), [&](const AssignedPort& used) {
                return used.number == candidate && overlaps(used.transport, port.transport);
            });
        };
        while (in_use(number) && number < 65535) ++number;
        assigned.push_back({port.name, number, port.transport});
        taken.push_back(assigned.back());
    }
    return assigned;
}

const ClientSettings& settings_for(const Settings& settings, Role role) {
    switch (role) {
        case Role::execution: return settings.execution;
        case Role::consensus: return settings.consensus;
        case Role::validator: return settings.validator;
    }
    return settings.execution;
}

std::string url(const std::string& host, std::optional<std::uint16_t> port) {
    return port ? fmt::format("http://{}:{}", host, *port) : std::string{};
}

}  // namespace

std::optional<std::uint16_t> ServicePlan::port(std::string_view port_name) const {
    const auto found =
        std::find_if(ports.begin(), ports.end(), [port_name](const AssignedPort& p) { return p.name == port_name; });
    return found == ports.end() ? std::nullopt : std::optional(found->number);
}

fs::path client_data_dir(const fs::path& data_dir, const ClientSettings& settings, Role role) {
    if (!settings.data_dir.empty()) return {settings.data_dir};
    return data_dir / fmt::format("{}-{}", clients::role_name(role), clients::client_name(settings.client));
}

Result<NodePlan> make_node_plan(const NodeInputs& inputs) {
    NodePlan plan{inputs.network, {}};
    const bool containers = inputs.settings.backend == Backend::compose;
    std::vector<AssignedPort> taken;
    for (const Role role : {Role::execution, Role::consensus, Role::validator}) {
        const ClientSettings& settings = settings_for(inputs.settings, role);
        if (!settings.enabled) continue;
        const clients::RoleSpec* spec = clients::role_spec(settings.client, role, inputs.settings.edition);
        if (spec == nullptr) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} cannot run as the {} client{}", clients::client_name(settings.client),
                                          clients::role_name(role),
                                          inputs.settings.edition == clients::Edition::devnet ? " of the devnet" : ""));
        }
        ServicePlan service;
        service.role = role;
        service.client = settings.client;
        service.name = clients::service_name(inputs.network, role, settings.client);
        service.host_data_dir = client_data_dir(inputs.data_dir, settings, role);
        service.data_dir = containers ? fs::path(container_data_dir) : service.host_data_dir;
        service.program = settings.binary.empty() || containers ? spec->program : settings.binary;
        service.ports = assign_ports(spec->ports, taken, inputs.settings.port_base);
        service.health = spec->health;
        service.image = settings.image.empty() ? spec->image : settings.image;
        for (const ServicePlan& earlier : plan.services) service.depends_on.push_back(earlier.name);
        plan.services.push_back(std::move(service));
    }

    // Where each client reaches the others.
    const auto find = [&plan](Role role) -> const ServicePlan* {
        const auto found = std::find_if(plan.services.begin(), plan.services.end(),
                                        [role](const ServicePlan& s) { return s.role == role; });
        return found == plan.services.end() ? nullptr : &*found;
    };
    const auto host_of = [&](const ServicePlan& service) {
        return containers ? service.name : std::string("127.0.0.1");
    };
    std::map<std::string, std::string> shared = inputs.release_values;
    if (const ServicePlan* el = find(Role::execution)) {
        shared["engine_url"] = url(host_of(*el), el->port("engine"));
        shared["execution_rpc_url"] = url(host_of(*el), el->port("http"));
    }
    if (const ServicePlan* cl = find(Role::consensus)) shared["beacon_url"] = url(host_of(*cl), cl->port("http"));
    shared["jwt_file"] = inputs.jwt_file.string();
    shared["bind_address"] = containers ? "0.0.0.0" : inputs.bind_address;
    shared["checkpoint_url"] = inputs.checkpoint_url;
    shared["keystores_dir"] = inputs.validator_keys.keystores_dir.string();
    shared["secrets_dir"] = inputs.validator_keys.secrets_dir.string();
    shared["password_file"] = inputs.validator_keys.password_file.string();
    shared["wallet_dir"] = inputs.validator_keys.wallet_dir.string();
    shared["fee_recipient"] = inputs.validator_keys.fee_recipient;
    shared["graffiti"] = inputs.validator_keys.graffiti;

    for (ServicePlan& service : plan.services) {
        auto values = shared;
        values["data_dir"] = service.data_dir.string();
        for (const auto* name : {"p2p", "http", "engine", "metrics", "keymanager"}) {
            if (const auto number = service.port(name)) values[fmt::format("{}_port", name)] = std::to_string(*number);
        }
        const clients::RoleSpec& spec = *clients::role_spec(service.client, service.role, inputs.settings.edition);
        std::vector<clients::Argument> arguments = spec.run;
        if (inputs.json_logs) arguments.insert(arguments.end(), spec.json_logs.begin(), spec.json_logs.end());
        auto rendered = clients::render_arguments(arguments, values);
        if (!rendered) {
            return make_error(rendered.error().code, fmt::format("{}: {}", service.name, rendered.error().message));
        }
        service.arguments = std::move(rendered).value();
        const auto& extra = settings_for(inputs.settings, service.role).extra_args;
        service.arguments.insert(service.arguments.end(), extra.begin(), extra.end());
    }
    return plan;
}

}  // namespace ephemery::node
