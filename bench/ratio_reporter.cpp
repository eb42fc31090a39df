#include "ratio_reporter.hpp"

#include <fmt/format.h>

namespace ephemery::bench {

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
    for (const auto& run : runs) {
        if (run.iterations > 0 && run.run_type == Run::RT_Iteration) {
            nanoseconds_[run.benchmark_name()] = run.GetAdjustedRealTime();
        }
    }
    ConsoleReporter::ReportRuns(runs);
}

bool RatioReporter::print_ratios(const std::vector<Comparison>& comparisons) const {
    bool complete = true;
    fmt::print("\nratios (ours / peer, same run; below 1.0 means faster than the peer)\n");
    for (const auto& comparison : comparisons) {
        const auto ours = nanoseconds_.find(comparison.ours);
        const auto peer = nanoseconds_.find(comparison.peer);
        if (ours == nanoseconds_.end() || peer == nanoseconds_.end() || peer->second <= 0) {
            fmt::print("  {}: not measured (filtered out?)\n", comparison.title);
            complete = false;
            continue;
        }
        fmt::print("  {}: ours {:.0f} ns, peer {:.0f} ns, ratio {:.2f}\n", comparison.title, ours->second, peer->second,
                   ours->second / peer->second);
    }
    return complete;
}

}  // namespace ephemery::bench
