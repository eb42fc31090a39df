// The monitoring ingest of one epoch: the validators, balances and attestation rewards answers of N validators
// (default 1,000,000, or $EPHEMERY_BENCH_INGEST_VALIDATORS; generated once under the build dir, beacon-API-shaped)
// read, parsed with monitoring::Ingester and aggregated with aggregate_epoch, against a Node.js script doing
// JSON.parse and the same aggregation on the same files in the same run (bench/ingest-peer.js). Each side runs in a
// process of its own so its peak RSS (getrusage / process.resourceUsage) is its own; both print the same figures,
// which must agree.
//
//   ephemery_ingest_bench [--validators N] [--runs R] [--dir DIR]
//   ephemery_ingest_bench --child DIR      (internal: one measured ingest, one JSON line on stdout)
#include "bench_settings.hpp"
#include "infra/process.hpp"
#include "monitoring/aggregate.hpp"
#include "monitoring/ingest.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace monitoring = ephemery::monitoring;
using ephemery::Result;

constexpr int generator_version = 1;  // bump when the generated files change
constexpr std::uint64_t gwei_per_eth = 1'000'000'000;
constexpr std::uint64_t far_future = 18446744073709551615ULL;
constexpr double target_seconds = 5.0;
constexpr double target_rss_mib = 1536.0;
constexpr double target_speedup = 20.0;

// ---------------------------------------------------------------------------------------------------------------
// The generator

// Writes through a buffer flushed in large blocks.
class Output {
  public:
    explicit Output(const fs::path& path)
        : file_(std::fopen(path.c_str(), "wb")) {  // NOLINT(cppcoreguidelines-owning-memory)
        if (file_ == nullptr) throw std::runtime_error("cannot write " + path.string());
        buffer_.reserve(block + 4096);
    }
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;
    ~Output() {
        if (file_ != nullptr) (void)std::fclose(file_);  // NOLINT(cppcoreguidelines-owning-memory)
    }

    template <typename... Args>
    void print(fmt::format_string<Args...> format, Args&&... args) {
        fmt::format_to(std::back_inserter(buffer_), format, std::forward<Args>(args)...);
        if (buffer_.size() >= block) flush();
    }

    void close() {
        flush();
        if (std::fclose(file_) != 0) throw std::runtime_error("cannot finish writing");  // NOLINT
        file_ = nullptr;
    }

  private:
    void flush() {
        if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
            throw std::runtime_error("short write");
        }
        buffer_.clear();
    }

    static constexpr std::size_t block = 1 << 20;
    std::FILE* file_;
    std::string buffer_;
};

std::string hex_bytes(std::mt19937_64& random, std::size_t bytes) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string out;
    out.reserve(2 * bytes);
    for (std::size_t i = 0; i < bytes; ++i) {
        const auto byte = static_cast<std::uint8_t>(random());
        out += digits[byte >> 4U];
        out += digits[byte & 0x0fU];
    }
    return out;
}

struct GeneratedValidator {
    monitoring::ValidatorStatus status{monitoring::ValidatorStatus::active_ongoing};
    std::uint64_t balance{0};
    std::uint64_t effective_balance{0};
};

// A mainnet-like mix: mostly active validators of 32 ETH, some compounding (0x02) ones up to 2048 ETH, a tail of
// pending, exiting, slashed, exited and withdrawn ones.
GeneratedValidator make_validator(std::mt19937_64& random) {
    using monitoring::ValidatorStatus;
    GeneratedValidator out;
    const auto roll = random() % 1000;
    if (roll < 900)
        out.status = ValidatorStatus::active_ongoing;
    else if (roll < 920)
        out.status = ValidatorStatus::active_exiting;
    else if (roll < 925)
        out.status = ValidatorStatus::active_slashed;
    else if (roll < 940)
        out.status = ValidatorStatus::pending_queued;
    else if (roll < 950)
        out.status = ValidatorStatus::pending_initialized;
    else if (roll < 970)
        out.status = ValidatorStatus::exited_unslashed;
    else if (roll < 975)
        out.status = ValidatorStatus::exited_slashed;
    else if (roll < 985)
        out.status = ValidatorStatus::withdrawal_possible;
    else
        out.status = ValidatorStatus::withdrawal_done;
    switch (out.status) {
        case ValidatorStatus::withdrawal_done:
            out.balance = 0;
            out.effective_balance = 0;
            return out;
        case ValidatorStatus::pending_initialized:
            out.effective_balance = (1 + random() % 32) * gwei_per_eth;
            out.balance = out.effective_balance;
            return out;
        default: break;
    }
    const auto kind = random() % 100;
    if (kind < 3)
        out.effective_balance = (33 + random() % 2016) * gwei_per_eth;  // compounding
    else if (kind < 8)
        out.effective_balance = (28 + random() % 4) * gwei_per_eth;
    else
        out.effective_balance = 32 * gwei_per_eth;
    out.balance = out.effective_balance + random() % (gwei_per_eth / 2);
    if (out.status == ValidatorStatus::active_slashed || out.status == ValidatorStatus::exited_slashed) {
        out.balance -= gwei_per_eth;
        out.effective_balance -= gwei_per_eth;
    }
    return out;
}

// Ideal rewards per ETH of effective balance, Gwei (Altair weights: source 14, target 26, head 14 of 64).
constexpr std::int64_t ideal_source_per_eth = 210;
constexpr std::int64_t ideal_target_per_eth = 390;
constexpr std::int64_t ideal_head_per_eth = 210;

void generate(const fs::path& dir, std::uint64_t count) {
    fs::create_directories(dir);
    std::mt19937_64 random(20261123);
    std::vector<GeneratedValidator> validators;
    validators.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) validators.push_back(make_validator(random));

    {
        Output out(dir / "validators.json.tmp");
        out.print(R"({{"execution_optimistic":false,"finalized":true,"data":[)");
        for (std::uint64_t i = 0; i < count; ++i) {
            const auto& validator = validators[i];
            const auto credentials_kind = random() % 10;
            const std::string credentials = credentials_kind < 3 ? "00" + hex_bytes(random, 31)
                                            : credentials_kind < 9
                                                ? "01" + std::string(22, '0') + hex_bytes(random, 20)
                                                : "02" + std::string(22, '0') + hex_bytes(random, 20);
            const bool exited = validator.status >= monitoring::ValidatorStatus::exited_unslashed ||
                                validator.status == monitoring::ValidatorStatus::active_exiting ||
                                validator.status == monitoring::ValidatorStatus::active_slashed;
            const bool pending = validator.status <= monitoring::ValidatorStatus::pending_queued;
            const std::uint64_t activation = pending ? far_future : random() % 300000;
            const std::uint64_t exit = exited ? 300000 + random() % 1000 : far_future;
            const std::uint64_t withdrawable = exited ? exit + 256 : far_future;
            const bool slashed = validator.status == monitoring::ValidatorStatus::active_slashed ||
                                 validator.status == monitoring::ValidatorStatus::exited_slashed;
            out.print(R"({}{{"index":"{}","balance":"{}","status":"{}","validator":{{"pubkey":"0x{}",)"
                      R"("withdrawal_credentials":"0x{}","effective_balance":"{}","slashed":{},)"
                      R"("activation_eligibility_epoch":"{}","activation_epoch":"{}","exit_epoch":"{}",)"
                      R"("withdrawable_epoch":"{}"}}}})",
                      i == 0 ? "" : ",", i, validator.balance, monitoring::validator_status_name(validator.status),
                      hex_bytes(random, 48), credentials, validator.effective_balance, slashed,
                      pending ? far_future : activation, activation, exit, withdrawable);
        }
        out.print("]}}");
        out.close();
    }
    {
        Output out(dir / "balances.json.tmp");
        out.print(R"({{"execution_optimistic":false,"finalized":true,"data":[)");
        for (std::uint64_t i = 0; i < count; ++i) {
            out.print(R"({}{{"index":"{}","balance":"{}"}})", i == 0 ? "" : ",", i, validators[i].balance);
        }
        out.print("]}}");
        out.close();
    }
    {
        // Rewards for the validators that were active in the epoch; ideal rewards for each effective balance.
        Output out(dir / "rewards.json.tmp");
        std::vector<std::uint64_t> balances_in_eth;
        balances_in_eth.reserve(validators.size());
        for (const auto& validator : validators) balances_in_eth.push_back(validator.effective_balance / gwei_per_eth);
        std::sort(balances_in_eth.begin(), balances_in_eth.end());
        balances_in_eth.erase(std::unique(balances_in_eth.begin(), balances_in_eth.end()), balances_in_eth.end());
        out.print(R"({{"execution_optimistic":false,"finalized":true,"data":{{"ideal_rewards":[)");
        bool first = true;
        for (const auto eth : balances_in_eth) {
            if (eth == 0) continue;
            const auto whole = static_cast<std::int64_t>(eth);
            out.print(R"({}{{"effective_balance":"{}","head":"{}","target":"{}","source":"{}","inactivity":"0"}})",
                      first ? "" : ",", eth * gwei_per_eth, whole * ideal_head_per_eth, whole * ideal_target_per_eth,
                      whole * ideal_source_per_eth);
            first = false;
        }
        out.print(R"(],"total_rewards":[)");
        first = true;
        for (std::uint64_t i = 0; i < count; ++i) {
            const auto& validator = validators[i];
            if (!monitoring::is_active(validator.status)) continue;
            const auto eth = static_cast<std::int64_t>(validator.effective_balance / gwei_per_eth);
            std::int64_t head = eth * ideal_head_per_eth;
            std::int64_t target = eth * ideal_target_per_eth;
            std::int64_t source = eth * ideal_source_per_eth;
            std::int64_t inactivity = 0;
            const auto roll = random() % 100;
            if (validator.status == monitoring::ValidatorStatus::active_slashed || roll < 3) {
                head = 0, target = -target, source = -source;  // missed: penalties
                inactivity = -static_cast<std::int64_t>(random() % 500);
            } else if (roll < 10) {
                head = 0;  // late: no head reward
            } else if (roll < 13) {
                target = -target, head = 0;  // wrong target
            }
            out.print(R"({}{{"validator_index":"{}","head":"{}","target":"{}","source":"{}","inactivity":"{}"}})",
                      first ? "" : ",", i, head, target, source, inactivity);
            first = false;
        }
        out.print("]}}}}");
        out.close();
    }
    for (const char* name : {"validators.json", "balances.json", "rewards.json"}) {
        fs::rename(dir / (std::string(name) + ".tmp"), dir / name);
    }
    std::ofstream(dir / "generated.json") << nlohmann::json{{"validators", count}, {"version", generator_version}};
}

bool generated_already(const fs::path& dir, std::uint64_t count) {
    std::ifstream in(dir / "generated.json");
    const auto meta = nlohmann::json::parse(in, nullptr, false);
    return meta.is_object() && meta.value("validators", std::uint64_t{0}) == count &&
           meta.value("version", 0) == generator_version && fs::exists(dir / "validators.json") &&
           fs::exists(dir / "balances.json") && fs::exists(dir / "rewards.json");
}

// The groups both sides aggregate: the first 64, every 1000th validator, and indices that do not exist.
std::vector<monitoring::Watched> watched_groups(std::uint64_t count) {
    std::vector<monitoring::Watched> groups(3);
    groups[0].label = "first_64";
    for (std::uint64_t i = 0; i < std::min<std::uint64_t>(64, count); ++i) groups[0].indices.push_back(i);
    groups[1].label = "every_1000th";
    for (std::uint64_t i = 0; i < count; i += 1000) groups[1].indices.push_back(i);
    groups[2].label = "unknown";
    groups[2].indices = {count, count + 1, count + 1000};
    return groups;
}

// ---------------------------------------------------------------------------------------------------------------
// One measured ingest (the child)

// A file mapped read-only with json_padding zero bytes after it, parsed where it lies (no copy into the heap).
class MappedText {
  public:
    explicit MappedText(const fs::path& path) : size_(static_cast<std::size_t>(fs::file_size(path))) {
        const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);  // NOLINT(cppcoreguidelines-pro-type-vararg)
        if (fd < 0) throw std::runtime_error("cannot read " + path.string());
        const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        mapped_ = (size_ + monitoring::json_padding + page - 1) / page * page;
        // Zero pages for the whole range, then the file over its start: the bytes past its end stay zero. No
        // MAP_POPULATE: faulting the pages in as the parse reaches them (each fault maps the cached pages around it
        // too) costs less, and the parse's threads share it.
        base_ = mmap(nullptr, mapped_, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        const bool ok = base_ != MAP_FAILED &&
                        (size_ == 0 || mmap(base_, size_, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) != MAP_FAILED);
        close(fd);
        if (!ok) throw std::runtime_error("cannot map " + path.string());
    }
    MappedText(const MappedText&) = delete;
    MappedText& operator=(const MappedText&) = delete;
    ~MappedText() { munmap(base_, mapped_); }

    [[nodiscard]] monitoring::PaddedText text() const {
        return monitoring::PaddedText::borrowed({static_cast<const char*>(base_), size_});
    }

  private:
    std::size_t size_;
    std::size_t mapped_{0};
    void* base_{nullptr};
};

using Figures = std::map<std::string, std::string>;

void add_sums(Figures& figures, const std::string& prefix, const monitoring::RewardSums& sums) {
    figures[prefix + "validators"] = std::to_string(sums.validators);
    figures[prefix + "head"] = std::to_string(sums.head);
    figures[prefix + "target"] = std::to_string(sums.target);
    figures[prefix + "source"] = std::to_string(sums.source);
    figures[prefix + "inactivity"] = std::to_string(sums.inactivity);
    figures[prefix + "positive_head"] = std::to_string(sums.positive_head);
    figures[prefix + "positive_target"] = std::to_string(sums.positive_target);
    figures[prefix + "positive_source"] = std::to_string(sums.positive_source);
    figures[prefix + "matched_validators"] = std::to_string(sums.matched_validators);
    figures[prefix + "matched_total"] = std::to_string(sums.matched_total);
    figures[prefix + "matched_ideal"] = std::to_string(sums.matched_ideal);
}

// The aggregate as integers in decimal text (what ingest-peer.js prints too).
Figures figures_of(const monitoring::EpochAggregate& epoch, const monitoring::ValidatorTable& table) {
    Figures figures;
    // The columns the aggregate does not read: every pubkey's last byte, the slashed flags, the epochs.
    std::uint64_t pubkey_bytes = 0;
    std::uint64_t slashed = 0;
    std::uint64_t activation_epochs = 0;
    for (std::size_t row = 0; row < table.size(); ++row) {
        pubkey_bytes += table.pubkey[row][47];
        slashed += table.slashed[row];
        activation_epochs += table.activation_epoch[row] % 1000003;
    }
    figures["pubkey_last_byte_sum"] = std::to_string(pubkey_bytes);
    figures["slashed"] = std::to_string(slashed);
    figures["activation_epoch_mod_sum"] = std::to_string(activation_epochs);
    figures["validators"] = std::to_string(epoch.validators);
    for (std::size_t i = 0; i < monitoring::validator_status_count; ++i) {
        figures["status." + std::string(monitoring::validator_status_names.at(i))] =
            std::to_string(epoch.status_counts.at(i));
    }
    figures["active"] = std::to_string(epoch.active);
    figures["balances"] = std::to_string(epoch.balances);
    figures["total_balance"] = std::to_string(epoch.total_balance);
    figures["total_effective_balance"] = std::to_string(epoch.total_effective_balance);
    add_sums(figures, "rewards.", epoch.rewards);
    for (const auto& group : epoch.groups) {
        const std::string prefix = "group." + group.label + ".";
        figures[prefix + "found"] = std::to_string(group.found);
        figures[prefix + "missing"] = std::to_string(group.missing);
        figures[prefix + "active"] = std::to_string(group.active);
        figures[prefix + "total_balance"] = std::to_string(group.total_balance);
        figures[prefix + "total_effective_balance"] = std::to_string(group.total_effective_balance);
        add_sums(figures, prefix + "rewards.", group.rewards);
        // The per-validator lookups: rewards, ideal rewards and a pubkey byte of each watched validator.
        std::int64_t reward_sum = 0;
        std::int64_t ideal_sum = 0;
        for (const auto& row : group.validators) {
            reward_sum += row.reward_total();
            ideal_sum += row.ideal_total;
        }
        figures[prefix + "validator_reward_sum"] = std::to_string(reward_sum);
        figures[prefix + "validator_ideal_sum"] = std::to_string(ideal_sum);
    }
    return figures;
}

template <typename Table, typename Parse>
Result<Table> ingest_file(monitoring::Ingester& ingester, const fs::path& path, Parse parse) {
    const MappedText file(path);
    return (ingester.*parse)(file.text());
}

// One measured ingest: the three files one after the other, each parsed by an Ingester of `threads` threads (each
// splits its file's large array between them).
int run_child(const fs::path& dir, int threads) {
    using monitoring::Ingester;
    const auto start = std::chrono::steady_clock::now();
    Ingester ingester(static_cast<unsigned>(std::max(1, threads)));
    auto validators = ingest_file<monitoring::ValidatorTable>(ingester, dir / "validators.json", &Ingester::validators);
    auto balances = ingest_file<monitoring::BalanceTable>(ingester, dir / "balances.json", &Ingester::balances);
    auto rewards = ingest_file<monitoring::RewardTable>(ingester, dir / "rewards.json", &Ingester::rewards);
    for (const auto* error : {validators ? nullptr : &validators.error(), balances ? nullptr : &balances.error(),
                              rewards ? nullptr : &rewards.error()}) {
        if (error != nullptr) {
            fmt::print(stderr, "ingest failed: {}\n", error->message);
            return 1;
        }
    }
    const auto epoch =
        monitoring::aggregate_epoch(*validators, *balances, &*rewards, watched_groups(validators->size()));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto cpu = [](const timeval& time) {
        return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
    };
    const nlohmann::json line{{"seconds", seconds},
                              {"cpu_seconds", cpu(usage.ru_utime) + cpu(usage.ru_stime)},
                              {"max_rss_kib", usage.ru_maxrss},
                              {"figures", figures_of(epoch, *validators)},
                              {"effectiveness", epoch.rewards.effectiveness()},
                              {"source_share", epoch.rewards.source_share()}};
    fmt::print("{}\n", line.dump());
    return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison (the parent)

struct Measured {
    double seconds{0};
    double cpu_seconds{0};  // user + system of the whole process (Node's includes its GC threads)
    double rss_mib{0};
    Figures figures;
};

std::optional<Measured> measure(const std::vector<std::string>& argv, const std::string& who) {
    const auto run = ephemery::infra::run_process(argv);
    if (!run) {
        fmt::print("  {}: cannot run {}: {}\n", who, argv.front(), run.error().message);
        return std::nullopt;
    }
    const auto& output = run->output;
    const auto brace = output.rfind("\n{");
    const auto document =
        nlohmann::json::parse(brace == std::string::npos ? output : output.substr(brace + 1), nullptr, false);
    if (run->exit_code != 0 || !document.is_object() || !document.contains("seconds")) {
        fmt::print("  {}: failed (exit {}): {}\n", who, run->exit_code, ephemery::infra::last_lines(output, 5));
        return std::nullopt;
    }
    Measured measured;
    measured.seconds = document["seconds"].get<double>();
    measured.cpu_seconds = document.value("cpu_seconds", 0.0);
    measured.rss_mib = document["max_rss_kib"].get<double>() / 1024.0;
    measured.figures = document["figures"].get<Figures>();
    return measured;
}

std::string node_version() {
    const auto run = ephemery::infra::run_process({"node", "--version"});
    if (!run || run->exit_code != 0) return "(unknown version)";
    std::string version = run->output;
    while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
    return version;
}

std::string self_path() {
    return fs::read_symlink("/proc/self/exe").string();
}

// The median time and the largest peak RSS of `runs` fresh processes.
std::optional<Measured> measure_ours(const fs::path& dir, int runs, int threads) {
    std::vector<Measured> all;
    for (int run = 0; run < runs; ++run) {
        auto measured = measure({self_path(), "--child", dir.string(), std::to_string(threads)}, "ours");
        if (!measured) return std::nullopt;
        all.push_back(std::move(*measured));
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.seconds < b.seconds; });
    Measured median = all[all.size() / 2];
    for (const auto& run : all) median.rss_mib = std::max(median.rss_mib, run.rss_mib);
    return median;
}

// Names the figures that differ; returns how many do.
std::size_t compare_figures(const Figures& ours, const Figures& peer) {
    std::size_t differing = 0;
    for (const auto& [name, value] : ours) {
        const auto found = peer.find(name);
        const std::string theirs = found == peer.end() ? "(missing)" : found->second;
        if (theirs != value && differing++ < 10)
            fmt::print("  figure {} differs: ours {}, peer {}\n", name, value, theirs);
    }
    for (const auto& [name, value] : peer) {
        if (!ours.contains(name) && differing++ < 10) fmt::print("  figure {} only in the peer's: {}\n", name, value);
    }
    return differing;
}

int run_comparison(std::uint64_t count, int runs, const fs::path& dir) {
    if (!generated_already(dir, count)) {
        fmt::print("ingest: generating the answers of {} validators in {} (once)\n", count, dir.string());
        std::fflush(stdout);  // NOLINT(cert-err33-c)
        generate(dir, count);
    }
    const auto mb = [&dir](const char* name) { return static_cast<double>(fs::file_size(dir / name)) / 1e6; };
    fmt::print("\ningest: one epoch of {} validators (validators {:.0f} MB, balances {:.0f} MB, rewards {:.0f} MB)\n",
               count, mb("validators.json"), mb("balances.json"), mb("rewards.json"));

    const auto two_threads = measure_ours(dir, runs, 2);
    const auto one_thread = measure_ours(dir, runs, 1);
    const fs::path peer_script = fs::path(EPHEMERY_BENCH_SOURCE_DIR) / "ingest-peer.js";
    const auto peer = measure({"node", "--max-old-space-size=16384", peer_script.string(), dir.string()}, "peer");
    if (!two_threads || !one_thread || !peer) return 1;

    const std::size_t differing =
        compare_figures(two_threads->figures, peer->figures) + compare_figures(one_thread->figures, peer->figures);
    fmt::print(
        "  peer (Node {} JSON.parse + the same aggregation, bench/ingest-peer.js): {:.3f} s ({:.2f} s CPU), "
        "peak RSS {:.0f} MiB\n",
        node_version(), peer->seconds, peer->cpu_seconds, peer->rss_mib);
    for (const auto& [label, ours] : {std::pair{"1 thread", &*one_thread}, std::pair{"2 threads", &*two_threads}}) {
        fmt::print(
            "  ours, {} (median of {}): {:.3f} s ({:.2f} s CPU), peak RSS {:.0f} MiB, ratio peer / ours "
            "{:.1f}x (CPU time {:.1f}x)\n",
            label, runs, ours->seconds, ours->cpu_seconds, ours->rss_mib, peer->seconds / ours->seconds,
            ours->cpu_seconds > 0 ? peer->cpu_seconds / ours->cpu_seconds : 0.0);
    }
    fmt::print("  figures: {}\n", differing == 0 ? fmt::format("all agree ({} figures)", peer->figures.size())
                                                 : fmt::format("{} DIFFER", differing));
    // The targets are judged on the faster of the two configurations (on a loaded machine a second thread may not
    // help); the peak RSS is the larger of the two.
    const Measured& best = two_threads->seconds <= one_thread->seconds ? *two_threads : *one_thread;
    const double rss = std::max(one_thread->rss_mib, two_threads->rss_mib);
    const double speedup = peer->seconds / best.seconds;
    const auto verdict = [](bool met) {
        if (ephemery::bench::smoke_run()) return "not judged in a smoke run";
        return met ? "met" : "MISSED";
    };
    fmt::print(
        "  targets ({}): time {:.3f} s < {:g} s: {}; peak RSS {:.0f} MiB < 1.5 GiB: {}; ratio {:.1f}x >= {:g}x: "
        "{}\n",
        &best == &*two_threads ? "2 threads" : "1 thread", best.seconds, target_seconds,
        verdict(best.seconds < target_seconds), rss, verdict(rss < target_rss_mib), speedup, target_speedup,
        verdict(speedup >= target_speedup));
    if (ephemery::bench::smoke_run()) {
        fmt::print("bench smoke: ingest: {}\n",
                   differing == 0 ? fmt::format("ours (1 and 2 threads) and bench/ingest-peer.js agree on all {} "
                                                "figures of {} validators",
                                                peer->figures.size(), ephemery::bench::with_separators(count))
                                  : fmt::format("FAILED: {} figures differ from bench/ingest-peer.js", differing));
    }
    return differing == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::vector<std::string> args(argv + 1,
                                            argv + argc);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
        if (args.size() == 3 && args[0] == "--child") return run_child(args[1], std::stoi(args[2]));
        if (const auto problem = ephemery::bench::size_problem(ephemery::bench::ingest_validators)) {
            fmt::print(stderr, "ephemery_ingest_bench: {}\n", *problem);
            return 2;
        }
        std::uint64_t count = ephemery::bench::size_of(ephemery::bench::ingest_validators);
        int runs = 3;
        std::optional<fs::path> dir;
        for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
            if (args[i] == "--validators")
                count = std::stoull(args[i + 1]);
            else if (args[i] == "--runs")
                runs = std::stoi(args[i + 1]);
            else if (args[i] == "--dir")
                dir = args[i + 1];
            else
                throw std::invalid_argument("unknown option " + args[i]);
        }
        if (args.size() % 2 != 0 || count == 0 || runs < 1) {
            fmt::print(stderr, "usage: ephemery_ingest_bench [--validators N] [--runs R] [--dir DIR]\n");
            return 2;
        }
        return run_comparison(count, runs,
                              dir.value_or(fs::path(EPHEMERY_BENCH_WORK_DIR) / fmt::format("bench-ingest-{}", count)));
    } catch (const std::exception& error) {
        fmt::print(stderr, "ephemery_ingest_bench: {}\n", error.what());
        return 3;
    }
}
