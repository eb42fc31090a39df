#pragma once

#include "reset/engine.hpp"

#include <string>
#include <vector>

namespace ephemery::reset {

// ClientControl for `ephemery reset run` by hand, with the clients run by something other than the daemon:
// "stop" checks that no process still has files open in the client's data dir and fails naming it if one
// does; "start" only records the service, for the caller to tell the operator; commands run directly.
class ExternalControl final : public ClientControl {
  public:
    [[nodiscard]] Status stop(const Instance& instance) override;
    [[nodiscard]] Status start(const Instance& instance) override;
    [[nodiscard]] Status run(const Instance& instance, const std::vector<std::string>& command) override;

    // Services a start step asked for, in order.
    [[nodiscard]] const std::vector<std::string>& to_start() const { return to_start_; }

  private:
    std::vector<std::string> to_start_;
};

}  // namespace ephemery::reset
