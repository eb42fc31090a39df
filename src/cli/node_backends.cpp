#include "cli/node_backends.hpp"
#include "cli/terminal.hpp"

#include "daemon/node_daemon.hpp"
#include "daemon/tool_backend.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>

namespace ephemery::cli {
namespace {

daemon::ComposeTarget compose_target(const config::Config& config, const daemon::ToolSettings& tools) {
    return {.docker = tools.docker,
            .compose_file = config.data_dir / "compose" / "compose.yaml",
            .project = config.network.name};
}

daemon::SystemdTarget systemd_target(const daemon::ToolSettings& tools) {
    return {.systemctl = tools.systemctl, .journalctl = tools.journalctl, .scope = tools.systemd_scope};
}

}  // namespace

daemon::ToolSettings tool_settings() {
    daemon::ToolSettings tools;
    tools.systemd_scope = daemon::systemd_scope_for(::geteuid());
    // Read once at start-up, before any thread exists.
    const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe)
    tools.systemd_units_dir = daemon::systemd_units_dir(tools.systemd_scope, home == nullptr ? "" : home);
    return tools;
}

ExitCode stop_tool_clients(const config::Config& config) {
    const auto tools = tool_settings();
    const auto instances = daemon::node_instances(config.network.name, config.data_dir, config.node);
    if (config.node.backend == node::Backend::compose) {
        if (auto available = daemon::check_compose_plugin(tools.docker); !available) {
            print_stderr("error: {}\n", available.error().message);
            return ExitCode::runtime_failure;
        }
        daemon::ComposeControl compose(compose_target(config, tools), {});
        if (auto down = compose.down(); !down) {
            print_stderr("error: {}\n", down.error().message);
            return ExitCode::runtime_failure;
        }
        fmt::print("the containers are stopped and removed (their data dirs are kept)\n");
        return ExitCode::ok;
    }
    daemon::SystemdControl systemd(systemd_target(tools));
    ExitCode code = ExitCode::ok;
    for (std::size_t index = instances.size(); index-- > 0;) {  // validator, consensus, execution
        if (auto stopped = systemd.stop(instances[index]); !stopped) {
            print_stderr("error: {}\n", stopped.error().message);
            code = ExitCode::runtime_failure;
        }
    }
    if (code == ExitCode::ok) fmt::print("the units are stopped\n");
    return code;
}

ExitCode exec_tool_logs(const config::Config& config, const std::vector<std::string>& services, bool follow,
                        unsigned lines) {
    const auto tools = tool_settings();
    const daemon::LogOptions options{.follow = follow, .tail = lines};
    std::vector<std::string> argv;
    if (config.node.backend == node::Backend::compose) {
        argv =
            daemon::compose_logs(compose_target(config, tools), services.size() == 1 ? services.front() : "", options);
    } else if (services.size() == 1) {
        argv = daemon::journalctl_logs(systemd_target(tools), daemon::systemd_unit(services.front()), options);
    } else {
        print_stderr("error: with systemd, name one role: ephemery logs execution|consensus|validator\n");
        return ExitCode::usage_error;
    }
    std::vector<char*> pointers;
    pointers.reserve(argv.size() + 1);
    for (auto& argument : argv) pointers.push_back(argument.data());
    pointers.push_back(nullptr);
    ::execvp(pointers.front(), pointers.data());
    print_stderr("error: cannot run {}: {}\n", argv.front(), std::generic_category().message(errno));
    return ExitCode::runtime_failure;
}

}  // namespace ephemery::cli
