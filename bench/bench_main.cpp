// Runs every benchmark, then prints each comparison as a ratio against its peer from the same run.
#include "ratio_reporter.hpp"
#include "ssz/sha256.hpp"

#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    ephemery::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    const bool ratios_complete = reporter.print_ratios({
        {"config: load_config vs bare yaml-cpp parse", "config_load_default", "peer_yaml_cpp_parse"},
        {"network: iteration + description vs system_clock::now", "network_describe_now", "peer_system_clock_now"},
        // Sizes from EPHEMERY_BENCH_RESET_FILES / _BYTES; the files and bytes counters show what ran.
        {"reset: wipe 1,000,000 files / 10 GiB of chain data vs rm -rf on the same tree",
         "reset_ephemery/iterations:1/manual_time", "reset_rm_rf/iterations:1/manual_time"},
    });
    // The keystore benchmarks run once each (keystore_bench.cpp), hence the iterations:1/manual_time names.
    const bool speedups_complete = reporter.print_speedups({
        {"keys check: 16 scrypt (n=2^18) keystores vs @chainsafe/bls-keystore 3.1.0",
         "keystore_check_ephemery/scrypt_16/iterations:1/manual_time",
         "keystore_check_bls_keystore/scrypt_16/iterations:1/manual_time", "keys", 3.0},
        {"keys check: 16 pbkdf2 (c=2^18) keystores vs @chainsafe/bls-keystore 3.1.0",
         "keystore_check_ephemery/pbkdf2_16/iterations:1/manual_time",
         "keystore_check_bls_keystore/pbkdf2_16/iterations:1/manual_time", "keys", 0.0},
    });
    // hash_pairs throughput in MB/s of input; the SHA-NI lines only when the CPU has the SHA extensions.
    std::vector<ephemery::bench::SpeedupComparison> ssz_speedups = {
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
        {"ssz: validate + hash_tree_root of a mainnet Fulu BeaconState (250,000 validators) vs "
         "@lodestar/types 1.50.0 deserializeToViewDU + hashTreeRoot",
         "ssz_inspect_beacon_state_mainnet/min_time:2.000",
         "peer_lodestar_beacon_state_mainnet/iterations:1/manual_time", "MB", 5.0});
    // Only when scripts/bench could make a Lodestar state (it needs tools/lodestar: make lodestar).
    if (std::getenv("EPHEMERY_BENCH_LODESTAR_STATE") != nullptr) {  // NOLINT(concurrency-mt-unsafe)
        ssz_speedups.push_back(
            {"ssz: validate + hash_tree_root of a real Lodestar node's BeaconState (mainnet preset, Altair, "
             "bench/lodestar-state.sh) vs @lodestar/types 1.50.0",
             "ssz_inspect_beacon_state_from_lodestar/min_time:2.000",
             "peer_lodestar_beacon_state_from_lodestar/iterations:1/manual_time", "MB", 5.0});
    }
    const bool ssz_complete = reporter.print_speedups(ssz_speedups);
    const bool budgets_complete = reporter.print_time_budgets({
        {"keys check: 1,000 scrypt (n=2^18) keystores sharing one salt and password",
         "keystore_check_ephemery/scrypt_shared_salt_1000/iterations:1/manual_time", 5.0},
    });
    return ratios_complete && speedups_complete && ssz_complete && budgets_complete ? 0 : 1;
}
