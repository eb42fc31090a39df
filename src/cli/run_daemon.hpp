#pragma once

#include "core/exit_code.hpp"
#include "core/result.hpp"
#include "daemon/node_daemon.hpp"

#include <functional>

namespace ephemery::cli {

// Runs the daemon in this process until SIGINT, SIGTERM or SIGHUP, then stops the clients. `ready` is called
// once it listens (with its API port), or with the error that kept it from starting. `up` and `devnet` use it.
ExitCode run_daemon(daemon::DaemonSettings settings, const std::function<void(const Status&, int port)>& ready);

}  // namespace ephemery::cli
