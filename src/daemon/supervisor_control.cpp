#include "daemon/supervisor_control.hpp"

#include "infra/process.hpp"

#include <fmt/format.h>

namespace ephemery::daemon {

Status SupervisorControl::stop(const reset::Instance& instance) {
    return supervisor_.stop(instance.service);
}

Status SupervisorControl::start(const reset::Instance& instance) {
    if (!refresh_) return supervisor_.start(instance.service);
    auto spec = refresh_(instance);
    if (!spec) return spec.error();
    return supervisor_.start(*spec);
}

Status SupervisorControl::run(const reset::Instance& instance, const std::vector<std::string>& command) {
    auto outcome = infra::run_process(command);
    if (!outcome) {
        return make_error(outcome.error().code,
                          fmt::format("{} ({}): {}", instance.service, command.front(), outcome.error().message));
    }
    if (outcome->exit_code != 0) {
        return make_error(Errc::io_error, fmt::format("{} exited with {}; its last output:\n{}", command.front(),
                                                      outcome->exit_code, infra::last_lines(outcome->output, 20)));
    }
    return {};
}

}  // namespace ephemery::daemon
