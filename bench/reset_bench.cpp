// A reset at the scale of a synced Geth node: 1,000,000 files / 10 GiB of generated chain data (or
// $EPHEMERY_BENCH_RESET_FILES / $EPHEMERY_BENCH_RESET_BYTES), reset by ephemery's whole control plane
// (prepare_reset + run_reset: release re-check, journal, wipe through directory fds, release switch, marker)
// against `rm -rf` of the same chaindata, on a tree generated identically in the same run.
//
// Each side runs once: a deletion cannot be repeated, and generating a million files (done once for both, not
// timed) takes longer than deleting them. What remains of the work dir is removed at exit.
#include "bench_settings.hpp"
#include "clients/catalog.hpp"
#include "genesis/fetch.hpp"
#include "network/schedule.hpp"
#include "process_time.hpp"
#include "release/verify.hpp"
#include "reset/engine.hpp"
#include "test_support/release_fixture.hpp"

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): posix_spawn passes it on to rm

namespace {

using ephemery::bench::error_text;
using ephemery::bench::process_cpu_seconds;
using ephemery::bench::seconds_of;

namespace fs = std::filesystem;
namespace reset = ephemery::reset;
using ephemery::clients::Client;
using ephemery::clients::Role;

constexpr std::uint64_t old_iteration = 160;
constexpr std::uint64_t new_iteration = 161;
constexpr std::uint64_t files_per_directory = 1000;
constexpr std::uint64_t tree_seed = 0x5EED'E9E3'0000'0001ULL;
const std::string nodekey = std::string(64, '7');

struct TreeSize {
    std::uint64_t files{0};
    std::uint64_t bytes{0};
};

// Checked by main (bench_main.cpp) before any benchmark runs.
TreeSize tree_size() {
    return {ephemery::bench::size_of(ephemery::bench::reset_files),
            ephemery::bench::size_of(ephemery::bench::reset_bytes)};
}

double seconds_since(std::chrono::steady_clock::time_point started) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// Flushes what the last step left dirty and says how long that took: neither side then pays for writeback
// the other (or the generator) left, and the counter shows what a deletion deferred to the kernel.
double sync_seconds() {
    const auto started = std::chrono::steady_clock::now();
    ::sync();
    return seconds_since(started);
}

class Descriptor {
  public:
    explicit Descriptor(int fd) : fd_(fd) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    Descriptor(Descriptor&&) = delete;
    Descriptor& operator=(Descriptor&&) = delete;
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int get() const { return fd_; }

  private:
    int fd_;
};

// Makes `name` in `parent` and opens it: the generator walks by descriptors, never by whole paths.
Descriptor make_directory_at(int parent, const std::string& name) {
    if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST) {
        throw std::runtime_error(fmt::format("mkdir {}: {}", name, error_text(errno)));
    }
    const int directory = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0) throw std::runtime_error(fmt::format("open {}: {}", name, error_text(errno)));
    return Descriptor(directory);
}

void create_file_at(int directory, const std::string& name, std::uint64_t bytes) {
    const Descriptor file(::openat(directory, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (file.get() < 0) throw std::runtime_error(fmt::format("create {}: {}", name, error_text(errno)));
    if (bytes == 0) return;
    // Allocated, not written: generating stays fast, yet a deletion frees real extents, as with chain data.
    // Where fallocate is not supported, posix_fallocate writes the zeros instead (slower, same end state).
    const auto length = static_cast<off_t>(bytes);
    if (::fallocate(file.get(), 0, 0, length) != 0) {
        const int error = errno == EOPNOTSUPP ? ::posix_fallocate(file.get(), 0, length) : errno;
        if (error != 0) throw std::runtime_error(fmt::format("allocate {}: {}", name, error_text(error)));
    }
}

// splitmix64: a fixed sequence, so both trees come out the same.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31U);
}

// Every pair of files moves the same random amount above and below the average, so sizes vary (up to half the
// average either way) while the total is exact.
std::uint64_t file_bytes(const TreeSize& size, std::uint64_t index) {
    const std::uint64_t average = size.bytes / size.files;
    std::uint64_t bytes = average;
    if ((index | 1U) < size.files) {
        const std::uint64_t shift = mix(tree_seed + index / 2) % (average / 2 + 1);
        bytes = index % 2 == 0 ? average + shift : average - shift;
    }
    return index == 0 ? bytes + size.bytes % size.files : bytes;
}

// Geth's layout (go-ethereum node/config.go, core/rawdb): <datadir>/geth/nodekey, <datadir>/keystore/, and
// geth/chaindata/ with the key-value store's tables flat in it (a quarter of the files here: one large
// directory) and the freezer in chaindata/ancient/chain/ (the rest, in directories of 1,000 files each).
void generate_geth_tree(const fs::path& instance_dir, const TreeSize& size) {
    fs::create_directories(instance_dir / "keystore");
    std::ofstream(instance_dir / "keystore" / "UTC--2024-01-01T00-00-00.000000000Z--bench", std::ios::binary)
        << "{\"version\":3}\n";
    const Descriptor instance(::open(instance_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (instance.get() < 0) {
        throw std::runtime_error(fmt::format("open {}: {}", instance_dir.string(), error_text(errno)));
    }
    const Descriptor geth = make_directory_at(instance.get(), "geth");
    {
        const Descriptor key(::openat(geth.get(), "nodekey", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (key.get() < 0 ||
            ::write(key.get(), nodekey.data(), nodekey.size()) != static_cast<ssize_t>(nodekey.size())) {
            throw std::runtime_error(fmt::format("write nodekey: {}", error_text(errno)));
        }
    }
    const Descriptor chaindata = make_directory_at(geth.get(), "chaindata");
    const std::uint64_t tables = size.files / 4;
    std::uint64_t index = 0;
    for (; index < tables; ++index) {
        create_file_at(chaindata.get(), fmt::format("{:06}.ldb", index + 1), file_bytes(size, index));
    }
    const Descriptor ancient = make_directory_at(chaindata.get(), "ancient");
    const Descriptor chain = make_directory_at(ancient.get(), "chain");
    for (std::uint64_t group = 0; index < size.files; ++group) {
        const Descriptor directory = make_directory_at(chain.get(), fmt::format("{:04}", group));
        for (std::uint64_t slot = 0; slot < files_per_directory && index < size.files; ++slot, ++index) {
            create_file_at(directory.get(), fmt::format("bodies.{:04}.cdat", slot), file_bytes(size, index));
        }
    }
}

// What a reset must leave: the node key byte for byte and the keystore, and no chaindata. Empty when so.
std::string check_after_reset(const fs::path& instance_dir) {
    std::error_code error;
    if (fs::exists(fs::symlink_status(instance_dir / "geth" / "chaindata", error))) return "geth/chaindata survived";
    std::ifstream key(instance_dir / "geth" / "nodekey", std::ios::binary);
    const std::string kept((std::istreambuf_iterator<char>(key)), std::istreambuf_iterator<char>());
    if (kept != nodekey) return "geth/nodekey did not survive intact";
    if (fs::is_empty(instance_dir / "keystore", error) || error) return "keystore/ did not survive";
    return {};
}

// A fresh directory, removed with whatever is left in it.
class WorkDir {
  public:
    WorkDir() {
        const fs::path parent = ephemery::bench::work_directory();
        fs::create_directories(parent);
        std::string pattern = (parent / "bench-reset-work-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error(fmt::format("mkdtemp {}: {}", pattern, error_text(errno)));
        }
        path_ = pattern;
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
    WorkDir(WorkDir&&) = delete;
    WorkDir& operator=(WorkDir&&) = delete;
    ~WorkDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    [[nodiscard]] const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

// Silences the engine's and the installer's info lines, which would interleave with the benchmark table.
class QuietLogs {
  public:
    QuietLogs() : level_(spdlog::default_logger()->level()) { spdlog::set_level(spdlog::level::warn); }
    QuietLogs(const QuietLogs&) = delete;
    QuietLogs& operator=(const QuietLogs&) = delete;
    QuietLogs(QuietLogs&&) = delete;
    QuietLogs& operator=(QuietLogs&&) = delete;
    ~QuietLogs() { spdlog::set_level(level_); }

  private:
    spdlog::level::level_enum level_;
};

ephemery::release::Expectation expectation(std::uint64_t iteration) {
    return {iteration, ephemery::network::public_ephemery_schedule(),
            ephemery::release::public_ephemery_fork_versions()};
}

// Installs a rendered release as `ephemery genesis fetch` would (from a directory instead of GitHub).
void install_release(const fs::path& work, const fs::path& node_dir, std::uint64_t iteration, bool activate) {
    const std::string tag = fmt::format("ephemery-{}", iteration);
    fs::create_directories(work / "releases" / tag);
    std::ofstream(work / "releases" / tag / "network-config.tar.gz", std::ios::binary)
        << ephemery::test::pack_tar_gz(ephemery::test::make_release(iteration));
    ephemery::genesis::FetchRequest request;
    request.iteration = iteration;
    request.tag = tag;
    request.source = (work / "releases").string();
    request.data_dir = node_dir;
    request.expectation = expectation(iteration);
    request.activate = activate;
    if (auto outcome = ephemery::genesis::fetch_release(request); !outcome) {
        throw std::runtime_error(outcome.error().message);
    }
}

enum class Side { rm_rf, ephemery };

// Both trees, generated on first use, one after the other, before anything is deleted: they then start from
// the same file-system state, and neither is generated right after a mass deletion (ext4 without a journal
// skips inodes freed in the last minute when it allocates, which makes creating files then crawl).
class ResetTrees {
  public:
    ResetTrees() : size_(tree_size()) {
        install_release(work_.path(), node_dir(), old_iteration, true);
        install_release(work_.path(), node_dir(), new_iteration, false);
        std::ofstream(node_dir() / reset::iteration_marker_file)
            << fmt::format("{{\"iteration\": {}}}\n", old_iteration);
        fmt::print(stderr, "reset bench: generating 2 x {} files / {} bytes in {}\n", size_.files, size_.bytes,
                   work_.path().string());
        const auto started = std::chrono::steady_clock::now();
        generate_geth_tree(instance_dir(Side::rm_rf), size_);
        generate_geth_tree(instance_dir(Side::ephemery), size_);
        const double flushed = sync_seconds();
        fmt::print(stderr, "reset bench: generated in {:.1f} s (sync {:.1f} s)\n", seconds_since(started), flushed);
    }

    [[nodiscard]] const TreeSize& size() const { return size_; }
    [[nodiscard]] fs::path node_dir() const { return work_.path() / "node"; }
    [[nodiscard]] fs::path instance_dir(Side side) const {
        return side == Side::rm_rf ? work_.path() / "peer" / "execution-geth" : node_dir() / "execution-geth";
    }
    // A tree can be deleted once: false when it is gone already (--benchmark_repetitions).
    [[nodiscard]] bool take(Side side) {
        return !std::exchange(side == Side::rm_rf ? rm_rf_taken_ : ephemery_taken_, true);
    }

  private:
    WorkDir work_;  // first: removed with everything in it when construction fails half-way, or at exit
    TreeSize size_;
    bool rm_rf_taken_{false};
    bool ephemery_taken_{false};
};

ResetTrees& reset_trees() {
    static ResetTrees trees;
    return trees;
}

void set_counters(benchmark::State& state, const TreeSize& size, double cpu_seconds, double sync_after) {
    state.counters["files"] = static_cast<double>(size.files);
    state.counters["bytes"] = static_cast<double>(size.bytes);
    state.counters["cpu_seconds"] = cpu_seconds;
    state.counters["sync_after_seconds"] = sync_after;
}

// The peer: /bin/rm -rf on the chaindata, spawned without a shell; its CPU time comes from wait4.
void reset_rm_rf(benchmark::State& state) {
    const QuietLogs quiet;
    double cpu_seconds = 0;
    double sync_after = 0;
    TreeSize size;
    while (state.KeepRunning()) {
        try {
            ResetTrees& trees = reset_trees();
            size = trees.size();
            if (!trees.take(Side::rm_rf)) {
                state.SkipWithError("the tree is deleted once per run: repetitions are not supported");
                break;
            }
            const fs::path instance_dir = trees.instance_dir(Side::rm_rf);
            std::string target = (instance_dir / "geth" / "chaindata").string();
            std::array<std::string, 2> words{"rm", "-rf"};
            std::array<char*, 4> argv{words[0].data(), words[1].data(), target.data(), nullptr};
            const auto started = std::chrono::steady_clock::now();
            pid_t child = 0;
            const int spawn_error = ::posix_spawn(&child, "/bin/rm", nullptr, nullptr, argv.data(), environ);
            int status = 0;
            rusage usage{};
            while (spawn_error == 0 && ::wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {
            }
            state.SetIterationTime(seconds_since(started));
            sync_after = sync_seconds();
            cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
            if (spawn_error != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                state.SkipWithError(fmt::format("/bin/rm -rf failed: {}", error_text(spawn_error)).c_str());
                break;
            }
            if (const std::string problem = check_after_reset(instance_dir); !problem.empty()) {
                state.SkipWithError(problem.c_str());
                break;
            }
        } catch (const std::exception& error) {
            state.SkipWithError(error.what());
            break;
        }
    }
    set_counters(state, size, cpu_seconds, sync_after);
}

// Stops, starts and runs nothing: the clients are not what is measured.
class IdleControl final : public reset::ClientControl {
  public:
    ephemery::Status stop(const reset::Instance&) override { return {}; }
    ephemery::Status start(const reset::Instance&) override { return {}; }
    ephemery::Status run(const reset::Instance&, const std::vector<std::string>&) override { return {}; }
};

// Ours: a node on iteration 160 with 161 installed, one Geth instance, reset from plan to marker.
void reset_ephemery(benchmark::State& state) {
    const QuietLogs quiet;
    double cpu_seconds = 0;
    double sync_after = 0;
    TreeSize size;
    while (state.KeepRunning()) {
        try {
            ResetTrees& trees = reset_trees();
            size = trees.size();
            if (!trees.take(Side::ephemery)) {
                state.SkipWithError("the tree is deleted once per run: repetitions are not supported");
                break;
            }
            const reset::Instance instance{
                .role = Role::execution,
                .client = Client::geth,
                .data_dir = trees.instance_dir(Side::ephemery),
                .binary = {},
                .service = ephemery::clients::service_name("ephemery", Role::execution, Client::geth)};
            const reset::ResetRequest request{.data_dir = trees.node_dir(),
                                              .instances = {instance},
                                              .target_iteration = new_iteration,
                                              .expectation = expectation(new_iteration),
                                              .force = false};
            IdleControl control;
            const double cpu_started = process_cpu_seconds();
            const auto started = std::chrono::steady_clock::now();
            auto prepared = reset::prepare_reset(request);
            const auto outcome = prepared ? reset::run_reset(*prepared, {.control = &control, .on_phase = {}})
                                          : ephemery::Result<reset::RunOutcome>(prepared.error());
            state.SetIterationTime(seconds_since(started));
            cpu_seconds = process_cpu_seconds() - cpu_started;
            sync_after = sync_seconds();
            if (!outcome) {
                state.SkipWithError(outcome.error().message.c_str());
                break;
            }
            if (const std::string problem = check_after_reset(instance.data_dir); !problem.empty()) {
                state.SkipWithError(problem.c_str());
                break;
            }
        } catch (const std::exception& error) {
            state.SkipWithError(error.what());
            break;
        }
    }
    set_counters(state, size, cpu_seconds, sync_after);
}

// One iteration each (see the top of the file), timed by hand around the deletion alone.
BENCHMARK(reset_rm_rf)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(reset_ephemery)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
