#pragma once

#include "config/config.hpp"
#include "core/exit_code.hpp"
#include "daemon/drivers.hpp"

#include <string>
#include <vector>

// The Compose and systemd backends' own tools, for what the daemon does not do: stopping the clients for good
// and showing their logs.
namespace ephemery::cli {

// The tools and where systemd units go, for this user.
[[nodiscard]] daemon::ToolSettings tool_settings();

// `docker compose down`, or `systemctl stop` of every unit.
[[nodiscard]] ExitCode stop_tool_clients(const config::Config& config);

// Replaces this process with `docker compose logs` or `journalctl` for the services (empty: all).
[[nodiscard]] ExitCode exec_tool_logs(const config::Config& config, const std::vector<std::string>& services,
                                      bool follow, unsigned lines);

}  // namespace ephemery::cli
