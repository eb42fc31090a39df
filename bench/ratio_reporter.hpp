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

// Console output as usual, plus the mean real time of every benchmark for the ratio table.
class RatioReporter : public benchmark::ConsoleReporter {
  public:
    void ReportRuns(const std::vector<Run>& runs) override;
    // Prints "title: ours X ns, peer Y ns, ratio Z" for each comparison; returns false if one is missing.
    bool print_ratios(const std::vector<Comparison>& comparisons) const;

  private:
    std::map<std::string, double> nanoseconds_;
};

}  // namespace ephemery::bench
