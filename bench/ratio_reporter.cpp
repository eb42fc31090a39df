#include "ratio_reporter.hpp"

#include <fmt/format.h>

namespace ephemery::bench {

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
    for (const auto& run : runs) {
        if (run.error_occurred) failures_[run.benchmark_name()] = run.error_message;
        if (run.iterations > 0 && run.run_type == Run::RT_Iteration && !run.error_occurred) {
            // Benchmarks report in the unit they chose; the tables compare seconds.
            Measurement measurement;
            measurement.seconds = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
            for (const auto& [name, counter] : run.counters) measurement.counters[name] = counter.value;
            measurements_[run.benchmark_name()] = std::move(measurement);
        }
    }
    ConsoleReporter::ReportRuns(runs);
}

bool RatioReporter::print_ratios(const std::vector<Comparison>& comparisons) const {
    bool complete = true;
    fmt::print("\nratios (ours / peer, same run; below 1.0 means faster than the peer)\n");
    for (const auto& comparison : comparisons) {
        const auto ours = measurements_.find(comparison.ours);
        const auto peer = measurements_.find(comparison.peer);
        if (ours == measurements_.end() || peer == measurements_.end() || peer->second.seconds <= 0) {
            fmt::print("  {}: not measured (filtered out?)\n", comparison.title);
            complete = false;
            continue;
        }
        fmt::print("  {}: ours {:.0f} ns, peer {:.0f} ns, ratio {:.2f}\n", comparison.title, ours->second.seconds * 1e9,
                   peer->second.seconds * 1e9, ours->second.seconds / peer->second.seconds);
    }
    return complete;
}

bool RatioReporter::print_speedups(const std::vector<SpeedupComparison>& comparisons) const {
    bool complete = true;
    fmt::print("\nspeed-ups (ours / peer in items per second, same run; above 1.0 means faster than the peer)\n");
    const auto rate_of = [this](const std::string& benchmark, const std::string& items) -> double {
        const auto found = measurements_.find(benchmark);
        if (found == measurements_.end() || found->second.seconds <= 0) return 0;
        const auto count = found->second.counters.find(items);
        return count == found->second.counters.end() ? 0 : count->second / found->second.seconds;
    };
    for (const auto& comparison : comparisons) {
        const double ours = rate_of(comparison.ours, comparison.items);
        const double peer = rate_of(comparison.peer, comparison.items);
        if (ours <= 0 || peer <= 0) {
            fmt::print("  {}: not measured (filtered out, or failed: see above)\n", comparison.title);
            complete = false;
            continue;
        }
        const double speedup = ours / peer;
        std::string target;
        if (comparison.target_speedup > 0) {
            target = fmt::format(" {}", verdict(fmt::format("target >= {:g}x", comparison.target_speedup),
                                                speedup >= comparison.target_speedup));
        }
        fmt::print("  {}: ours {:.2f} {}/s, peer {:.2f} {}/s, speed-up {:.2f}x{}\n", comparison.title, ours,
                   comparison.items, peer, comparison.items, speedup, target);
    }
    return complete;
}

bool RatioReporter::print_time_budgets(const std::vector<TimeBudget>& budgets) const {
    bool complete = true;
    fmt::print("\ntime budgets (one run)\n");
    for (const auto& budget : budgets) {
        const auto found = measurements_.find(budget.benchmark);
        if (found == measurements_.end()) {
            fmt::print("  {}: not measured (filtered out, or failed: see above)\n", budget.title);
            complete = false;
            continue;
        }
        fmt::print("  {}: {:.2f} s {}\n", budget.title, found->second.seconds,
                   verdict(fmt::format("target < {:g} s", budget.budget_seconds),
                           found->second.seconds < budget.budget_seconds));
    }
    return complete;
}

std::string RatioReporter::verdict(const std::string& target, bool met) const {
    if (!judge_targets_) return fmt::format("({}: not judged in a smoke run)", target);
    return fmt::format("({}: {})", target, met ? "met" : "MISSED");
}

}  // namespace ephemery::bench
