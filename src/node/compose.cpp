#include "node/compose.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <optional>

namespace ephemery::node {

namespace {

namespace fs = std::filesystem;
using clients::Transport;

// Peer-to-peer ports other nodes must reach; every other port (APIs, engine, metrics, keymanager, gRPC, and
// any name added later) is published on loopback only.
constexpr std::array<std::string_view, 4> public_port_names{"p2p", "quic", "discovery", "torrent"};

// Whether the client's images start the client themselves. Lighthouse's image has no ENTRYPOINT and puts
// `lighthouse` on PATH, so the program is named explicitly. The others have one, and it is not always the
// program name on PATH (Nimbus runs /home/user/nimbus_beacon_node, Lodestar `node ./packages/cli/bin/lodestar`,
// Prysm /app/cmd/...), so overriding it with the catalog's program would break them.
bool image_starts_the_client(clients::Client client) {
    return client != clients::Client::lighthouse;
}

// Compose interpolates ${VAR} and $VAR in every value; "$$" is a literal '$'.
std::string escape_interpolation(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (const char c : text) {
        if (c == '$') escaped += '$';
        escaped += c;
    }
    return escaped;
}

// One argument for `sh -c`, single-quoted.
std::string shell_quote(std::string_view text) {
    std::string quoted = "'";
    for (const char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    quoted += '\'';
    return quoted;
}

// Double quotes keep every value a string, whatever it looks like ("9000:9000" is a base-60 number to
// YAML 1.1 readers, "on" a boolean, "0x10" an integer).
void put(YAML::Emitter& out, std::string_view value) {
    out << YAML::DoubleQuoted << escape_interpolation(value);
}

void put_list(YAML::Emitter& out, const std::vector<std::string>& values) {
    out << YAML::BeginSeq;
    for (const std::string& value : values) put(out, value);
    out << YAML::EndSeq;
}

bool valid_project_name(std::string_view name) {
    const auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    return !name.empty() && lower_or_digit(name.front()) &&
           std::all_of(name.begin(), name.end(), [&](char c) { return lower_or_digit(c) || c == '-' || c == '_'; });
}

bool valid_service_name(std::string_view name) {
    const auto allowed = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    };
    return !name.empty() && std::all_of(name.begin(), name.end(), allowed);
}

Status check_host_path(const fs::path& path, std::string_view what) {
    if (path.empty()) return make_error(Errc::invalid_argument, fmt::format("compose: no host path for {}", what));
    // Compose resolves a relative source against the compose file's directory, which is not where it was meant.
    if (!path.is_absolute()) {
        return make_error(Errc::invalid_argument,
                          fmt::format("compose: the host path for {} must be absolute, not {}", what, path.string()));
    }
    return {};
}

struct Mount {
    fs::path source;
    std::string_view target;
    bool read_only{false};
};

void put_mounts(YAML::Emitter& out, const std::vector<Mount>& mounts) {
    out << YAML::BeginSeq;
    for (const Mount& mount : mounts) {
        out << YAML::BeginMap;
        out << YAML::Key << "type" << YAML::Value;
        put(out, "bind");
        out << YAML::Key << "source" << YAML::Value;
        put(out, mount.source.string());
        out << YAML::Key << "target" << YAML::Value;
        put(out, mount.target);
        if (mount.read_only) out << YAML::Key << "read_only" << YAML::Value << true;
        out << YAML::Key << "bind" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "create_host_path"
            << YAML::Value << false << YAML::EndMap;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

std::vector<std::string> published_ports(const ServicePlan& service) {
    std::vector<std::string> ports;
    for (const AssignedPort& port : service.ports) {
        const bool is_public =
            std::find(public_port_names.begin(), public_port_names.end(), port.name) != public_port_names.end();
        const std::string host = is_public ? std::string{} : std::string("127.0.0.1:");
        // The clients listen on the same number inside the container (the plan rendered it into the arguments).
        if (port.transport != Transport::udp)
            ports.push_back(fmt::format("{}{}:{}/tcp", host, port.number, port.number));
        if (port.transport != Transport::tcp)
            ports.push_back(fmt::format("{}{}:{}/udp", host, port.number, port.number));
    }
    return ports;
}

// A check run inside the container with whichever of wget (busybox images) and curl the image has. Images with
// neither, or with no shell at all (distroless ones), report unhealthy; nothing waits on health (depends_on only
// orders start-up), so that costs a status and not a start.
std::optional<std::string> health_command(const ServicePlan& service) {
    if (!service.health) return std::nullopt;
    const auto port = service.port(service.health->port);
    if (!port) return std::nullopt;
    switch (service.health->kind) {
        case clients::HealthKind::beacon_api:  // 206 (syncing) is a 2xx, which both tools accept
        case clients::HealthKind::http_get: {
            const std::string url = shell_quote(fmt::format("http://127.0.0.1:{}{}", *port, service.health->path));
            return fmt::format("wget -q -O /dev/null {0} || curl -fsS -o /dev/null {0}", url);
        }
        case clients::HealthKind::json_rpc: {
            const std::string url = shell_quote(fmt::format("http://127.0.0.1:{}", *port));
            const std::string body = shell_quote(
                fmt::format(R"({{"jsonrpc":"2.0","id":1,"method":"{}","params":[]}})", service.health->path));
            const std::string header = shell_quote("Content-Type: application/json");
            // An answer with a result is alive; an error object or no answer is not.
            const std::string result = shell_quote("\"result\"");
            return fmt::format(
                "wget -q -O - --header {0} --post-data {1} {2} | grep -q {3} || "
                "curl -fsS -H {0} -d {1} {2} | grep -q {3}",
                header, body, url, result);
        }
    }
    return std::nullopt;
}

void put_service(YAML::Emitter& out, const ServicePlan& service, const ComposeInputs& inputs) {
    out << YAML::Key << YAML::DoubleQuoted << service.name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "container_name" << YAML::Value;
    put(out, service.name);
    out << YAML::Key << "image" << YAML::Value;
    put(out, service.image);
    if (!image_starts_the_client(service.client)) {
        out << YAML::Key << "entrypoint" << YAML::Value << YAML::Flow;
        put_list(out, {service.program});
    }
    out << YAML::Key << "command" << YAML::Value;
    put_list(out, service.arguments);

    const std::string data_dir = service.data_dir.string();
    std::vector<Mount> mounts{{.source = service.host_data_dir, .target = data_dir, .read_only = false},
                              {.source = inputs.release_dir, .target = compose_release_dir, .read_only = true}};
    if (service.role != clients::Role::validator) {
        mounts.push_back({.source = inputs.jwt_file, .target = compose_jwt_file, .read_only = true});
    } else if (!inputs.keys_dir.empty()) {
        mounts.push_back({.source = inputs.keys_dir, .target = compose_keys_dir, .read_only = false});
    }
    out << YAML::Key << "volumes" << YAML::Value;
    put_mounts(out, mounts);

    const std::vector<std::string> ports = published_ports(service);
    if (!ports.empty()) {
        out << YAML::Key << "ports" << YAML::Value;
        put_list(out, ports);
    }
    if (!service.depends_on.empty()) {
        out << YAML::Key << "depends_on" << YAML::Value;
        put_list(out, service.depends_on);
    }
    out << YAML::Key << "restart" << YAML::Value;
    put(out, "unless-stopped");
    // Databases flush on shutdown; Docker's default of 10 s before SIGKILL can corrupt them.
    out << YAML::Key << "stop_grace_period" << YAML::Value;
    put(out, "2m");
    if (!inputs.user.empty()) {
        out << YAML::Key << "user" << YAML::Value;
        put(out, inputs.user);
    }
    if (const auto command = health_command(service)) {
        out << YAML::Key << "healthcheck" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "test" << YAML::Value << YAML::Flow;
        put_list(out, {"CMD-SHELL", *command});
        out << YAML::Key << "interval" << YAML::Value;
        put(out, "30s");
        out << YAML::Key << "timeout" << YAML::Value;
        put(out, "10s");
        out << YAML::Key << "retries" << YAML::Value << 3;
        // Clients open their databases before their APIs; failures meanwhile do not count.
        out << YAML::Key << "start_period" << YAML::Value;
        put(out, "2m");
        out << YAML::EndMap;
    }
    // Docker's json-file driver keeps everything by default; clients log a lot.
    out << YAML::Key << "logging" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "driver" << YAML::Value;
    put(out, "json-file");
    out << YAML::Key << "options" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "max-size" << YAML::Value;
    put(out, "50m");
    out << YAML::Key << "max-file" << YAML::Value;
    put(out, "5");
    out << YAML::EndMap << YAML::EndMap;
    out << YAML::EndMap;
}

}  // namespace

Result<std::string> render_compose(const NodePlan& plan, const ComposeInputs& inputs) {
    if (!valid_project_name(plan.network)) {
        return make_error(Errc::invalid_argument,
                          fmt::format("compose: the network name \"{}\" is the Compose project name, which takes "
                                      "only lowercase letters, digits, '-' and '_', starting with a letter or digit",
                                      plan.network));
    }
    for (const auto& [path, what] : {std::pair{&inputs.release_dir, "the release"}, {&inputs.jwt_file, "the JWT"}}) {
        if (const auto checked = check_host_path(*path, what); !checked) return checked.error();
    }
    if (!inputs.keys_dir.empty()) {
        if (const auto checked = check_host_path(inputs.keys_dir, "the validator keys"); !checked)
            return checked.error();
    }
    for (const ServicePlan& service : plan.services) {
        if (!valid_service_name(service.name)) {
            return make_error(Errc::invalid_argument,
                              fmt::format("compose: \"{}\" is not a valid service name (letters, digits, '.', '_' "
                                          "and '-' only)",
                                          service.name));
        }
        if (service.image.empty()) {
            return make_error(Errc::invalid_argument, fmt::format("compose: {} has no image", service.name));
        }
        if (const auto checked =
                check_host_path(service.host_data_dir, fmt::format("the data dir of {}", service.name));
            !checked) {
            return checked.error();
        }
    }

    YAML::Emitter out;
    out.SetIndent(2);
    out << YAML::Comment(
        "Written by ephemery from the node plan; edits are lost when it renders the plan again.\n"
        "Health checks run wget or curl inside the container: images with neither report unhealthy.");
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value;
    put(out, plan.network);
    out << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
    for (const ServicePlan& service : plan.services) put_service(out, service, inputs);
    out << YAML::EndMap;
    out << YAML::EndMap;
    if (!out.good()) {
        return make_error(Errc::invalid_argument, fmt::format("compose: cannot write YAML: {}", out.GetLastError()));
    }
    return std::string(out.c_str()) + "\n";
}

}  // namespace ephemery::node
