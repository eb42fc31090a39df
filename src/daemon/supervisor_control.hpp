#pragma once

#include "reset/engine.hpp"
#include "runtime/supervisor.hpp"

#include <string>
#include <vector>

namespace ephemery::daemon {

// The reset engine's ClientControl for natively supervised clients: stop and start go through the Supervisor
// (stop climbs the signal ladder and waits for the whole process group), genesis-init commands run directly and
// must exit 0.
class SupervisorControl final : public reset::ClientControl {
  public:
    explicit SupervisorControl(runtime::Supervisor& supervisor) : supervisor_(supervisor) {}

    [[nodiscard]] Status stop(const reset::Instance& instance) override;
    [[nodiscard]] Status start(const reset::Instance& instance) override;
    [[nodiscard]] Status run(const reset::Instance& instance, const std::vector<std::string>& command) override;

  private:
    runtime::Supervisor& supervisor_;
};

}  // namespace ephemery::daemon
