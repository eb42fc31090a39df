#pragma once

#include "core/result.hpp"
#include "node/compose.hpp"
#include "node/plan.hpp"
#include "node/systemd.hpp"
#include "reset/engine.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The Compose and systemd backends driven through their command-line tools: argument vectors (pure), parsers
// of what the tools report (pure, untrusted input), installing the rendered files, and the reset engine's
// ClientControl over each tool. Every tool runs through infra::run_process: an argument vector, never a shell.
namespace ephemery::daemon {

struct LogOptions {
    bool follow{false};
    std::optional<unsigned> tail;  // only the last N lines
};

// ---- Docker Compose ----

struct ComposeTarget {
    std::string docker{"docker"};        // the docker CLI (with the compose plugin): a path or a name on PATH
    std::filesystem::path compose_file;  // <data-dir>/compose/compose.yaml, see install_compose_file
    std::string project;                 // the Compose project: the node plan's network name
};

// Whether `docker compose` (the Compose plugin, which ephemery drives) works, asked once before the compose backend
// is used: without the plugin docker answers `compose -f ...` only with "unknown shorthand flag: 'f'". The error
// says what to install, and recognises the standalone `docker-compose` (Compose v1, found on PATH as
// `standalone_v1`), which cannot list containers as JSON (`ps --format json`).
[[nodiscard]] Status check_compose_plugin(const std::string& docker,
                                          const std::string& standalone_v1 = "docker-compose");

// A bind mount for `compose run`: the host path appears at the same path inside the container.
struct SamePathMount {
    std::filesystem::path path;
    bool read_only{true};
};

// `docker compose -f <file> -p <project> ...`, one function per subcommand. Services are plan service names.
// up -d [--no-deps] [service...]: no services means all; without start_dependencies a service's depends_on
// are left as they are (the reset engine starts EL, CL, VC itself, in order).
[[nodiscard]] std::vector<std::string> compose_up(const ComposeTarget& target, const std::vector<std::string>& services,
                                                  bool start_dependencies = true);
// stop [service]: an empty service stops them all.
[[nodiscard]] std::vector<std::string> compose_stop(const ComposeTarget& target, const std::string& service);
[[nodiscard]] std::vector<std::string> compose_down(const ComposeTarget& target);
// ps --all --format json: stopped containers too, or a stopped client would look absent.
[[nodiscard]] std::vector<std::string> compose_ps(const ComposeTarget& target);
// logs [--follow] [--tail N] [service]: an empty service shows them all.
[[nodiscard]] std::vector<std::string> compose_logs(const ComposeTarget& target, const std::string& service,
                                                    const LogOptions& options);
[[nodiscard]] std::vector<std::string> compose_restart(const ComposeTarget& target, const std::string& service);
// run --rm --no-deps -T [--volume P:P[:ro]...] --entrypoint <command[0]> <service> <command[1..]>: a one-off
// container of the service's image, user and volumes. command must not be empty.
[[nodiscard]] std::vector<std::string> compose_run(const ComposeTarget& target, const std::string& service,
                                                   const std::vector<SamePathMount>& mounts,
                                                   const std::vector<std::string>& command);

// ---- systemd ----

using node::SystemdScope;

// system for uid 0, user otherwise; pass ::geteuid().
[[nodiscard]] SystemdScope systemd_scope_for(unsigned effective_uid);
// /etc/systemd/system, or <home>/.config/systemd/user.
[[nodiscard]] std::filesystem::path systemd_units_dir(SystemdScope scope, const std::filesystem::path& home);

struct SystemdTarget {
    std::string systemctl{"systemctl"};    // a path or a name on PATH
    std::string journalctl{"journalctl"};  // a path or a name on PATH
    SystemdScope scope{SystemdScope::system};
};

// "<service>.service" for a plan service name; a name that already ends in .service or .target is kept.
[[nodiscard]] std::string systemd_unit(std::string_view service);

// systemctl [--user] ...
[[nodiscard]] std::vector<std::string> systemctl_daemon_reload(const SystemdTarget& target);
[[nodiscard]] std::vector<std::string> systemctl_enable_now(const SystemdTarget& target, const std::string& unit);
[[nodiscard]] std::vector<std::string> systemctl_stop(const SystemdTarget& target, const std::string& unit);
[[nodiscard]] std::vector<std::string> systemctl_restart(const SystemdTarget& target, const std::string& unit);
// show -p Id,LoadState,ActiveState,SubState,MainPID,NRestarts <unit...>: Id names each block of the output,
// LoadState tells a missing unit from a stopped one.
[[nodiscard]] std::vector<std::string> systemctl_show(const SystemdTarget& target,
                                                      const std::vector<std::string>& units);
// journalctl -u <unit> (--user-unit <unit> for the user's manager) [-f] [-n N].
[[nodiscard]] std::vector<std::string> journalctl_logs(const SystemdTarget& target, const std::string& unit,
                                                       const LogOptions& options);

// ---- what the tools report ----

// One service as a tool reports it. `state` is one of: running, starting, stopping, stopped, backing_off
// (crashed, to be restarted), failed (given up on), paused, missing (no such unit), unknown.
struct ToolServiceState {
    std::string name;  // the plan's service name (Compose service; systemd unit without ".service")
    std::string state;
    std::optional<int> pid;  // systemd's MainPID; Compose does not report one
    unsigned restarts{0};    // systemd's NRestarts; Compose does not report one
    std::string detail;      // the tool's own words: "active (running)", "Up 2 minutes (healthy)"
};

// `docker compose ps --format json`: one JSON array (Compose before 2.21) or one JSON object per line (2.21
// on). Lines that are not JSON (warnings on stderr, captured with stdout) are skipped when JSON follows;
// output with no JSON at all, or JSON of the wrong shape, is an error. Empty output: no containers.
[[nodiscard]] Result<std::vector<ToolServiceState>> parse_compose_ps(std::string_view output);

// `systemctl show` output: KEY=VALUE lines, a blank line between units, each with Id=. Lines that are not
// KEY=VALUE are skipped; output without any unit, a unit without Id, or a bad number is an error.
[[nodiscard]] Result<std::vector<ToolServiceState>> parse_systemctl_show(std::string_view output);

// ---- installing the rendered files ----

// Renders the plan (node::render_compose) and writes <data_dir>/compose/compose.yaml atomically (0644),
// creating the directory. Returns the file's path.
[[nodiscard]] Result<std::filesystem::path> install_compose_file(const node::NodePlan& plan,
                                                                 const node::ComposeInputs& inputs,
                                                                 const std::filesystem::path& data_dir);

// Renders the plan (node::render_systemd) and writes each unit into units_dir atomically (0644), creating the
// directory. Returns the paths in the plan's order, the target last. systemd sees them after daemon-reload.
// Units of services no longer in the plan are left alone.
[[nodiscard]] Result<std::vector<std::filesystem::path>> install_systemd_units(const node::NodePlan& plan,
                                                                               const node::SystemdInputs& inputs,
                                                                               const std::filesystem::path& units_dir);

// ---- the reset engine's ClientControl over each tool ----

// Clients run by Docker Compose. stop: `compose stop <service>`; start: `compose up -d --no-deps <service>`
// (which also recreates a container whose configuration changed, such as the release mounted at a reset).
//
// run (genesis-init commands): the reset plan renders them with host paths (the instance's data dir and the
// installed release under <data-dir>/testnet), not the container paths of the mount contract (/data,
// /release). So the one-off container gets the instance's data dir read-write and each of `shared_host_dirs`
// (the release store, <data-dir>/testnet) read-only at the same paths as on the host, and the host paths work
// unchanged. command[0] is the program inside the image (leave clients.<role>.binary empty: a host path does
// not exist there); it becomes the entrypoint, so it may not contain blanks or quotes. Host paths may not
// contain ':' or ',' (Docker's volume syntax).
class ComposeControl final : public reset::ClientControl {
  public:
    ComposeControl(ComposeTarget target, std::vector<std::filesystem::path> shared_host_dirs);

    [[nodiscard]] Status stop(const reset::Instance& instance) override;
    [[nodiscard]] Status start(const reset::Instance& instance) override;
    [[nodiscard]] Status run(const reset::Instance& instance, const std::vector<std::string>& command) override;

    [[nodiscard]] Status up();    // every service, with its dependencies
    [[nodiscard]] Status down();  // stops and removes the containers (data dirs are bind mounts: untouched)
    [[nodiscard]] Status restart(const std::string& service);
    [[nodiscard]] Result<std::vector<ToolServiceState>> states();

  private:
    ComposeTarget target_;
    std::vector<std::filesystem::path> shared_host_dirs_;
};

// Clients run as systemd units. stop: `systemctl stop` (a unit that is not installed is an error, not
// "stopped"); start: `systemctl enable --now`, so the system manager also starts it after a reboot (the units
// are WantedBy=multi-user.target, which a user manager never reaches: there only the start counts). run:
// directly on the host, with the binaries the units run.
class SystemdControl final : public reset::ClientControl {
  public:
    explicit SystemdControl(SystemdTarget target);

    [[nodiscard]] Status stop(const reset::Instance& instance) override;
    [[nodiscard]] Status start(const reset::Instance& instance) override;
    [[nodiscard]] Status run(const reset::Instance& instance, const std::vector<std::string>& command) override;

    [[nodiscard]] Status daemon_reload();  // after install_systemd_units
    [[nodiscard]] Status restart(const std::string& service);
    [[nodiscard]] Result<std::vector<ToolServiceState>> states(const std::vector<std::string>& services);

  private:
    SystemdTarget target_;
};

}  // namespace ephemery::daemon
