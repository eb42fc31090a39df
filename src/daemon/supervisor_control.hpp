#pragma once

#include "reset/engine.hpp"
#include "runtime/supervisor.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ephemery::daemon {

// The reset engine's ClientControl for natively supervised clients: stop and start go through the Supervisor
// (stop climbs the signal ladder and waits for the whole process group), genesis-init commands run directly and
// must exit 0. A start after a reset brings the new release's arguments (chain id, bootnodes): `refresh`, when
// given, supplies the spec each start uses.
class SupervisorControl final : public reset::ClientControl {
  public:
    using SpecRefresher = std::function<Result<runtime::ProcessSpec>(const reset::Instance&)>;
    explicit SupervisorControl(runtime::Supervisor& supervisor, SpecRefresher refresh = {})
        : supervisor_(supervisor), refresh_(std::move(refresh)) {}

    [[nodiscard]] Status stop(const reset::Instance& instance) override;
    [[nodiscard]] Status start(const reset::Instance& instance) override;
    [[nodiscard]] Status run(const reset::Instance& instance, const std::vector<std::string>& command) override;

  private:
    runtime::Supervisor& supervisor_;
    SpecRefresher refresh_;
};

}  // namespace ephemery::daemon
