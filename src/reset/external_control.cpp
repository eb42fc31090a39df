#include "reset/external_control.hpp"

#include "infra/process.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ephemery::reset {

Status ExternalControl::stop(const Instance& instance) {
    const auto users = infra::processes_using(instance.data_dir);
    if (users.empty()) return {};
    const auto& first = users.front();
    return make_error(
        Errc::invalid_argument,
        fmt::format("{} still runs: process {} ({}) uses {}. Stop it first (ephemery does not supervise "
                    "it here); {} process(es) use its data dir {}",
                    instance.service, first.pid, first.command, first.path, users.size(), instance.data_dir.string()));
}

Status ExternalControl::start(const Instance& instance) {
    spdlog::info("{} is ready to start", instance.service);
    to_start_.push_back(instance.service);
    return {};
}

Status ExternalControl::run(const Instance& instance, const std::vector<std::string>& command) {
    auto outcome = infra::run_process(command);
    if (!outcome) {
        return make_error(outcome.error().code,
                          fmt::format("{}; set clients.{}.binary to the executable", outcome.error().message,
                                      clients::role_name(instance.role)));
    }
    if (outcome->exit_code != 0) {
        return make_error(Errc::io_error, fmt::format("{} exited with {}; its last output:\n{}", command.front(),
                                                      outcome->exit_code, infra::last_lines(outcome->output, 20)));
    }
    return {};
}

}  // namespace ephemery::reset
