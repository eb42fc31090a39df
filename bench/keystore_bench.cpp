// The keystore pre-flight (`keys check`): ephemery's keys::check_keystores, with parallel and memoised key
// derivations, against @chainsafe/bls-keystore decrypting the same files under Node (bench/peer), on 16 scrypt
// and 16 pbkdf2 keystores with their own salts and passwords; and ephemery alone on 1,000 scrypt keystores
// sharing one salt and password, where one derivation serves them all. EPHEMERY_BENCH_KEYSTORES and
// EPHEMERY_BENCH_SHARED_SALT_KEYSTORES set other sizes (a smoke run's); the benchmarks keep the full sizes' names.
//
// Each set is measured once: a scrypt n=2^18 derivation costs close to a second of CPU, so repetitions
// would make `make bench` take many minutes for little extra precision.
#include "bench_settings.hpp"
#include "bls/bls.hpp"
#include "core/text.hpp"
#include "infra/files.hpp"
#include "keyfiles/discover.hpp"
#include "keys/check.hpp"
#include "keys/keystore.hpp"
#include "keys/password.hpp"
#include "process_time.hpp"

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): posix_spawn passes it on to node

namespace {

using ephemery::bench::error_text;
using ephemery::bench::process_cpu_seconds;
using ephemery::bench::seconds_of;

namespace fs = std::filesystem;
using ephemery::Result;
using ephemery::SecretBytes;
using ephemery::SecretString;
namespace bls = ephemery::bls;
namespace keys = ephemery::keys;

std::size_t distinct_set_size() {
    return ephemery::bench::size_of(ephemery::bench::keystores_per_set);
}

std::size_t shared_set_size() {
    return ephemery::bench::size_of(ephemery::bench::shared_salt_keystores);
}

constexpr std::size_t max_keystore_bytes = std::size_t{1} << 20U;

unsigned thread_count() {
    return std::max(1U, std::thread::hardware_concurrency());
}

// Runs job(0) .. job(count - 1) on every core: generating the keystores one by one would take longer than
// checking them.
void run_in_parallel(std::size_t count, const std::function<void(std::size_t)>& job) {
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
        for (std::size_t index = next++; index < count; index = next++) job(index);
    };
    std::vector<std::jthread> helpers;
    for (unsigned helper = 1; helper < thread_count(); ++helper) helpers.emplace_back(worker);
    worker();
}

// One set of keystores on disk: NAME.json with its password in NAME.txt, or one password file for them all.
struct KeystoreSet {
    fs::path directory;
    std::size_t size{0};
    std::optional<fs::path> shared_password_file;
};

enum class SetKind { scrypt_distinct, pbkdf2_distinct, scrypt_shared };

// What one keystore is encrypted with.
struct Encryption {
    keys::KdfParams kdf;
    std::string password;
};

std::string hex_of_random(std::size_t bytes) {
    return ephemery::to_hex(keys::random_bytes(bytes));
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

// Writes one keystore per entry of `uses` (an index into `encryptions`), each holding a fresh BLS key.
// Equal encryptions are derived once, as a tool writing many keys under one password and salt does.
void write_keystores(const fs::path& directory, const std::vector<Encryption>& encryptions,
                     const std::vector<std::size_t>& uses, bool password_files) {
    fs::create_directories(directory);
    std::vector<SecretBytes> derived_keys(encryptions.size());
    run_in_parallel(encryptions.size(), [&](std::size_t index) {
        const auto& encryption = encryptions[index];
        derived_keys[index] =
            keys::derive_key(encryption.kdf, keys::encode_password(encryption.password).value()).value();
    });
    for (std::size_t index = 0; index < uses.size(); ++index) {
        const auto secret_key = bls::derive_master_key(keys::random_bytes(32)).value();
        const auto& encryption = encryptions[uses[index]];
        keys::KeystoreFields fields;
        fields.pubkey = ephemery::to_hex(bls::public_key(secret_key));
        fields.path = bls::signing_key_path(static_cast<std::uint32_t>(index));
        fields.uuid = keys::random_uuid();
        fields.description = "ephemery keystore benchmark";
        const auto keystore = keys::encrypt_with_key(secret_key.bytes(), derived_keys[uses[index]], encryption.kdf,
                                                     keys::random_bytes(16), std::move(fields))
                                  .value();
        const std::string name = fmt::format("keystore-{:04}", index);
        write_text(directory / (name + ".json"), keys::to_json(keystore));
        // With a trailing line ending, as operators write password files; both checkers drop it.
        if (password_files) write_text(directory / (name + ".txt"), encryption.password + "\n");
    }
}

// The three sets, written once into a temporary directory on first use and removed at exit.
class KeystoreSets {
  public:
    KeystoreSets() {
        std::string pattern = (fs::temp_directory_path() / "ephemery-keystore-bench-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error(fmt::format("mkdtemp {}: {}", pattern, error_text(errno)));
        }
        root_ = pattern;
        fmt::print(stderr, "keystore bench: writing {} scrypt, {} pbkdf2 and {} shared-salt scrypt keystores to {}\n",
                   distinct_set_size(), distinct_set_size(), shared_set_size(), root_.string());
        write_distinct(keys::Kdf::scrypt, scrypt_distinct_, "scrypt-16");
        write_distinct(keys::Kdf::pbkdf2, pbkdf2_distinct_, "pbkdf2-16");

        scrypt_shared_.directory = root_ / "scrypt-shared-1000";
        scrypt_shared_.size = shared_set_size();
        scrypt_shared_.shared_password_file = root_ / "scrypt-shared-1000.password.txt";
        const Encryption shared{keys::standard_kdf_params(keys::Kdf::scrypt, keys::random_bytes(32)),
                                "shared-" + hex_of_random(12)};
        write_keystores(scrypt_shared_.directory, {shared}, std::vector<std::size_t>(shared_set_size(), 0), false);
        write_text(*scrypt_shared_.shared_password_file, shared.password + "\n");
    }
    ~KeystoreSets() {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }
    KeystoreSets(const KeystoreSets&) = delete;
    KeystoreSets& operator=(const KeystoreSets&) = delete;
    KeystoreSets(KeystoreSets&&) = delete;
    KeystoreSets& operator=(KeystoreSets&&) = delete;

    [[nodiscard]] const KeystoreSet& set(SetKind kind) const {
        switch (kind) {
            case SetKind::scrypt_distinct: return scrypt_distinct_;
            case SetKind::pbkdf2_distinct: return pbkdf2_distinct_;
            case SetKind::scrypt_shared: return scrypt_shared_;
        }
        return scrypt_distinct_;
    }

  private:
    // Distinct salts and passwords: every keystore costs one full derivation, for us and for the peer.
    void write_distinct(keys::Kdf function, KeystoreSet& set, const std::string& name) {
        set.directory = root_ / name;
        set.size = distinct_set_size();
        std::vector<Encryption> encryptions;
        std::vector<std::size_t> uses;
        for (std::size_t index = 0; index < distinct_set_size(); ++index) {
            encryptions.push_back(Encryption{keys::standard_kdf_params(function, keys::random_bytes(32)),
                                             fmt::format("password-{}-{}", index, hex_of_random(12))});
            uses.push_back(index);
        }
        write_keystores(set.directory, encryptions, uses, true);
    }

    fs::path root_;
    KeystoreSet scrypt_distinct_;
    KeystoreSet pbkdf2_distinct_;
    KeystoreSet scrypt_shared_;
};

const KeystoreSets& keystore_sets() {
    static const KeystoreSets sets;
    return sets;
}

std::vector<fs::path> keystore_files(const KeystoreSet& set) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(set.directory)) {
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string password_from_file(const fs::path& path) {
    std::string text = ephemery::infra::read_file(path, max_keystore_bytes).value();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

// What `ephemery keys check` does once it has found the files: read them, then check every candidate with
// the CLI's parallelism and memory budget.
keys::CheckSummary check_with_ephemery(const KeystoreSet& set) {
    std::optional<std::string> shared_password;
    if (set.shared_password_file) shared_password = password_from_file(*set.shared_password_file);
    std::vector<keys::KeyCandidate> candidates;
    for (const auto& file : keystore_files(set)) {
        keys::KeyCandidate candidate;
        candidate.keystore_label = file.string();
        candidate.keystore_json = ephemery::infra::read_file(file, max_keystore_bytes).value();
        fs::path password_file = file;
        password_file.replace_extension(".txt");
        candidate.password = SecretString(shared_password ? *shared_password : password_from_file(password_file));
        candidate.password_label =
            set.shared_password_file ? set.shared_password_file->string() : password_file.string();
        candidates.push_back(std::move(candidate));
    }
    const auto options = ephemery::keyfiles::machine_check_options(thread_count());
    return keys::check_keystores(std::move(candidates), options);
}

std::optional<std::string> first_problem(const keys::CheckSummary& summary) {
    for (const auto& key : summary.keys) {
        if (!key.findings.empty()) return fmt::format("{}: {}", key.keystore_label, key.findings.front().problem);
    }
    return std::nullopt;
}

void keystore_check_ephemery(benchmark::State& state, SetKind kind) {
    const KeystoreSet& set = keystore_sets().set(kind);
    std::size_t derivations = 0;
    double seconds = 0;
    double cpu_seconds = 0;
    while (state.KeepRunning()) {
        const double cpu_started = process_cpu_seconds();
        const auto started = std::chrono::steady_clock::now();
        const auto summary = check_with_ephemery(set);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        cpu_seconds = process_cpu_seconds() - cpu_started;
        state.SetIterationTime(seconds);
        derivations = summary.key_derivations;
        if (summary.keys.size() != set.size || summary.count(keys::Severity::ok) != set.size) {
            const auto problem = first_problem(summary);
            state.SkipWithError(problem ? problem->c_str() : "not every keystore was checked");
            break;
        }
    }
    state.counters["keys"] = static_cast<double>(set.size);
    state.counters["keys_per_second"] = seconds > 0 ? static_cast<double>(set.size) / seconds : 0;
    state.counters["key_derivations"] = static_cast<double>(derivations);
    state.counters["cpu_seconds"] = cpu_seconds;
    state.counters["threads"] = thread_count();
}

// What the peer script printed, and what its whole process took, Node's start-up and module loading included
// (the comparison uses the script's own measurement, which leaves them out).
struct PeerOutcome {
    std::size_t keys{0};
    double seconds{0};
    double process_seconds{0};
    double cpu_seconds{0};
};

// Runs `node bench/peer/check-keystores.mjs DIRECTORY [--password-file FILE]` and reads its JSON line.
Result<PeerOutcome> check_with_peer(const KeystoreSet& set) {
    const fs::path peer_directory = EPHEMERY_BENCH_PEER_DIR;
    if (!fs::is_directory(peer_directory / "node_modules" / "@chainsafe" / "bls-keystore")) {
        return ephemery::make_error(ephemery::Errc::not_found,
                                    fmt::format("{} has no node_modules: run `npm ci --prefix {} --no-audit --no-fund` "
                                                "(scripts/bench does)",
                                                peer_directory.string(), peer_directory.string()));
    }
    std::vector<std::string> arguments{"node", (peer_directory / "check-keystores.mjs").string(),
                                       set.directory.string()};
    if (set.shared_password_file) {
        arguments.emplace_back("--password-file");
        arguments.push_back(set.shared_password_file->string());
    }
    std::vector<char*> argument_vector;
    argument_vector.reserve(arguments.size() + 1);
    for (auto& argument : arguments) argument_vector.push_back(argument.data());
    argument_vector.push_back(nullptr);

    std::array<int, 2> pipe_ends{};
    // Close-on-exec, so no other child inherits them; dup2 gives node a plain stdout.
    if (pipe2(pipe_ends.data(), O_CLOEXEC) != 0) {
        return ephemery::make_error(ephemery::Errc::io_error, fmt::format("pipe: {}", error_text(errno)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_ends[1]);
    const auto started = std::chrono::steady_clock::now();
    pid_t child = 0;
    const int spawn_error = posix_spawnp(&child, "node", &actions, nullptr, argument_vector.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_ends[1]);
    std::string output;
    if (spawn_error == 0) {
        std::array<char, 4096> buffer{};
        for (ssize_t got = 0; (got = read(pipe_ends[0], buffer.data(), buffer.size())) != 0;) {
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) break;
            output.append(buffer.data(), static_cast<std::size_t>(got));
        }
    }
    close(pipe_ends[0]);
    if (spawn_error != 0) {
        return ephemery::make_error(
            ephemery::Errc::not_found,
            fmt::format("cannot start node: {} (install Node.js 18 or later)", error_text(spawn_error)));
    }
    int status = 0;
    rusage usage{};
    while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    PeerOutcome outcome;
    outcome.process_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcome.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return ephemery::make_error(ephemery::Errc::verification_failed,
                                    "check-keystores.mjs failed (its message is above)");
    }
    const auto document = nlohmann::json::parse(output, nullptr, false);
    if (!document.is_object() || !document.contains("keys") || !document.contains("seconds") ||
        !document["keys"].is_number_unsigned() || !document["seconds"].is_number()) {
        return ephemery::make_error(
            ephemery::Errc::parse_error,
            fmt::format(R"(check-keystores.mjs printed "{}", not {{"keys": N, "seconds": S}})", output.substr(0, 200)));
    }
    outcome.keys = document["keys"].get<std::size_t>();
    outcome.seconds = document["seconds"].get<double>();
    return outcome;
}

void keystore_check_bls_keystore(benchmark::State& state, SetKind kind) {
    const KeystoreSet& set = keystore_sets().set(kind);
    PeerOutcome last;
    while (state.KeepRunning()) {
        auto outcome = check_with_peer(set);
        if (!outcome) {
            state.SkipWithError(outcome.error().message.c_str());
            break;
        }
        if (outcome->keys != set.size) {
            state.SkipWithError(fmt::format("the peer checked {} keystores, not {}", outcome->keys, set.size).c_str());
            break;
        }
        last = *outcome;
        state.SetIterationTime(last.seconds);
    }
    state.counters["keys"] = static_cast<double>(last.keys);
    state.counters["keys_per_second"] = last.seconds > 0 ? static_cast<double>(last.keys) / last.seconds : 0;
    state.counters["process_seconds"] = last.process_seconds;
    state.counters["cpu_seconds"] = last.cpu_seconds;
}

// One iteration each (see the top of the file), timed by hand: the work runs on other threads and in a child
// process, where the benchmark's own CPU clock does not see it.
BENCHMARK_CAPTURE(keystore_check_ephemery, scrypt_16, SetKind::scrypt_distinct)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(keystore_check_bls_keystore, scrypt_16, SetKind::scrypt_distinct)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(keystore_check_ephemery, pbkdf2_16, SetKind::pbkdf2_distinct)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(keystore_check_bls_keystore, pbkdf2_16, SetKind::pbkdf2_distinct)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(keystore_check_ephemery, scrypt_shared_salt_1000, SetKind::scrypt_shared)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
