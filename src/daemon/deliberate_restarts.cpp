#include "daemon/deliberate_restarts.hpp"

#include <algorithm>

namespace ephemery::daemon {

namespace {

std::string service_of(const monitoring::Sample& sample) {
    for (const auto& [key, value] : sample.labels) {
        if (key == "service") return value;
    }
    return {};
}

}  // namespace

void DeliberateRestarts::begin(const std::string& service, TimePoint now) {
    const std::scoped_lock lock(mutex_);
    started_[service] = now;
}

std::vector<monitoring::Sample> DeliberateRestarts::judged(std::vector<monitoring::Sample> samples, TimePoint now) {
    const std::scoped_lock lock(mutex_);
    std::erase_if(samples, [&](const monitoring::Sample& sample) {
        const auto restarted = started_.find(service_of(sample));
        if (restarted == started_.end()) return false;
        if (sample.value != 0 || now - restarted->second >= grace) {
            started_.erase(restarted);
            return false;
        }
        return true;
    });
    return samples;
}

}  // namespace ephemery::daemon
