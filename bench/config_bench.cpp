// Loading ephemery.yaml: our full load (parse, schema, checks, effective tree) against yaml-cpp's bare
// parse of the same text, the floor any YAML config loader pays.
#include "config/config.hpp"

#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

namespace {

void config_load_default(benchmark::State& state) {
    ephemery::config::LoadRequest request;
    request.file_label = "ephemery.yaml";
    request.yaml_text = std::string(ephemery::config::default_config_yaml());
    request.home = "/home/bench";
    request.working_directory = "/";
    for (auto _ : state) {
        auto outcome = ephemery::config::load_config(request);
        benchmark::DoNotOptimize(outcome);
    }
}
BENCHMARK(config_load_default);

void peer_yaml_cpp_parse(benchmark::State& state) {
    const std::string text(ephemery::config::default_config_yaml());
    for (auto _ : state) {
        auto node = YAML::Load(text);
        benchmark::DoNotOptimize(node);
    }
}
BENCHMARK(peer_yaml_cpp_parse);

}  // namespace
