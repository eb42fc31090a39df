#pragma once
// Restarts an operator asked for (`POST /api/v1/restart/{role}`): the client is down on purpose for a moment, and
// the service_down alert must not page anyone for it.

#include "monitoring/record.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ephemery::daemon {

class DeliberateRestarts {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    // How long a restarted client may take to run again before its being down counts as an outage.
    static constexpr std::chrono::seconds grace{120};

    void begin(const std::string& service, TimePoint now);
    // `ephemery_service_up` samples without those of services restarted on purpose that do not run yet; a service
    // that runs again, or whose grace has passed, is forgotten and judged as usual from then on.
    [[nodiscard]] std::vector<monitoring::Sample> judged(std::vector<monitoring::Sample> samples, TimePoint now);

  private:
    std::mutex mutex_;
    std::map<std::string, TimePoint> started_;  // service -> when its restart was asked for
};

}  // namespace ephemery::daemon
