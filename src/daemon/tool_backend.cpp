#include "daemon/tool_backend.hpp"

#include "core/text.hpp"
#include "infra/files.hpp"
#include "infra/process.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

namespace ephemery::daemon {

namespace {

namespace fs = std::filesystem;

constexpr fs::perms readable_by_all =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
constexpr std::size_t output_lines_in_errors = 20;

std::vector<std::string> compose_command(const ComposeTarget& target, std::initializer_list<std::string_view> words) {
    std::vector<std::string> argv{target.docker, "compose", "-f", target.compose_file.string(), "-p", target.project};
    argv.insert(argv.end(), words.begin(), words.end());
    return argv;
}

std::vector<std::string> systemctl_command(const SystemdTarget& target, std::initializer_list<std::string_view> words) {
    std::vector<std::string> argv{target.systemctl};
    if (target.scope == SystemdScope::user) argv.emplace_back("--user");
    argv.insert(argv.end(), words.begin(), words.end());
    return argv;
}

void add_log_options(std::vector<std::string>& argv, const LogOptions& options, std::string_view follow,
                     std::string_view tail) {
    if (options.follow) argv.emplace_back(follow);
    if (options.tail) {
        argv.emplace_back(tail);
        argv.push_back(std::to_string(*options.tail));
    }
}

// A name the tools take as a positional argument: letters, digits, '.', '_', '-', and not an option.
Status check_name(std::string_view name, std::string_view what) {
    const auto allowed = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    };
    if (name.empty() || name.front() == '-' || name.front() == '.' || !std::all_of(name.begin(), name.end(), allowed)) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} \"{}\" is not a valid name (letters, digits, '.', '_' and '-', starting "
                                      "with a letter or digit)",
                                      what, name));
    }
    return {};
}

// Runs a tool to completion; its output when it exits 0, else an error with the command and its last lines.
Result<std::string> run_tool(const std::vector<std::string>& argv) {
    auto outcome = infra::run_process(argv);
    if (!outcome) return outcome.error();
    if (outcome->exit_code != 0) {
        return make_error(Errc::io_error,
                          fmt::format("`{}` exited with {}; its last output:\n{}", fmt::join(argv, " "),
                                      outcome->exit_code, infra::last_lines(outcome->output, output_lines_in_errors)));
    }
    return std::move(outcome->output);
}

Status run_status(const std::vector<std::string>& argv) {
    auto output = run_tool(argv);
    if (!output) return output.error();
    return {};
}

// ---- docker compose ps ----

std::string compose_state(std::string_view state) {
    static const std::map<std::string_view, std::string_view> states{
        {"running", "running"}, {"restarting", "backing_off"}, {"exited", "stopped"}, {"created", "stopped"},
        {"paused", "paused"},   {"removing", "stopping"},      {"dead", "failed"},
    };
    const auto found = states.find(state);
    return std::string(found == states.end() ? "unknown" : found->second);
}

Result<std::string> string_field(const nlohmann::json& object, const char* key, bool required) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        if (required) return make_error(Errc::parse_error, fmt::format("docker compose ps: an entry has no {}", key));
        return std::string{};
    }
    if (!found->is_string()) {
        return make_error(Errc::parse_error, fmt::format("docker compose ps: {} is not a string", key));
    }
    return found->get<std::string>();
}

Result<ToolServiceState> compose_entry(const nlohmann::json& entry) {
    if (!entry.is_object()) return make_error(Errc::parse_error, "docker compose ps: an entry is not a JSON object");
    auto service = string_field(entry, "Service", false);
    if (!service) return service.error();
    if (service->empty()) {
        service = string_field(entry, "Name", true);
        if (!service) return service.error();
    }
    auto state = string_field(entry, "State", true);
    if (!state) return state.error();
    auto status = string_field(entry, "Status", false);
    if (!status) return status.error();
    auto health = string_field(entry, "Health", false);
    if (!health) return health.error();
    std::string detail = status->empty() ? *state : *status;
    if (status->empty() && !health->empty()) detail += fmt::format(" ({})", *health);
    return ToolServiceState{.name = std::move(service).value(),
                            .state = compose_state(*state),
                            .pid = std::nullopt,
                            .restarts = 0,
                            .detail = std::move(detail)};
}

// An array of entries or one entry; nothing nests deeper.
Status add_compose_entries(const nlohmann::json& document, std::vector<ToolServiceState>& states) {
    const auto add = [&states](const nlohmann::json& entry) -> Status {
        auto state = compose_entry(entry);
        if (!state) return state.error();
        states.push_back(std::move(state).value());
        return {};
    };
    if (!document.is_array()) return add(document);
    for (const auto& entry : document) {
        if (auto status = add(entry); !status) return status;
    }
    return {};
}

// ---- systemctl show ----

std::string systemd_state(std::string_view load, std::string_view active, std::string_view sub) {
    if (load == "not-found") return "missing";
    if (active == "active" || active == "reloading" || active == "refreshing") return "running";
    if (active == "activating") return sub == "auto-restart" ? "backing_off" : "starting";
    if (active == "deactivating") return "stopping";
    if (active == "inactive") return "stopped";
    if (active == "failed") return "failed";
    return "unknown";
}

template <typename Number>
Result<Number> number_field(std::string_view key, std::string_view value) {
    Number number{};
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (value.empty() || error != std::errc{} || end != value.data() + value.size()) {
        return make_error(Errc::parse_error, fmt::format("systemctl show: {}={:?} is not a number", key, value));
    }
    return number;
}

Result<ToolServiceState> systemd_block(const std::map<std::string, std::string, std::less<>>& fields) {
    const auto field = [&fields](std::string_view key) {
        const auto found = fields.find(key);
        return found == fields.end() ? std::string{} : found->second;
    };
    std::string name = field("Id");
    if (name.empty()) return make_error(Errc::parse_error, "systemctl show: a unit has no Id=");
    if (name.ends_with(".service")) name.resize(name.size() - std::string_view(".service").size());
    ToolServiceState state{.name = std::move(name),
                           .state = systemd_state(field("LoadState"), field("ActiveState"), field("SubState")),
                           .pid = std::nullopt,
                           .restarts = 0,
                           .detail = field("SubState").empty()
                                         ? field("ActiveState")
                                         : fmt::format("{} ({})", field("ActiveState"), field("SubState"))};
    if (const auto pid = fields.find("MainPID"); pid != fields.end()) {
        auto number = number_field<int>("MainPID", pid->second);
        if (!number) return number.error();
        if (*number > 0) state.pid = *number;
    }
    // Absent before systemd 235, and "[not set]" where the manager does not track it.
    if (const auto restarts = fields.find("NRestarts"); restarts != fields.end() && restarts->second != "[not set]") {
        auto number = number_field<unsigned>("NRestarts", restarts->second);
        if (!number) return number.error();
        state.restarts = *number;
    }
    return state;
}

bool is_property_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(),
                                        [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

Status check_mount_path(const fs::path& path) {
    const std::string text = path.string();
    if (!path.is_absolute() || text.find_first_of(":,\n") != std::string::npos) {
        return make_error(Errc::invalid_argument,
                          fmt::format("docker compose run cannot mount \"{}\": the path must be absolute and free of "
                                      "':' and ','",
                                      text));
    }
    return {};
}

}  // namespace

// ---- is Compose there ----

Status check_compose_plugin(const std::string& docker, const std::string& standalone_v1) {
    constexpr std::string_view choose_another = "or set runtime.backend: native or systemd";
    const auto plugin = infra::run_process({docker, "compose", "version"});
    if (!plugin) {
        return make_error(Errc::not_found,
                          fmt::format("runtime.backend: compose runs the clients with Docker Compose, and `{}` cannot "
                                      "be run ({}): install Docker Engine with its Compose plugin (packages docker-ce "
                                      "and docker-compose-plugin from Docker's Debian repository), {}",
                                      docker, plugin.error().message, choose_another));
    }
    if (plugin->exit_code == 0) return {};
    const std::string said{trim(infra::last_lines(plugin->output, 1))};
    const auto v1 = infra::run_process({standalone_v1, "version"});
    if (v1 && v1->exit_code == 0) {
        return make_error(Errc::not_found,
                          fmt::format("runtime.backend: compose needs the Docker Compose plugin (`{} compose`), which "
                                      "answers: {}; `{}` (Compose v1) is installed, but ephemery drives Compose v2 "
                                      "(v1 cannot list containers as JSON): install docker-compose-plugin, {}",
                                      docker, said, standalone_v1, choose_another));
    }
    return make_error(Errc::not_found,
                      fmt::format("runtime.backend: compose needs the Docker Compose plugin, and `{} compose version` "
                                  "answers: {}: install docker-compose-plugin (from Docker's Debian repository), {}",
                                  docker, said, choose_another));
}

// ---- argument vectors ----

std::vector<std::string> compose_up(const ComposeTarget& target, const std::vector<std::string>& services,
                                    bool start_dependencies) {
    auto argv = compose_command(target, {"up", "-d"});
    if (!start_dependencies) argv.emplace_back("--no-deps");
    argv.insert(argv.end(), services.begin(), services.end());
    return argv;
}

std::vector<std::string> compose_stop(const ComposeTarget& target, const std::string& service) {
    auto argv = compose_command(target, {"stop"});
    if (!service.empty()) argv.push_back(service);
    return argv;
}

std::vector<std::string> compose_down(const ComposeTarget& target) {
    return compose_command(target, {"down"});
}

std::vector<std::string> compose_ps(const ComposeTarget& target) {
    return compose_command(target, {"ps", "--all", "--format", "json"});
}

std::vector<std::string> compose_logs(const ComposeTarget& target, const std::string& service,
                                      const LogOptions& options) {
    auto argv = compose_command(target, {"logs"});
    add_log_options(argv, options, "--follow", "--tail");
    if (!service.empty()) argv.push_back(service);
    return argv;
}

std::vector<std::string> compose_restart(const ComposeTarget& target, const std::string& service) {
    return compose_command(target, {"restart", service});
}

std::vector<std::string> compose_run(const ComposeTarget& target, const std::string& service,
                                     const std::vector<SamePathMount>& mounts,
                                     const std::vector<std::string>& command) {
    auto argv = compose_command(target, {"run", "--rm", "--no-deps", "-T"});
    for (const SamePathMount& mount : mounts) {
        argv.emplace_back("--volume");
        argv.push_back(fmt::format("{0}:{0}{1}", mount.path.string(), mount.read_only ? ":ro" : ""));
    }
    if (!command.empty()) {
        argv.emplace_back("--entrypoint");
        argv.push_back(command.front());
    }
    argv.push_back(service);
    if (!command.empty()) argv.insert(argv.end(), command.begin() + 1, command.end());
    return argv;
}

SystemdScope systemd_scope_for(unsigned effective_uid) {
    return effective_uid == 0 ? SystemdScope::system : SystemdScope::user;
}

fs::path systemd_units_dir(SystemdScope scope, const fs::path& home) {
    return scope == SystemdScope::system ? fs::path("/etc/systemd/system") : home / ".config" / "systemd" / "user";
}

std::string systemd_unit(std::string_view service) {
    if (service.ends_with(".service") || service.ends_with(".target")) return std::string(service);
    return std::string(service) + ".service";
}

std::vector<std::string> systemctl_daemon_reload(const SystemdTarget& target) {
    return systemctl_command(target, {"daemon-reload"});
}

std::vector<std::string> systemctl_enable_now(const SystemdTarget& target, const std::string& unit) {
    return systemctl_command(target, {"enable", "--now", unit});
}

std::vector<std::string> systemctl_stop(const SystemdTarget& target, const std::string& unit) {
    return systemctl_command(target, {"stop", unit});
}

std::vector<std::string> systemctl_restart(const SystemdTarget& target, const std::string& unit) {
    return systemctl_command(target, {"restart", unit});
}

std::vector<std::string> systemctl_show(const SystemdTarget& target, const std::vector<std::string>& units) {
    auto argv = systemctl_command(target, {"show", "-p", "Id,LoadState,ActiveState,SubState,MainPID,NRestarts"});
    argv.insert(argv.end(), units.begin(), units.end());
    return argv;
}

std::vector<std::string> journalctl_logs(const SystemdTarget& target, const std::string& unit,
                                         const LogOptions& options) {
    std::vector<std::string> argv{target.journalctl, target.scope == SystemdScope::user ? "--user-unit" : "-u", unit};
    add_log_options(argv, options, "-f", "-n");
    return argv;
}

// ---- parsers ----

Result<std::vector<ToolServiceState>> parse_compose_ps(std::string_view output) {
    std::vector<ToolServiceState> states;
    const std::string_view whole = trim(output);
    if (whole.empty()) return states;
    // One document: the array of Compose before 2.21, or a single object.
    if (const auto document = nlohmann::json::parse(whole, nullptr, false); !document.is_discarded()) {
        if (auto status = add_compose_entries(document, states); !status) return status.error();
        return states;
    }
    // One object a line (Compose 2.21 on), possibly among warnings that went to stderr.
    bool found_json = false;
    std::string first_other;
    std::size_t start = 0;
    while (start < output.size()) {
        std::size_t end = output.find('\n', start);
        if (end == std::string_view::npos) end = output.size();
        const std::string_view line = trim(output.substr(start, end - start));
        start = end + 1;
        if (line.empty()) continue;
        if (line.front() != '{' && line.front() != '[') {
            if (first_other.empty()) first_other = std::string(line.substr(0, 200));
            continue;
        }
        const auto document = nlohmann::json::parse(line, nullptr, false);
        if (document.is_discarded()) {
            return make_error(Errc::parse_error,
                              fmt::format("docker compose ps: not JSON: {}", std::string(line.substr(0, 200))));
        }
        if (auto status = add_compose_entries(document, states); !status) return status.error();
        found_json = true;
    }
    if (!found_json) {
        return make_error(
            Errc::parse_error,
            fmt::format("docker compose ps printed no JSON (does this Compose know --format json?): {}", first_other));
    }
    return states;
}

Result<std::vector<ToolServiceState>> parse_systemctl_show(std::string_view output) {
    std::vector<ToolServiceState> states;
    std::map<std::string, std::string, std::less<>> fields;
    std::string first_other;
    const auto finish_block = [&]() -> Status {
        if (fields.empty()) return {};
        auto state = systemd_block(fields);
        fields.clear();
        if (!state) return state.error();
        states.push_back(std::move(state).value());
        return {};
    };
    std::size_t start = 0;
    while (start <= output.size()) {
        std::size_t end = output.find('\n', start);
        if (end == std::string_view::npos) end = output.size();
        const std::string_view line = output.substr(start, end - start);
        start = end + 1;
        if (trim(line).empty()) {
            if (auto status = finish_block(); !status) return status.error();
            continue;
        }
        const std::size_t equals = line.find('=');
        const std::string_view key = equals == std::string_view::npos ? line : line.substr(0, equals);
        if (equals == std::string_view::npos || !is_property_name(key)) {
            if (first_other.empty()) first_other = std::string(trim(line.substr(0, 200)));
            continue;
        }
        fields.insert_or_assign(std::string(key), std::string(line.substr(equals + 1)));
    }
    if (auto status = finish_block(); !status) return status.error();
    if (states.empty()) {
        return make_error(Errc::parse_error, first_other.empty()
                                                 ? std::string("systemctl show printed no unit")
                                                 : fmt::format("systemctl show printed no unit: {}", first_other));
    }
    return states;
}

// ---- installing ----

Result<fs::path> install_compose_file(const node::NodePlan& plan, const node::ComposeInputs& inputs,
                                      const fs::path& data_dir) {
    auto text = node::render_compose(plan, inputs);
    if (!text) return text.error();
    const fs::path directory = data_dir / "compose";
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) {
        return make_error(Errc::io_error, fmt::format("cannot create {}: {}", directory.string(), error.message()));
    }
    const fs::path file = directory / "compose.yaml";
    if (auto status = infra::write_file_atomically(file, *text, readable_by_all); !status) return status.error();
    return file;
}

Result<std::vector<fs::path>> install_systemd_units(const node::NodePlan& plan, const node::SystemdInputs& inputs,
                                                    const fs::path& units_dir) {
    auto units = node::render_systemd(plan, inputs);
    if (!units) return units.error();
    std::error_code error;
    fs::create_directories(units_dir, error);
    if (error) {
        return make_error(Errc::io_error, fmt::format("cannot create {}: {}", units_dir.string(), error.message()));
    }
    std::vector<fs::path> paths;
    for (const node::UnitFile& unit : *units) {
        const fs::path file = units_dir / unit.name;
        if (auto status = infra::write_file_atomically(file, unit.text, readable_by_all); !status) {
            return status.error();
        }
        paths.push_back(file);
    }
    return paths;
}

// ---- ComposeControl ----

ComposeControl::ComposeControl(ComposeTarget target, std::vector<fs::path> shared_host_dirs)
    : target_(std::move(target)), shared_host_dirs_(std::move(shared_host_dirs)) {}

Status ComposeControl::stop(const reset::Instance& instance) {
    if (auto status = check_name(instance.service, "the service"); !status) return status;
    return run_status(compose_stop(target_, instance.service));
}

Status ComposeControl::start(const reset::Instance& instance) {
    if (auto status = check_name(instance.service, "the service"); !status) return status;
    return run_status(compose_up(target_, {instance.service}, false));
}

Status ComposeControl::run(const reset::Instance& instance, const std::vector<std::string>& command) {
    if (auto status = check_name(instance.service, "the service"); !status) return status;
    if (command.empty() || command.front().empty() ||
        command.front().find_first_of(" \t\n\"'\\") != std::string::npos) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{}: the init command's program must be one word naming the program inside the "
                                      "image (it becomes the entrypoint of docker compose run)",
                                      instance.service));
    }
    std::vector<SamePathMount> mounts{{.path = instance.data_dir, .read_only = false}};
    for (const fs::path& shared : shared_host_dirs_) mounts.push_back({.path = shared, .read_only = true});
    for (const SamePathMount& mount : mounts) {
        if (auto status = check_mount_path(mount.path); !status) return status;
    }
    return run_status(compose_run(target_, instance.service, mounts, command));
}

Status ComposeControl::up() {
    return run_status(compose_up(target_, {}));
}

Status ComposeControl::down() {
    return run_status(compose_down(target_));
}

Status ComposeControl::restart(const std::string& service) {
    if (auto status = check_name(service, "the service"); !status) return status;
    return run_status(compose_restart(target_, service));
}

Result<std::vector<ToolServiceState>> ComposeControl::states() {
    auto output = run_tool(compose_ps(target_));
    if (!output) return output.error();
    return parse_compose_ps(*output);
}

// ---- SystemdControl ----

SystemdControl::SystemdControl(SystemdTarget target) : target_(std::move(target)) {}

Status SystemdControl::stop(const reset::Instance& instance) {
    if (auto status = check_name(instance.service, "the unit"); !status) return status;
    return run_status(systemctl_stop(target_, systemd_unit(instance.service)));
}

Status SystemdControl::start(const reset::Instance& instance) {
    if (auto status = check_name(instance.service, "the unit"); !status) return status;
    return run_status(systemctl_enable_now(target_, systemd_unit(instance.service)));
}

Status SystemdControl::run(const reset::Instance& instance, const std::vector<std::string>& command) {
    if (command.empty()) {
        return make_error(Errc::invalid_argument, fmt::format("{}: the init command is empty", instance.service));
    }
    return run_status(command);
}

Status SystemdControl::daemon_reload() {
    return run_status(systemctl_daemon_reload(target_));
}

Status SystemdControl::restart(const std::string& service) {
    if (auto status = check_name(service, "the unit"); !status) return status;
    return run_status(systemctl_restart(target_, systemd_unit(service)));
}

Result<std::vector<ToolServiceState>> SystemdControl::states(const std::vector<std::string>& services) {
    std::vector<std::string> units;
    units.reserve(services.size());
    for (const std::string& service : services) {
        if (auto status = check_name(service, "the unit"); !status) return status.error();
        units.push_back(systemd_unit(service));
    }
    auto output = run_tool(systemctl_show(target_, units));
    if (!output) return output.error();
    return parse_systemctl_show(*output);
}

}  // namespace ephemery::daemon
