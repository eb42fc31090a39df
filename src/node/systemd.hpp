#pragma once

#include "core/result.hpp"
#include "node/plan.hpp"

#include <string>
#include <string_view>
#include <vector>

// The node plan as systemd units: one service per client and a target that starts and stops them together.
// Pure: text out; installing the files and calling systemctl is the runtime's job.
//
// The plan must have been made for the native layout (`runtime.backend: systemd`): host paths, 127.0.0.1.
// A program that is not an absolute path is looked up by systemd in its own fixed list of directories
// (/usr/local/bin, /usr/bin, ...), not in the operator's PATH, so the runtime should resolve it first. Data
// dirs must exist before a unit starts (WorkingDirectory= and ReadWritePaths= refuse missing ones).
namespace ephemery::node {

// Which manager runs the units: the system's when ephemery runs as root, else the user's (`systemctl --user`;
// such units run without a login session only after `loginctl enable-linger <user>`).
enum class SystemdScope { system, user };

struct SystemdInputs {
    std::string user;   // User=; empty: root, the manager's default. Only for the system manager.
    std::string group;  // Group=; empty: the user's primary group. Only for the system manager.
    // The user manager has no multi-user.target or network-online.target (units there are wanted by
    // default.target, reached at login or, lingering, at boot) and cannot switch users or, without user
    // namespaces, set up the mount sandbox (PrivateTmp=, ProtectSystem=).
    SystemdScope scope{SystemdScope::system};
};

struct UnitFile {
    std::string name;  // "<service>.service" or "ephemery-<network>.target"
    std::string text;
};

// "ephemery-<network>.target": starting it starts every service, stopping it stops them (they are PartOf it).
[[nodiscard]] std::string systemd_target_name(std::string_view network);

// ExecStart= syntax for one argument: double-quoted, '\' and '"' backslash-escaped, control characters as
// \xNN, '%' as "%%" (specifiers) and '$' as "$$" (environment variables). Fails on a NUL byte, which no
// argument can carry.
[[nodiscard]] Result<std::string> systemd_exec_argument(std::string_view argument);

// One unit per service, in the plan's order, then the target. Each service orders itself After= and Wants=
// the services it depends on, so systemd starts EL, CL, VC in that order and stops them in reverse. Fails
// naming the service when a name or path cannot be written in a unit file.
[[nodiscard]] Result<std::vector<UnitFile>> render_systemd(const NodePlan& plan, const SystemdInputs& inputs);

}  // namespace ephemery::node
