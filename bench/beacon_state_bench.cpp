// Verified checkpoint sync hashes a downloaded BeaconState: inspect_beacon_state (full validation, then
// hash_tree_root from the bytes) on a generated mainnet-preset Fulu state of 250,000 validators and on the head
// state of a real Lodestar node (mainnet preset, Altair; bench/lodestar-state.sh), against @lodestar/types
// 1.50.0 with @chainsafe/ssz 1.9.0 under Node (tools/ssz-oracle: deserializeToViewDU + hashTreeRoot, the way a
// Lodestar node hashes a state it loads) on the same bytes, measured in the same run. Both roots must agree.
// EPHEMERY_BENCH_STATE_VALIDATORS sets another size for the generated state (a smoke run's), written to the build
// dir or $EPHEMERY_BENCH_DIR.
#include "bench_settings.hpp"
#include "infra/process.hpp"
#include "ssz/beacon.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace {

namespace ssz = ephemery::ssz;
namespace fs = std::filesystem;

constexpr ssz::ForkName bench_fork = ssz::ForkName::fulu;

// Random bytes of a valid value of `type`: lists sized by the validator registry get validator_count elements,
// other lists 0..2, byte lists and bitlists a few bytes.
class StateGenerator {
  public:
    StateGenerator(std::uint64_t registry_limit, std::uint64_t validator_count)
        : registry_limit_(registry_limit), validator_count_(validator_count) {}

    void append(const ssz::Type& type, std::vector<std::uint8_t>& out) {
        if (type.is_fixed_size()) {
            const std::size_t start = out.size();
            out.resize(start + type.size());
            for (std::size_t i = start; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(rng_());
            sanitize(type, std::span(out).subspan(start));
            return;
        }
        switch (type.kind()) {
            case ssz::Kind::byte_list:
                for (std::uint64_t i = rng_() % std::min<std::uint64_t>(type.length() + 1, 33); i > 0; --i) {
                    out.push_back(static_cast<std::uint8_t>(rng_()));
                }
                return;
            case ssz::Kind::bitlist: {
                const std::uint64_t bits = rng_() % std::min<std::uint64_t>(type.length() + 1, 64);
                std::vector<std::uint8_t> packed(bits / 8 + 1);
                for (std::uint64_t i = 0; i < bits; ++i)
                    packed[i / 8] |= static_cast<std::uint8_t>((rng_() & 1U) << (i % 8));
                packed[bits / 8] |= static_cast<std::uint8_t>(1U << (bits % 8));
                out.insert(out.end(), packed.begin(), packed.end());
                return;
            }
            case ssz::Kind::list: {
                const std::uint64_t count = type.length() == registry_limit_
                                                ? validator_count_
                                                : rng_() % std::min<std::uint64_t>(type.length() + 1, 3);
                append_elements(*type.element(), count, out);
                return;
            }
            case ssz::Kind::vector: append_elements(*type.element(), type.length(), out); return;
            case ssz::Kind::container: {
                std::vector<ssz::TypePtr> types;
                for (const auto& field : type.fields()) types.push_back(field.type);
                append_parts(types, out);
                return;
            }
            default: return;
        }
    }

  private:
    void append_elements(const ssz::Type& element, std::uint64_t count, std::vector<std::uint8_t>& out) {
        if (element.is_fixed_size()) {
            for (std::uint64_t i = 0; i < count; ++i) append(element, out);
            return;
        }
        const std::vector<ssz::TypePtr> types(count,
                                              std::shared_ptr<const ssz::Type>(&element, [](const ssz::Type*) {}));
        append_parts(types, out);
    }

    void append_parts(const std::vector<ssz::TypePtr>& types, std::vector<std::uint8_t>& out) {
        const std::size_t start = out.size();
        std::vector<std::size_t> slots;
        for (const auto& type : types) {
            if (type->is_fixed_size()) {
                append(*type, out);
            } else {
                slots.push_back(out.size());
                out.resize(out.size() + 4);
            }
        }
        std::size_t slot = 0;
        for (const auto& type : types) {
            if (type->is_fixed_size()) continue;
            const auto offset = static_cast<std::uint32_t>(out.size() - start);
            for (std::size_t b = 0; b < 4; ++b) out[slots[slot] + b] = static_cast<std::uint8_t>(offset >> (8 * b));
            ++slot;
            append(*type, out);
        }
    }

    // Valid booleans and bitvectors, and uint64s below 2^48: @chainsafe/ssz reads a uint64 of most fields as a JS
    // number, which is exact only up to 2^53, so larger values would make the peer hash other bytes.
    static void sanitize(const ssz::Type& type, std::span<std::uint8_t> bytes) {
        switch (type.kind()) {
            case ssz::Kind::uint:
                if (type.size() == 8) bytes[6] = bytes[7] = 0;
                return;
            case ssz::Kind::boolean: bytes[0] &= 1U; return;
            case ssz::Kind::bitvector:
                bytes.back() &= static_cast<std::uint8_t>((1U << (type.length() % 8)) - 1);
                return;
            case ssz::Kind::vector:
                for (std::uint64_t i = 0; i < type.length(); ++i) {
                    sanitize(*type.element(), bytes.subspan(i * type.element()->size(), type.element()->size()));
                }
                return;
            case ssz::Kind::container: {
                std::size_t at = 0;
                for (const auto& field : type.fields()) {
                    sanitize(*field.type, bytes.subspan(at, field.type->size()));
                    at += field.type->size();
                }
                return;
            }
            default: return;
        }
    }

    std::uint64_t registry_limit_;
    std::uint64_t validator_count_;
    std::mt19937_64 rng_{20260101};
};

struct BenchState {
    std::vector<std::uint8_t> bytes;
    fs::path file;
    ssz::ForkName fork{bench_fork};
    std::uint64_t validators{0};
    std::string problem;  // why there is no state (the benchmark is skipped, saying so)
};

const BenchState& generated_state() {
    static const BenchState state = [] {
        const auto preset = ssz::preset_by_name("mainnet").value();
        BenchState made;
        made.validators = ephemery::bench::size_of(ephemery::bench::state_validators);
        StateGenerator(preset.validator_registry_limit, made.validators)
            .append(*ssz::beacon_schemas(bench_fork, preset).beacon_state, made.bytes);
        made.file = ephemery::bench::work_directory() / "bench-beacon-state.ssz";
        std::error_code ignored;  // a directory that cannot be made shows as the write's failure
        fs::create_directories(made.file.parent_path(), ignored);
        std::ofstream out(made.file, std::ios::binary);
        out.write(
            reinterpret_cast<const char*>(made.bytes.data()),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
            static_cast<std::streamsize>(made.bytes.size()));
        // The peer reads the file: without it there is nothing to compare.
        if (!out.flush()) made.problem = fmt::format("cannot write {}", made.file.string());
        return made;
    }();
    return state;
}

// The head state of a real Lodestar node (mainnet preset), made by bench/lodestar-state.sh, which scripts/bench
// runs and names in EPHEMERY_BENCH_LODESTAR_STATE; its fork is in the file beside it (<state>.fork).
const BenchState& lodestar_state() {
    static const BenchState state = [] {
        BenchState read;
        const char* path = std::getenv("EPHEMERY_BENCH_LODESTAR_STATE");  // NOLINT(concurrency-mt-unsafe)
        if (path == nullptr || *path == '\0') {
            read.problem =
                "EPHEMERY_BENCH_LODESTAR_STATE is not set: scripts/bench sets it after bench/lodestar-state.sh";
            return read;
        }
        read.file = path;
        std::ifstream in(read.file, std::ios::binary);
        read.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        std::ifstream fork_file(read.file.string() + ".fork");
        std::string fork_name;
        fork_file >> fork_name;
        const auto fork = ssz::parse_fork_name(fork_name);
        if (read.bytes.empty() || !fork) {
            read.problem = fmt::format("{} (or its .fork file) is missing or empty", read.file.string());
            return read;
        }
        read.fork = *fork;
        const auto summary = ssz::inspect_beacon_state(read.bytes, read.fork, ssz::preset_by_name("mainnet").value());
        if (!summary) {
            read.problem = summary.error().message;
            return read;
        }
        read.validators = summary->validator_count;
        return read;
    }();
    return state;
}

std::string hex_root(const ssz::Chunk& root) {
    std::string out = "0x";
    for (const auto byte : root) out += fmt::format("{:02x}", byte);
    return out;
}

void set_counters(benchmark::State& state, const BenchState& bench) {
    state.counters["MB"] = static_cast<double>(bench.bytes.size()) / 1e6;
    state.counters["validators"] = static_cast<double>(bench.validators);
}

void skip(benchmark::State& state, const std::string& why) {
    state.SkipWithError(why.c_str());
    for (auto _ : state) {
    }
}

void run_ours(benchmark::State& state, const BenchState& bench) {
    if (!bench.problem.empty()) return skip(state, bench.problem);
    const auto preset = ssz::preset_by_name("mainnet").value();
    for (auto _ : state) {
        auto summary = ssz::inspect_beacon_state(bench.bytes, bench.fork, preset);
        if (!summary) {
            state.SkipWithError(summary.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(summary->root);
    }
    set_counters(state, bench);
}

// The peer's own timing (median of 3 in one Node process, start-up and module loading left out).
void run_peer(benchmark::State& state, const BenchState& bench) {
    if (!bench.problem.empty()) return skip(state, bench.problem);
    const fs::path oracle = fs::path(EPHEMERY_BENCH_SSZ_ORACLE_DIR);
    if (!fs::is_directory(oracle / "node_modules" / "@lodestar" / "types")) {
        return skip(state, fmt::format("{} has no node_modules: run `npm ci --prefix {}` (scripts/bench does)",
                                       oracle.string(), oracle.string()));
    }
    const auto ours = ssz::inspect_beacon_state(bench.bytes, bench.fork, ssz::preset_by_name("mainnet").value());
    for (auto _ : state) {
        const auto run =
            ephemery::infra::run_process({"node", (oracle / "oracle.mjs").string(), "bench-peer", bench.file.string(),
                                          std::string(ssz::fork_name(bench.fork)), "3"});
        if (!run || run->exit_code != 0) {
            state.SkipWithError(
                run ? ("oracle.mjs bench-peer failed: " + ephemery::infra::last_lines(run->output, 5)).c_str()
                    : run.error().message.c_str());
            break;
        }
        const auto last_line = run->output.substr(run->output.rfind('{'));
        const auto document = nlohmann::json::parse(last_line, nullptr, false);
        if (!document.is_object() || !document.contains("seconds") || !document.contains("root")) {
            state.SkipWithError(("oracle.mjs bench-peer printed: " + last_line.substr(0, 200)).c_str());
            break;
        }
        if (!ours || document["root"].get<std::string>() != hex_root(ours->root)) {
            state.SkipWithError(("the roots differ: Lodestar " + document["root"].get<std::string>() + ", ours " +
                                 (ours ? hex_root(ours->root) : ours.error().message))
                                    .c_str());
            break;
        }
        state.SetIterationTime(document["seconds"].get<double>());
    }
    set_counters(state, bench);
}

void ssz_inspect_beacon_state_mainnet(benchmark::State& state) {
    run_ours(state, generated_state());
}
BENCHMARK(ssz_inspect_beacon_state_mainnet)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void peer_lodestar_beacon_state_mainnet(benchmark::State& state) {
    run_peer(state, generated_state());
}
BENCHMARK(peer_lodestar_beacon_state_mainnet)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void ssz_inspect_beacon_state_from_lodestar(benchmark::State& state) {
    run_ours(state, lodestar_state());
}
BENCHMARK(ssz_inspect_beacon_state_from_lodestar)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void peer_lodestar_beacon_state_from_lodestar(benchmark::State& state) {
    run_peer(state, lodestar_state());
}
BENCHMARK(peer_lodestar_beacon_state_from_lodestar)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
