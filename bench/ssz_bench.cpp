// SSZ hashing: hash_pairs (SHA-256 of 64-byte pairs, what merkleization spends its time on) with the SHA-NI
// and portable backends, against OpenSSL's one-shot SHA256() per 64 bytes; and merkleizing a List[Root, 2^40]
// of 65,536 roots against the same tree hashed pair by pair with OpenSSL.
#include "ssz/merkle.hpp"
#include "ssz/sha256.hpp"

#include <benchmark/benchmark.h>
#include <openssl/sha.h>

#include <cstdint>
#include <random>
#include <vector>

namespace {

namespace ssz = ephemery::ssz;

constexpr std::size_t pair_count = 4096;  // 256 KiB in, 128 KiB out: cache-resident, like a tree level
constexpr std::size_t list_length = 65536;
constexpr std::uint64_t list_limit = std::uint64_t{1} << 40U;

std::vector<std::uint8_t> random_input(std::size_t size) {
    std::mt19937_64 rng(1234);
    std::vector<std::uint8_t> bytes(size);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(rng());
    return bytes;
}

void set_megabytes(benchmark::State& state, std::size_t bytes_per_iteration) {
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes_per_iteration));
    state.counters["MB"] = static_cast<double>(bytes_per_iteration) / 1e6;  // per iteration: rate = MB/s
}

template <void (*hash)(const std::uint8_t*, std::uint8_t*, std::size_t) noexcept>
void run_hash_pairs(benchmark::State& state) {
    const auto in = random_input(64 * pair_count);
    std::vector<std::uint8_t> out(32 * pair_count);
    for (auto _ : state) {
        hash(in.data(), out.data(), pair_count);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_megabytes(state, in.size());
}

void ssz_hash_pairs_sha_ni(benchmark::State& state) {
    if (!ssz::cpu_has_sha_ni()) {
        state.SkipWithError("this CPU has no SHA extensions (SHA-NI)");
        for (auto _ : state) {
        }
        return;
    }
    run_hash_pairs<ssz::hash_pairs_sha_ni>(state);
}
BENCHMARK(ssz_hash_pairs_sha_ni);

void ssz_hash_pairs_portable(benchmark::State& state) {
    run_hash_pairs<ssz::hash_pairs_portable>(state);
}
BENCHMARK(ssz_hash_pairs_portable);

void peer_openssl_sha256_64(benchmark::State& state) {
    const auto in = random_input(64 * pair_count);
    std::vector<std::uint8_t> out(32 * pair_count);
    for (auto _ : state) {
        for (std::size_t i = 0; i < pair_count; ++i) SHA256(in.data() + 64 * i, 64, out.data() + 32 * i);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_megabytes(state, in.size());
}
BENCHMARK(peer_openssl_sha256_64);

std::vector<ssz::Chunk> random_roots() {
    const auto bytes = random_input(32 * list_length);
    std::vector<ssz::Chunk> roots(list_length);
    for (std::size_t i = 0; i < bytes.size(); ++i) roots[i / 32][i % 32] = bytes[i];
    return roots;
}

void ssz_merkleize_list_65536_roots(benchmark::State& state) {
    const auto roots = random_roots();
    for (auto _ : state) {
        auto root = ssz::root_of_composite_list(roots, list_limit);
        benchmark::DoNotOptimize(root);
    }
    set_megabytes(state, 32 * list_length);
}
BENCHMARK(ssz_merkleize_list_65536_roots);

// The straightforward way: a vector per level, each pair hashed with OpenSSL, then the zero-hash spine.
void peer_openssl_merkleize_list_65536_roots(benchmark::State& state) {
    const auto roots = random_roots();
    for (auto _ : state) {
        std::vector<ssz::Chunk> level = roots;
        std::size_t depth = 0;
        while (level.size() > 1) {
            std::vector<ssz::Chunk> parents(level.size() / 2);
            for (std::size_t i = 0; i < parents.size(); ++i) {
                std::array<std::uint8_t, 64> joined{};
                std::copy(level[2 * i].begin(), level[2 * i].end(), joined.begin());
                std::copy(level[2 * i + 1].begin(), level[2 * i + 1].end(), joined.begin() + 32);
                SHA256(joined.data(), joined.size(), parents[i].data());
            }
            level = std::move(parents);
            ++depth;
        }
        ssz::Chunk root = level[0];
        std::array<std::uint8_t, 64> joined{};
        for (; depth < 40; ++depth) {
            std::copy(root.begin(), root.end(), joined.begin());
            const auto& zero = ssz::zero_hash(depth);
            std::copy(zero.begin(), zero.end(), joined.begin() + 32);
            SHA256(joined.data(), joined.size(), root.data());
        }
        std::copy(root.begin(), root.end(), joined.begin());
        std::fill(joined.begin() + 32, joined.end(), 0);
        for (std::size_t i = 0; i < 8; ++i) joined[32 + i] = static_cast<std::uint8_t>(list_length >> (8 * i));
        SHA256(joined.data(), joined.size(), root.data());
        benchmark::DoNotOptimize(root);
    }
    set_megabytes(state, 32 * list_length);
}
BENCHMARK(peer_openssl_merkleize_list_65536_roots);

}  // namespace
