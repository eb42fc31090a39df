// Runs every benchmark, then prints each comparison as a ratio against its peer from the same run.
#include "bench_settings.hpp"
#include "ratio_reporter.hpp"
#include "ssz/sha256.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

namespace bench = ephemery::bench;

// A smoke run must show every benchmark working: one that failed fails the run, unless the machine cannot run it.
bool smoke_failures_absent(const bench::RatioReporter& reporter) {
    bool none = true;
    for (const auto& [name, error] : reporter.failures()) {
        if (name.starts_with("ssz_hash_pairs_sha_ni") && !ephemery::ssz::cpu_has_sha_ni()) continue;
        fmt::print("bench smoke: FAILED {}: {}\n", name, error);
        none = false;
    }
    return none;
}

// What the smoke run showed, said plainly: the benchmarks with a peer check agreement and fail when it is missing.
void print_smoke_agreements() {
    const std::string keystores = bench::with_separators(bench::size_of(bench::keystores_per_set));
    fmt::print(
        "bench smoke: keystores: ephemery and @chainsafe/bls-keystore each decrypted all {} scrypt and {} pbkdf2 "
        "keystores; ephemery all {} sharing one salt\n",
        keystores, keystores, bench::with_separators(bench::size_of(bench::shared_salt_keystores)));
    fmt::print("bench smoke: BeaconState: ours and @lodestar/types agree on the root of {} validators\n",
               bench::with_separators(bench::size_of(bench::state_validators)));
    fmt::print("bench smoke: reset: ephemery and rm -rf each removed the chaindata of {} files and kept the node key\n",
               bench::with_separators(bench::size_of(bench::reset_files)));
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    const auto problems = bench::size_problems({bench::reset_files, bench::reset_bytes, bench::keystores_per_set,
                                                bench::shared_salt_keystores, bench::state_validators});
    for (const auto& problem : problems) fmt::print(stderr, "ephemery_bench: {}\n", problem);
    if (!problems.empty()) return 2;

    bench::RatioReporter reporter(!bench::smoke_run());
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    const std::string keystores = bench::with_separators(bench::size_of(bench::keystores_per_set));
    const bool ratios_complete = reporter.print_ratios({
        {"config: load_config vs bare yaml-cpp parse", "config_load_default", "peer_yaml_cpp_parse"},
        {"network: iteration + description vs system_clock::now", "network_describe_now", "peer_system_clock_now"},
        {fmt::format("reset: wipe {} files / {} of chain data vs rm -rf on the same tree",
                     bench::with_separators(bench::size_of(bench::reset_files)),
                     bench::byte_size(bench::size_of(bench::reset_bytes))),
         "reset_ephemery/iterations:1/manual_time", "reset_rm_rf/iterations:1/manual_time"},
    });
    // The keystore benchmarks run once each (keystore_bench.cpp), hence the iterations:1/manual_time names; the names
    // keep the full sizes whatever EPHEMERY_BENCH_KEYSTORES says.
    const bool speedups_complete = reporter.print_speedups({
        {fmt::format("keys check: {} scrypt (n=2^18) keystores vs @chainsafe/bls-keystore 3.1.0", keystores),
         "keystore_check_ephemery/scrypt_16/iterations:1/manual_time",
         "keystore_check_bls_keystore/scrypt_16/iterations:1/manual_time", "keys", 3.0},
        {fmt::format("keys check: {} pbkdf2 (c=2^18) keystores vs @chainsafe/bls-keystore 3.1.0", keystores),
         "keystore_check_ephemery/pbkdf2_16/iterations:1/manual_time",
         "keystore_check_bls_keystore/pbkdf2_16/iterations:1/manual_time", "keys", 0.0},
    });
    // hash_pairs throughput in MB/s of input; the SHA-NI lines only when the CPU has the SHA extensions.
    std::vector<bench::SpeedupComparison> ssz_speedups = {
        {"ssz: hash_pairs portable vs OpenSSL SHA256() one-shot per 64 bytes", "ssz_hash_pairs_portable",
         "peer_openssl_sha256_64", "MB", 0.0},
    };
    if (ephemery::ssz::cpu_has_sha_ni()) {
        ssz_speedups.push_back({"ssz: hash_pairs SHA-NI vs OpenSSL SHA256() one-shot per 64 bytes",
                                "ssz_hash_pairs_sha_ni", "peer_openssl_sha256_64", "MB", 0.0});
        ssz_speedups.push_back(
            {"ssz: hash_pairs SHA-NI vs portable", "ssz_hash_pairs_sha_ni", "ssz_hash_pairs_portable", "MB", 0.0});
    }
    ssz_speedups.push_back({"ssz: List[Root, 2^40] of 65,536 roots, merkleize vs per-pair OpenSSL tree",
                            "ssz_merkleize_list_65536_roots", "peer_openssl_merkleize_list_65536_roots", "MB", 0.0});
    ssz_speedups.push_back(
        {fmt::format("ssz: validate + hash_tree_root of a mainnet Fulu BeaconState ({} validators) vs "
                     "@lodestar/types 1.50.0 deserializeToViewDU + hashTreeRoot",
                     bench::with_separators(bench::size_of(bench::state_validators))),
         "ssz_inspect_beacon_state_mainnet/min_time:2.000",
         "peer_lodestar_beacon_state_mainnet/iterations:1/manual_time", "MB", 5.0});
    // Only when scripts/bench could make a Lodestar state (it needs tools/lodestar: make lodestar).
    if (bench::environment_value("EPHEMERY_BENCH_LODESTAR_STATE") != nullptr) {
        ssz_speedups.push_back(
            {"ssz: validate + hash_tree_root of a real Lodestar node's BeaconState (mainnet preset, Altair, "
             "bench/lodestar-state.sh) vs @lodestar/types 1.50.0",
             "ssz_inspect_beacon_state_from_lodestar/min_time:2.000",
             "peer_lodestar_beacon_state_from_lodestar/iterations:1/manual_time", "MB", 5.0});
    }
    const bool ssz_complete = reporter.print_speedups(ssz_speedups);
    const bool budgets_complete = reporter.print_time_budgets({
        {fmt::format("keys check: {} scrypt (n=2^18) keystores sharing one salt and password",
                     bench::with_separators(bench::size_of(bench::shared_salt_keystores))),
         "keystore_check_ephemery/scrypt_shared_salt_1000/iterations:1/manual_time", 5.0},
    });
    const bool complete = ratios_complete && speedups_complete && ssz_complete && budgets_complete;
    if (!bench::smoke_run()) return complete ? 0 : 1;

    fmt::print("\n");
    const bool no_failures = smoke_failures_absent(reporter);
    if (!complete)
        fmt::print("bench smoke: FAILED: a comparison above was not measured (its benchmark failed or is missing)\n");
    if (!complete || !no_failures) return 1;
    print_smoke_agreements();
    fmt::print("bench smoke: {} benchmarks ran at smoke size without an error\n", reporter.measured_count());
    return 0;
}
