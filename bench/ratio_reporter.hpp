#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace ephemery::bench {

// A comparison printed after the run: ours / peer, both measured in this process, now.
struct Comparison {
    std::string title;
    std::string ours;  // benchmark name
    std::string peer;  // benchmark name of the baseline
};

// A throughput comparison printed after the run: items per second of ours and of the peer, and how many
// times the peer's rate ours reaches.
struct SpeedupComparison {
    std::string title;
    std::string ours;       // benchmark name
    std::string peer;       // benchmark name of the baseline
    std::string items;      // a user counter both set: what one iteration handled (e.g. "keys")
    double target_speedup;  // the ours / peer rate aimed at; 0 when there is none
};

// A time budget for one iteration of a benchmark.
struct TimeBudget {
    std::string title;
    std::string benchmark;
    double budget_seconds;
};

// Console output as usual, plus the mean real time and the counters of every benchmark for the tables, and the
// error of every benchmark that failed.
class RatioReporter : public benchmark::ConsoleReporter {
  public:
    // Without judge_targets (a smoke run, at sizes too small to measure speed) the targets are printed unjudged.
    explicit RatioReporter(bool judge_targets) : judge_targets_(judge_targets) {}

    void ReportRuns(const std::vector<Run>& runs) override;
    // Prints "title: ours X ns, peer Y ns, ratio Z" for each comparison; returns false if one is missing.
    bool print_ratios(const std::vector<Comparison>& comparisons) const;
    // Prints "title: ours X items/s, peer Y items/s, speed-up Z (target)"; returns false if one is missing.
    bool print_speedups(const std::vector<SpeedupComparison>& comparisons) const;
    // Prints "title: X s (target)"; returns false if one is missing.
    bool print_time_budgets(const std::vector<TimeBudget>& budgets) const;
    // Benchmark name -> its error (SkipWithError: a peer that disagreed, a check that failed, ...).
    [[nodiscard]] const std::map<std::string, std::string>& failures() const { return failures_; }
    // How many benchmarks ran without an error.
    [[nodiscard]] std::size_t measured_count() const { return measurements_.size(); }

  private:
    struct Measurement {
        double seconds{0};  // real time of one iteration (the manual time for UseManualTime benchmarks)
        std::map<std::string, double> counters;
    };
    // "(target >= 3x: met)", or unjudged in a smoke run.
    [[nodiscard]] std::string verdict(const std::string& target, bool met) const;

    bool judge_targets_;
    std::map<std::string, Measurement> measurements_;
    std::map<std::string, std::string> failures_;
};

}  // namespace ephemery::bench
