// Runs every benchmark, then prints each comparison as a ratio against its peer from the same run.
#include "ratio_reporter.hpp"

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    ephemery::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    const bool complete = reporter.print_ratios({
        {"config: load_config vs bare yaml-cpp parse", "config_load_default", "peer_yaml_cpp_parse"},
        {"network: iteration + description vs system_clock::now", "network_describe_now", "peer_system_clock_now"},
    });
    return complete ? 0 : 1;
}
