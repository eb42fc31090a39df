#include "reset/engine.hpp"

#include "genesis/fetch.hpp"
#include "genesis/store.hpp"
#include "infra/archive.hpp"
#include "infra/download.hpp"
#include "infra/files.hpp"
#include "slashing/database.hpp"
#include "slashing/interchange.hpp"
#include "test_support/release_fixture.hpp"
#include "test_support/temp_dir.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>

namespace ephemery::reset {
namespace {

namespace fs = std::filesystem;
using clients::Client;
using clients::Role;

constexpr std::uint64_t old_iteration = 160;
constexpr std::uint64_t new_iteration = 161;
const std::string old_root = "0x" + std::string(64, 'a');

// Stops and starts nothing; records what it was asked, and "runs" a genesis init by leaving a file where the
// client would write its new genesis.
class RecordingControl final : public ClientControl {
  public:
    Status stop(const Instance& instance) override { return record("stop " + instance.service); }
    Status start(const Instance& instance) override { return record("start " + instance.service); }
    Status run(const Instance& instance, const std::vector<std::string>& command) override {
        if (fail_runs) return make_error(Errc::io_error, "init exited with 1: Fatal: boom");
        commands.push_back(command);
        // The genesis file, named from testnet/ on, so two nodes in different directories compare equal.
        const std::string& genesis = command.back();
        std::ofstream(instance.data_dir / "genesis-initialised") << genesis.substr(genesis.find("testnet/"));
        return record("run " + instance.service);
    }
    std::vector<std::string> calls;
    std::vector<std::vector<std::string>> commands;
    bool fail_runs{false};

  private:
    Status record(std::string call) {
        calls.push_back(std::move(call));
        return {};
    }
};

// A path of the catalog is a file when it looks like one (an extension, or a known key-file name).
bool looks_like_file(const std::string& path) {
    const std::string name = fs::path(path).filename().string();
    static const std::set<std::string> key_files{"nodekey", "key", "enr", "netkey", "discovery-secret", "LOCK"};
    return name.find('.') != std::string::npos || key_files.contains(name);
}

void write(const fs::path& path, const std::string& contents) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
}

// Contents that differ per path but not per run, so two fabricated nodes are identical.
std::string contents_for(const fs::path& path) {
    return "data of " + path.filename().string() + " " + std::string(path.string().size() % 97, 'x');
}

void make_sqlite(const fs::path& path, bool nimbus_metadata) {
    fs::create_directories(path.parent_path());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::string sql = "CREATE TABLE validators(id INTEGER PRIMARY KEY, public_key TEXT);";
    if (nimbus_metadata) {
        sql +=
            "CREATE TABLE metadata(slashing_db_version INTEGER, genesis_validators_root BLOB);"
            "INSERT INTO metadata VALUES (2, x'" +
            std::string(64, 'a') + "');";
    }
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}

void fabricate_slashing_store(const fs::path& store, clients::SlashingFormat format) {
    using clients::SlashingFormat;
    switch (format) {
        case SlashingFormat::lighthouse_sqlite:
        case SlashingFormat::grandine_sqlite:
            make_sqlite(store, false);
            write(store.string() + "-wal", "wal");
            break;
        case SlashingFormat::nimbus_sqlite: make_sqlite(store, true); break;
        case SlashingFormat::teku_yaml:
            write(store / ("0x" + std::string(96, 'b') + ".yml"),
                  "lastSignedBlockSlot: 100\ngenesisValidatorsRoot: \"" + old_root + "\"\n");
            break;
        case SlashingFormat::lodestar_leveldb:
            write(store / "000003.log", "leveldb");
            write(store / "CURRENT", "MANIFEST-000002\n");
            break;
        case SlashingFormat::prysm_bolt: write(store, "bolt"); break;
    }
}

// A data dir as the client leaves it: identity and keys where the catalog keeps them, chain data where it
// wipes, its slashing store, and a note of the operator's outside both.
void fabricate(const Instance& instance) {
    const clients::RoleSpec* spec = clients::role_spec(instance.client, instance.role);
    ASSERT_NE(spec, nullptr);
    const fs::path& dir = instance.data_dir;
    for (const auto& wiped : spec->wipe) {
        const fs::path base = wiped.path == "." ? dir : dir / wiped.path;
        if (wiped.path != "." && looks_like_file(wiped.path)) {
            write(base, contents_for(base));
            continue;
        }
        for (const std::string file :
             {"chaindata/000001.ldb", "chaindata/MANIFEST-000004", "ancient/chain/0.cdat", "LOCK"}) {
            write(base / file, contents_for(base / file));
        }
    }
    for (const auto& kept : spec->keep) {
        const fs::path path = dir / kept.path;
        if (looks_like_file(kept.path)) {
            write(path, contents_for(path));
        } else {
            write(path / "key", contents_for(path / "key"));
            write(path / "0xb1/keystore.json", contents_for(path / "0xb1/keystore.json"));
        }
    }
    for (const auto& store : spec->slashing) fabricate_slashing_store(dir / store.path, store.format);
}

// path -> SHA-256 (files), "-> target" (symlinks) or "dir", for every entry below root.
std::map<std::string, std::string> snapshot(const fs::path& root, const std::set<std::string>& skip_dirs = {}) {
    std::map<std::string, std::string> entries;
    if (!fs::exists(root)) return entries;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        const std::string relative = it->path().lexically_relative(root).generic_string();
        if (skip_dirs.contains(relative)) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_symlink()) {
            entries[relative] = "-> " + fs::read_symlink(it->path()).string();
        } else if (it->path().filename() == "manifest.json") {
            entries[relative] = "manifest";  // names the directory it was installed from, and when
        } else if (it->is_regular_file()) {
            entries[relative] = infra::sha256_of_file(it->path()).value();
        } else {
            entries[relative] = "dir";
        }
    }
    return entries;
}

std::vector<std::string> archive_members(const fs::path& archive) {
    const auto bytes = infra::read_file(archive, std::size_t{64} << 20);
    EXPECT_TRUE(bytes.ok());
    const auto scanned = infra::scan_tar_gz(*bytes, archive.string(), {});
    EXPECT_TRUE(scanned.ok());
    std::vector<std::string> names;
    for (const auto& file : *scanned) names.push_back(file.path);
    return names;
}

class Node {
  public:
    explicit Node(const std::vector<std::pair<Role, Client>>& roles) {
        for (const auto& [role, client] : roles) {
            const std::string name = fmt::format("{}-{}", clients::role_name(role), clients::client_name(client));
            instances_.push_back({.role = role,
                                  .client = client,
                                  .data_dir = dir() / name,
                                  .binary = {},
                                  .service = clients::service_name("ephemery", role, client),
                                  .edition = clients::Edition::current});
        }
        install(old_iteration, true);
        install(new_iteration, false);
        write_marker(old_iteration);
        for (const Instance& instance : instances_) fabricate(instance);
        fs::create_directories((dir() / ephemery_slashing_database).parent_path());
        auto database = slashing::Database::open(dir() / ephemery_slashing_database,
                                                 slashing::OpenMode::create_if_missing, old_root);
        EXPECT_TRUE(database.ok());
        EXPECT_TRUE(database->check_and_insert_block("0x" + std::string(96, 'c'), 7, "0x" + std::string(64, 'd')).ok());
    }

    [[nodiscard]] fs::path dir() const { return temp_.path() / "node"; }
    [[nodiscard]] const std::vector<Instance>& instances() const { return instances_; }

    void install(std::uint64_t n, bool activate) const {
        const std::string tag = "ephemery-" + std::to_string(n);
        write(temp_.path() / "releases" / tag / "network-config.tar.gz", test::pack_tar_gz(test::make_release(n)));
        genesis::FetchRequest request;
        request.iteration = n;
        request.tag = tag;
        request.source = (temp_.path() / "releases").string();
        request.data_dir = dir();
        request.expectation = expectation(n);
        request.activate = activate;
        const auto outcome = genesis::fetch_release(request);
        ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    }

    void write_marker(std::uint64_t n) const {
        write(dir() / iteration_marker_file, fmt::format("{{\"iteration\": {}}}\n", n));
    }

    static release::Expectation expectation(std::uint64_t n) {
        return {n, network::public_ephemery_schedule(), release::public_ephemery_fork_versions()};
    }

    [[nodiscard]] ResetRequest request(bool force = false) const {
        return {.data_dir = dir(),
                .instances = instances_,
                .target_iteration = new_iteration,
                .expectation = expectation(new_iteration),
                .force = force};
    }

    // Everything of the node a reset decides, in a form that two runs in different directories share.
    [[nodiscard]] std::map<std::string, std::string> end_state() const {
        auto state = snapshot(dir(), {"reset", "archive"});
        state.erase(std::string(iteration_marker_file));
        const auto marker = read_iteration_marker(dir());
        state["<marker>"] = marker.ok() && marker->has_value() ? std::to_string((*marker)->iteration) : "none";
        for (const auto& entry : fs::recursive_directory_iterator(dir() / "archive", ec_)) {
            if (entry.path().extension() == ".gz") {
                state["<archive> " + entry.path().lexically_relative(dir()).generic_string()] =
                    fmt::format("{}", fmt::join(archive_members(entry.path()), ","));
            }
        }
        state["<journal>"] = fs::exists(journal_path(dir())) ? "open" : "none";
        return state;
    }

  private:
    test::TempDir temp_;
    std::vector<Instance> instances_;
    mutable std::error_code ec_;  // a node without archives has no archive dir
};

// The keys whose values differ, for readable failures.
std::vector<std::string> differences(const std::map<std::string, std::string>& a,
                                     const std::map<std::string, std::string>& b) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : a) {
        const auto found = b.find(key);
        if (found == b.end() || found->second != value) keys.push_back(key);
    }
    for (const auto& [key, value] : b) {
        if (!a.contains(key)) keys.push_back(key);
    }
    return keys;
}

Result<RunOutcome> prepare_and_run(const ResetRequest& request, ClientControl& control,
                                   std::function<void(std::size_t, Phase)> on_phase = {}) {
    auto prepared = prepare_reset(request);
    if (!prepared) return prepared.error();
    return run_reset(*prepared, {.control = &control, .on_phase = std::move(on_phase)});
}

// ---- per client -------------------------------------------------------------------------------------------

struct ClientCase {
    Client execution;
    Client consensus;
};

class ResetEachClient : public testing::TestWithParam<ClientCase> {};

TEST_P(ResetEachClient, KeepsIdentityAndKeysWipesChainDataArchivesSlashingAndSwitchesRelease) {
    const Node node({{Role::execution, GetParam().execution},
                     {Role::consensus, GetParam().consensus},
                     {Role::validator, GetParam().consensus}});
    // Randomised extras: files, nested directories and symlinks to outside files and directories, anywhere in
    // the data dirs. None may reach outside, and those in kept directories must survive.
    const test::TempDir outside;
    write(outside.path() / "precious/file", "outside");
    const auto outside_before = snapshot(outside.path());
    std::mt19937 random(static_cast<std::uint32_t>(GetParam().execution) * 31U +
                        static_cast<std::uint32_t>(GetParam().consensus));
    for (const Instance& instance : node.instances()) {
        std::vector<fs::path> directories;
        for (const auto& entry : fs::recursive_directory_iterator(instance.data_dir)) {
            if (entry.is_directory() && !entry.is_symlink()) directories.push_back(entry.path());
        }
        directories.push_back(instance.data_dir);
        for (int i = 0; i < 40; ++i) {
            const fs::path parent = directories[random() % directories.size()];
            const fs::path extra = parent / ("extra-" + std::to_string(i));
            switch (random() % 4) {
                case 0: write(extra, contents_for(extra)); break;
                case 1: write(extra / "nested/deeper/file", "nested"); break;
                case 2: fs::create_symlink(outside.path() / "precious/file", extra); break;
                default: fs::create_directory_symlink(outside.path() / "precious", extra); break;
            }
        }
    }
    // Kept: every file under a kept path, byte for byte.
    std::map<std::string, std::string> kept_before;
    for (const Instance& instance : node.instances()) {
        for (const auto& kept : clients::role_spec(instance.client, instance.role)->keep) {
            const fs::path path = instance.data_dir / kept.path;
            if (fs::is_regular_file(path)) {
                kept_before[path.string()] = infra::sha256_of_file(path).value();
                continue;
            }
            for (const auto& [relative, hash] : snapshot(path)) kept_before[(path / relative).string()] = hash;
        }
        // A slashing store inside a kept directory (Lighthouse's validators/) is cleared all the same.
        for (const auto& store : clients::role_spec(instance.client, instance.role)->slashing) {
            const std::string prefix = (instance.data_dir / store.path).string();
            std::erase_if(kept_before, [&prefix](const auto& entry) { return entry.first.starts_with(prefix); });
        }
    }
    ASSERT_FALSE(kept_before.empty());

    RecordingControl control;
    const auto outcome = prepare_and_run(node.request(), control);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;

    EXPECT_EQ(snapshot(outside.path()), outside_before) << "a reset reached outside the data dirs";
    for (const auto& [path, hash] : kept_before) {
        ASSERT_TRUE(fs::exists(fs::symlink_status(path))) << path;
        if (hash.starts_with("-> ")) continue;  // a symlink kept as it was
        EXPECT_EQ(fs::is_regular_file(path) ? infra::sha256_of_file(path).value() : "dir", hash) << path;
    }
    for (const Instance& instance : node.instances()) {
        const clients::RoleSpec& spec = *clients::role_spec(instance.client, instance.role);
        for (const auto& wiped : spec.wipe) {
            const fs::path base = wiped.path == "." ? instance.data_dir : instance.data_dir / wiped.path;
            for (const auto& [relative, hash] : snapshot(base)) {
                const fs::path path = base / relative;
                const bool allowed =
                    path.filename() == "genesis-initialised" ||
                    std::any_of(spec.keep.begin(), spec.keep.end(), [&](const clients::KeptPath& kept) {
                        const fs::path keep = instance.data_dir / kept.path;
                        const std::string p = path.string();
                        const std::string k = keep.string();
                        return p == k || p.starts_with(k + "/") || k.starts_with(p + "/");
                    });
                EXPECT_TRUE(allowed) << instance.service << ": " << path << " survived the wipe";
            }
        }
        for (const auto& store : spec.slashing) {
            EXPECT_FALSE(fs::exists(instance.data_dir / store.path)) << store.path;
            const fs::path archive =
                node.dir() / "archive/iteration-160" / (instance.service + "-slashing-protection.tar.gz");
            ASSERT_TRUE(fs::exists(archive)) << archive;
            const auto members = archive_members(archive);
            EXPECT_NE(std::find(members.begin(), members.end(), "manifest.json"), members.end());
            EXPECT_GE(members.size(), 2U);
        }
        if (!spec.init.empty()) {
            EXPECT_TRUE(fs::exists(instance.data_dir / "genesis-initialised")) << instance.service;
        }
    }
    const auto own = archive_members(node.dir() / "archive/iteration-160/ephemery-slashing-protection.tar.gz");
    EXPECT_NE(std::find(own.begin(), own.end(), "interchange.json"), own.end());
    EXPECT_FALSE(fs::exists(node.dir() / ephemery_slashing_database));
    EXPECT_EQ(genesis::ReleaseStore(node.dir()).current(), new_iteration);
    const auto marker = read_iteration_marker(node.dir());
    ASSERT_TRUE(marker.ok() && marker->has_value());
    EXPECT_EQ((*marker)->iteration, new_iteration);
    EXPECT_EQ(control.calls.front(), "stop " + node.instances()[2].service);
    EXPECT_EQ(control.calls.back(), "start " + node.instances()[2].service);
}

INSTANTIATE_TEST_SUITE_P(
    Clients, ResetEachClient,
    testing::Values(ClientCase{Client::geth, Client::lighthouse}, ClientCase{Client::nethermind, Client::prysm},
                    ClientCase{Client::besu, Client::teku}, ClientCase{Client::erigon, Client::nimbus},
                    ClientCase{Client::reth, Client::lodestar}, ClientCase{Client::geth, Client::grandine}),
    [](const testing::TestParamInfo<ClientCase>& test_case) {
        return fmt::format("{}_{}", clients::client_name(test_case.param.execution),
                           clients::client_name(test_case.param.consensus));
    });

TEST(Reset, PreviewShowsSizesKeptPathsAndTheRootsOfSlashingStores) {
    const Node node({{Role::execution, Client::geth}, {Role::validator, Client::nimbus}});
    const auto prepared = prepare_reset(node.request());
    ASSERT_TRUE(prepared.ok()) << prepared.error().message;
    EXPECT_TRUE(prepared->refusals.empty());
    const auto previews = preview_plan(prepared->plan);
    ASSERT_TRUE(previews.ok()) << previews.error().message;
    bool saw_wipe = false;
    bool saw_nimbus_root = false;
    bool saw_own_root = false;
    for (std::size_t i = 0; i < prepared->plan.steps.size(); ++i) {
        const Step& step = prepared->plan.steps[i];
        const StepPreview& preview = (*previews)[i];
        if (step.kind == StepKind::wipe_chain_data && !preview.deletions.empty()) {
            saw_wipe = true;
            EXPECT_GT(preview.deletions.front().usage.bytes, 0U);
        }
        if (step.kind == StepKind::clear_slashing && preview.store && preview.store->genesis_validators_root) {
            EXPECT_EQ(*preview.store->genesis_validators_root, old_root);
            (step.service.empty() ? saw_own_root : saw_nimbus_root) = true;
        }
    }
    EXPECT_TRUE(saw_wipe);
    EXPECT_TRUE(saw_nimbus_root);
    EXPECT_TRUE(saw_own_root);
    EXPECT_TRUE(fs::exists(node.dir() / ephemery_slashing_database)) << "a preview changes nothing";
}

// ---- refusals ---------------------------------------------------------------------------------------------

TEST(Reset, RefusesWhenTheReleaseIsMissingOrChangedAndWhenAlreadyOnTheIteration) {
    const Node node({{Role::execution, Client::geth}});
    const auto before = node.end_state();

    auto missing = node.request();
    missing.target_iteration = 162;
    missing.expectation = Node::expectation(162);
    const auto not_installed = prepare_reset(missing);
    ASSERT_TRUE(not_installed.ok());
    ASSERT_EQ(not_installed->refusals.size(), 1U);
    EXPECT_NE(not_installed->refusals[0].find("ephemery genesis fetch --iteration 162 --no-activate"),
              std::string::npos);
    RecordingControl control;
    const auto refused = run_reset(*not_installed, {.control = &control, .on_phase = {}});
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(control.calls.empty());

    const fs::path config = node.dir() / "testnet/161/metadata/config.yaml";
    const auto original = infra::read_file(config, 1 << 20).value();
    write(config, original + "# edited\n");
    const auto changed = prepare_reset(node.request());
    ASSERT_TRUE(changed.ok());
    ASSERT_EQ(changed->refusals.size(), 1U);
    EXPECT_NE(changed->refusals[0].find("changed since it was installed"), std::string::npos);
    write(config, original);

    node.write_marker(new_iteration);
    const auto already = prepare_reset(node.request());
    ASSERT_TRUE(already.ok());
    ASSERT_EQ(already->refusals.size(), 1U);
    EXPECT_NE(already->refusals[0].find("already on iteration 161"), std::string::npos);
    const auto forced = prepare_reset(node.request(true));
    ASSERT_TRUE(forced.ok());
    EXPECT_TRUE(forced->refusals.empty());
    node.write_marker(old_iteration);
    EXPECT_EQ(node.end_state(), before) << "refusals change nothing";
}

TEST(Reset, RefusesEmptyRelativeRootAndOverlappingDataDirs) {
    const Node node({{Role::execution, Client::erigon}});
    auto request = node.request();
    for (const fs::path& bad : {fs::path{}, fs::path{"relative"}, fs::path{"/"}}) {
        request.instances[0].data_dir = bad;
        const auto prepared = prepare_reset(request);
        EXPECT_FALSE(prepared.ok()) << bad;
    }
    request.instances[0].data_dir = node.dir();  // Erigon wipes "." : that would be the whole node
    const auto whole_node = prepare_reset(request);
    ASSERT_FALSE(whole_node.ok());
    EXPECT_NE(whole_node.error().message.find("contains the node's data dir"), std::string::npos);
    request = node.request();
    request.data_dir = "";
    EXPECT_FALSE(prepare_reset(request).ok());
}

TEST(Reset, ASecondRunChangesNothing) {
    const Node node(
        {{Role::execution, Client::besu}, {Role::consensus, Client::teku}, {Role::validator, Client::teku}});
    RecordingControl control;
    ASSERT_TRUE(prepare_and_run(node.request(), control).ok());
    const auto after_first = node.end_state();
    const auto calls = control.calls.size();
    const auto second = prepare_and_run(node.request(), control);
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().message.find("already on iteration 161"), std::string::npos);
    EXPECT_EQ(control.calls.size(), calls);
    EXPECT_EQ(node.end_state(), after_first);
}

TEST(Reset, AFailedStepStopsTheResetAndTheNextRunResumesThere) {
    const Node node({{Role::execution, Client::geth}, {Role::consensus, Client::lighthouse}});
    RecordingControl control;
    control.fail_runs = true;
    const auto failed = prepare_and_run(node.request(), control);
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.error().message.find("initialise the genesis of ephemery-execution-geth"), std::string::npos);
    EXPECT_NE(failed.error().message.find("resumes at this step"), std::string::npos);
    EXPECT_TRUE(fs::exists(journal_path(node.dir())));

    control.fail_runs = false;
    control.calls.clear();
    const auto prepared = prepare_reset(node.request());
    ASSERT_TRUE(prepared.ok());
    EXPECT_TRUE(prepared->resuming);
    const auto resumed = run_reset(*prepared, {.control = &control, .on_phase = {}});
    ASSERT_TRUE(resumed.ok()) << resumed.error().message;
    EXPECT_GT(resumed->steps_skipped, 0U);
    EXPECT_EQ(control.calls.front(), "run ephemery-execution-geth") << "stopped clients are not stopped again";
    EXPECT_FALSE(fs::exists(journal_path(node.dir())));
}

// The journal `original` with `edit` applied, prepared again as a resume would after someone edited it.
auto prepare_with_edited_journal(const Node& node, const std::string& original,
                                 const std::function<void(nlohmann::json&)>& edit) {
    auto journal = nlohmann::json::parse(original);
    edit(journal);
    write(journal_path(node.dir()), journal.dump());
    return prepare_reset(node.request());
}

TEST(Reset, AJournalThatPointsOutsideTheDataDirsIsRefused) {
    const Node node({{Role::execution, Client::geth}, {Role::consensus, Client::lighthouse}});
    RecordingControl control;
    control.fail_runs = true;  // leaves the journal behind
    ASSERT_FALSE(prepare_and_run(node.request(), control).ok());
    const auto original = infra::read_file(journal_path(node.dir()), 1 << 20).value();
    const auto tamper = [&](const std::function<void(nlohmann::json&)>& edit) {
        return prepare_with_edited_journal(node, original, edit);
    };
    const auto rooted = tamper([](nlohmann::json& j) { j["plan"]["instances"][0]["data_dir"] = "/"; });
    ASSERT_FALSE(rooted.ok());
    EXPECT_NE(rooted.error().message.find("unsafe data dir"), std::string::npos);
    const auto escaping = tamper([](nlohmann::json& j) {
        for (auto& step : j["plan"]["steps"]) {
            if (step["kind"] == "wipe-chain-data") step["path"] = "/etc";
        }
    });
    ASSERT_FALSE(escaping.ok());
    EXPECT_NE(escaping.error().message.find("outside"), std::string::npos);
    const auto elsewhere = tamper([](nlohmann::json& j) { j["plan"]["data_dir"] = "/srv/other-node"; });
    ASSERT_FALSE(elsewhere.ok());
    const auto torn = tamper([](nlohmann::json& j) { j = nlohmann::json::parse("{\"plan\": 1}"); });
    ASSERT_FALSE(torn.ok());
    EXPECT_NE(torn.error().message.find("will not guess"), std::string::npos);
    write(journal_path(node.dir()), original);
    control.fail_runs = false;
    ASSERT_TRUE(prepare_and_run(node.request(), control).ok());
}

// Issue 20 item 10: on resume the plan comes from the configuration and the catalog; a journal that disagrees
// with it (an edited path, data dir, archive dir or command) is refused before anything runs.
TEST(Reset, AResumedResetRunsThePlanOfTheConfigurationAndRefusesAJournalThatDisagrees) {
    const Node node({{Role::execution, Client::geth}, {Role::consensus, Client::lighthouse}});
    RecordingControl control;
    control.fail_runs = true;  // leaves the journal behind, at the genesis init
    ASSERT_FALSE(prepare_and_run(node.request(), control).ok());
    const auto original = infra::read_file(journal_path(node.dir()), 1 << 20).value();
    const auto tamper = [&](const std::function<void(nlohmann::json&)>& edit) {
        return prepare_with_edited_journal(node, original, edit);
    };
    const auto each_step = [](nlohmann::json& j, std::string_view kind, const std::function<void(nlohmann::json&)>& f) {
        for (auto& step : j["plan"]["steps"]) {
            if (step["kind"] == kind) f(step);
        }
    };
    const fs::path geth_dir = fs::canonical(node.instances()[0].data_dir);
    const auto command = tamper([&](nlohmann::json& j) {
        each_step(j, "init-genesis", [](nlohmann::json& step) {
            step["command"] = {"geth", "--exec", "touch /tmp/ephemery-pwned", "init"};
        });
    });
    ASSERT_FALSE(command.ok());
    EXPECT_NE(command.error().message.find("disagrees with the configuration and the client catalog"),
              std::string::npos)
        << command.error().message;
    EXPECT_NE(command.error().message.find("touch /tmp/ephemery-pwned"), std::string::npos);
    const auto wider_wipe = tamper([&](nlohmann::json& j) {
        each_step(j, "wipe-chain-data", [&](nlohmann::json& step) {
            if (step["service"] == node.instances()[0].service) step["path"] = geth_dir.string();
        });
    });
    ASSERT_FALSE(wider_wipe.ok());
    EXPECT_NE(wider_wipe.error().message.find("path \"" + geth_dir.string() + "\""), std::string::npos)
        << wider_wipe.error().message;
    const fs::path elsewhere = node.dir().parent_path() / "elsewhere";
    fs::create_directories(elsewhere);
    write(elsewhere / "precious", "x");
    // The client's data dir moved elsewhere, with every step on it: consistent, so only the configuration can
    // tell that it is not the client's.
    std::string moved = original;
    for (std::size_t at = moved.find(geth_dir.string()); at != std::string::npos;
         at = moved.find(geth_dir.string(), at)) {
        moved.replace(at, geth_dir.string().size(), elsewhere.string());
    }
    const auto other_dir = tamper([&](nlohmann::json& j) { j = nlohmann::json::parse(moved); });
    ASSERT_FALSE(other_dir.ok());
    EXPECT_NE(other_dir.error().message.find("disagrees"), std::string::npos) << other_dir.error().message;
    const auto archive_dir = tamper([&](nlohmann::json& j) {
        each_step(j, "archive-slashing", [&](nlohmann::json& step) {
            step["path"] = (fs::canonical(node.dir()) / "testnet/161/ephemery-slashing-protection.tar.gz").string();
        });
    });
    ASSERT_FALSE(archive_dir.ok());
    EXPECT_NE(archive_dir.error().message.find("the directory for the iteration it began on"), std::string::npos)
        << archive_dir.error().message;
    // Over the archives of an older iteration: refused, whether or not the journal's start is edited to match.
    const auto older_archives = tamper([&](nlohmann::json& j) {
        each_step(j, "archive-slashing", [&](nlohmann::json& step) {
            step["path"] = (fs::canonical(node.dir()) / "archive/iteration-150/x.tar.gz").string();
        });
    });
    ASSERT_FALSE(older_archives.ok());
    const auto older_start = tamper([&](nlohmann::json& j) {
        j["plan"]["from_iteration"] = 150;
        each_step(j, "archive-slashing", [&](nlohmann::json& step) {
            step["path"] = (fs::canonical(node.dir()) / "archive/iteration-150/x.tar.gz").string();
        });
    });
    ASSERT_FALSE(older_start.ok());
    EXPECT_NE(older_start.error().message.find("says the reset began on iteration 150"), std::string::npos)
        << older_start.error().message;
    EXPECT_TRUE(fs::exists(elsewhere / "precious"));
    EXPECT_TRUE(!control.calls.empty() && control.commands.empty()) << "nothing ran";

    // The program may be corrected in the configuration before resuming (as the init failure advises).
    write(journal_path(node.dir()), original);
    control.fail_runs = false;
    auto request = node.request();
    request.instances[0].binary = "/opt/geth/bin/geth";
    const auto prepared = prepare_reset(request);
    ASSERT_TRUE(prepared.ok()) << prepared.error().message;
    EXPECT_TRUE(prepared->resuming);
    const auto resumed = run_reset(*prepared, {.control = &control, .on_phase = {}});
    ASSERT_TRUE(resumed.ok()) << resumed.error().message;
    ASSERT_EQ(control.commands.size(), 1U);
    EXPECT_EQ(control.commands[0].front(), "/opt/geth/bin/geth");
}

// Issue 20 item 5: a client data dir inside a path the node owns (reth's data_dir: <data>/archive) is refused
// before anything is touched, naming the setting.
TEST(Reset, RefusesAClientDataDirInsideThePathsTheNodeOwns) {
    const Node node({{Role::execution, Client::reth}, {Role::consensus, Client::lighthouse}});
    write(node.dir() / "archive/iteration-159/ephemery-slashing-protection.tar.gz", "an older archive");
    const auto before = snapshot(node.dir());
    auto request = node.request();
    request.instances[0].data_dir = node.dir() / "archive";
    request.instances[1].data_dir = node.dir() / "testnet";
    const auto prepared = prepare_reset(request);
    ASSERT_FALSE(prepared.ok());
    const std::string& message = prepared.error().message;
    EXPECT_NE(message.find("clients.execution.data_dir (" + (fs::canonical(node.dir()) / "archive").string() + ") is"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("clients.consensus.data_dir"), std::string::npos) << "every problem at once: " << message;
    EXPECT_EQ(snapshot(node.dir()), before);
}

// Issue 20 item 6: a wiped path that is a symlink to another disk, with a kept path beyond it, would leave the
// old chain database in place: the reset is refused before anything is destroyed, naming the link and target.
TEST(Reset, AWipeThroughASymlinkIsRefusedBeforeAnythingIsDestroyed) {
    const Node node({{Role::execution, Client::geth}, {Role::consensus, Client::lighthouse}});
    const test::TempDir other_disk;
    const fs::path geth = node.instances()[0].data_dir / "geth";
    fs::rename(geth, other_disk.path() / "geth");
    fs::create_directory_symlink(other_disk.path() / "geth", geth);
    const auto before = snapshot(node.dir());
    const auto other_before = snapshot(other_disk.path());

    const auto prepared = prepare_reset(node.request());
    ASSERT_TRUE(prepared.ok()) << prepared.error().message;
    ASSERT_EQ(prepared->refusals.size(), 1U);
    const std::string& refusal = prepared->refusals[0];
    EXPECT_NE(refusal.find((fs::canonical(node.instances()[0].data_dir) / "geth").string() + " is a symlink to " +
                           (other_disk.path() / "geth").string()),
              std::string::npos)
        << refusal;
    EXPECT_NE(refusal.find("Replace the link by a real directory"), std::string::npos) << refusal;
    RecordingControl control;
    EXPECT_FALSE(run_reset(*prepared, {.control = &control, .on_phase = {}}).ok());
    EXPECT_TRUE(control.calls.empty());
    EXPECT_EQ(snapshot(node.dir()), before);
    EXPECT_EQ(snapshot(other_disk.path()), other_before);

    // A link that appears after the plan was made fails the wipe step (never skipped, never recorded as done),
    // and the journal keeps the reset for a rerun once the link is fixed.
    fs::remove(geth);
    fs::rename(other_disk.path() / "geth", geth);
    const auto clean = prepare_reset(node.request());
    ASSERT_TRUE(clean.ok());
    ASSERT_TRUE(clean->refusals.empty());
    fs::rename(geth, other_disk.path() / "geth");
    fs::create_directory_symlink(other_disk.path() / "geth", geth);
    const auto failed = run_reset(*clean, {.control = &control, .on_phase = {}});
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.error().message.find("is a symlink to"), std::string::npos) << failed.error().message;
    EXPECT_TRUE(fs::exists(other_disk.path() / "geth/chaindata/000001.ldb"));
    const auto marker = read_iteration_marker(node.dir());
    ASSERT_TRUE(marker.ok() && marker->has_value());
    EXPECT_EQ((*marker)->iteration, old_iteration);
    const auto resumed = prepare_reset(node.request());
    ASSERT_TRUE(resumed.ok()) << resumed.error().message;
    EXPECT_TRUE(resumed->resuming);
    EXPECT_EQ(resumed->refusals.size(), 1U) << "plan shows why the resume would fail";
}

// Issue 20 item 8: a slashing database that is a symlink is archived from where it leads (inside the client's
// data dir) and cleared there; one leading outside is refused with the reason, and nothing is touched.
TEST(Reset, ASlashingStoreBehindASymlinkIsArchivedWhereItLeadsOrRefused) {
    {
        const Node node({{Role::validator, Client::lighthouse}});
        const fs::path vc = fs::canonical(node.instances()[0].data_dir);
        const fs::path store = vc / "validators/slashing_protection.sqlite";
        fs::create_directories(vc / "db");
        fs::rename(store, vc / "db/real.sqlite");
        fs::create_symlink("../db/real.sqlite", store);
        RecordingControl control;
        const auto outcome = prepare_and_run(node.request(), control);
        ASSERT_TRUE(outcome.ok()) << outcome.error().message;
        const fs::path archive =
            node.dir() / "archive/iteration-160" / (node.instances()[0].service + "-slashing-protection.tar.gz");
        const test::TempDir extracted;
        ASSERT_TRUE(infra::extract_tar_gz(archive, extracted.path(), {}).ok());
        const auto manifest =
            nlohmann::json::parse(infra::read_file(extracted.path() / "manifest.json", 1 << 20).value());
        EXPECT_EQ(manifest["symlink_target"], (vc / "db/real.sqlite").string());
        const fs::path copy = extracted.path() / "store/slashing_protection.sqlite";
        ASSERT_TRUE(fs::is_regular_file(copy));
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open_v2(copy.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        EXPECT_EQ(sqlite3_exec(db, "SELECT count(*) FROM validators", nullptr, nullptr, nullptr), SQLITE_OK)
            << "the archive holds the database, not an empty link";
        sqlite3_close(db);
        EXPECT_FALSE(fs::exists(fs::symlink_status(store)));
        EXPECT_FALSE(fs::exists(vc / "db/real.sqlite"));
        EXPECT_TRUE(fs::exists(vc / "validators/key")) << "the kept directory stays";
    }
    {
        const Node node({{Role::validator, Client::lighthouse}});
        const test::TempDir elsewhere;
        const fs::path store = node.instances()[0].data_dir / "validators/slashing_protection.sqlite";
        fs::copy_file(store, elsewhere.path() / "real.sqlite");
        fs::remove(store);
        fs::create_symlink(elsewhere.path() / "real.sqlite", store);
        const auto before = snapshot(node.dir());
        const auto prepared = prepare_reset(node.request());
        ASSERT_TRUE(prepared.ok()) << prepared.error().message;
        ASSERT_EQ(prepared->refusals.size(), 1U);
        EXPECT_NE(
            prepared->refusals[0].find("leads through a symlink to " + (elsewhere.path() / "real.sqlite").string()),
            std::string::npos)
            << prepared->refusals[0];
        EXPECT_NE(prepared->refusals[0].find("outside the data dir"), std::string::npos);
        RecordingControl control;
        EXPECT_FALSE(run_reset(*prepared, {.control = &control, .on_phase = {}}).ok());
        EXPECT_EQ(snapshot(node.dir()), before);
        EXPECT_TRUE(fs::exists(elsewhere.path() / "real.sqlite"));
    }
}

// Issue 20 item 9: a crash leaves ephemery's slashing database with its -wal and -shm; the reset archives it
// through SQLite's backup API at the first attempt, with the transactions only the -wal held.
TEST(Reset, ASlashingDatabaseLeftWithItsWalByACrashIsArchivedWholeAtTheFirstAttempt) {
    const Node node({{Role::execution, Client::geth}});
    const fs::path database = node.dir() / ephemery_slashing_database;
    const std::string pubkey = "0x" + std::string(96, 'e');
    const pid_t child = ::fork();
    if (child == 0) {
        auto opened = slashing::Database::open(database, slashing::OpenMode::existing_only, std::nullopt);
        if (!opened || !opened->check_and_insert_block(pubkey, 9, "0x" + std::string(64, 'f')).ok()) ::_exit(1);
        ::_exit(0);  // killed with the connection open: the block is only in the -wal
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_TRUE(fs::exists(database.string() + "-wal"));
    ASSERT_TRUE(fs::exists(database.string() + "-shm"));

    RecordingControl control;
    const auto outcome = prepare_and_run(node.request(), control);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    const test::TempDir extracted;
    ASSERT_TRUE(infra::extract_tar_gz(node.dir() / "archive/iteration-160/ephemery-slashing-protection.tar.gz",
                                      extracted.path(), {})
                    .ok());
    EXPECT_FALSE(fs::exists(extracted.path() / "store/slashing-protection.sqlite-wal")) << "one consistent copy";
    const auto interchange = infra::read_file(extracted.path() / "interchange.json", 1 << 20).value();
    EXPECT_NE(interchange.find(pubkey), std::string::npos);
    auto copy = slashing::Database::open(extracted.path() / "store/slashing-protection.sqlite",
                                         slashing::OpenMode::existing_only, std::nullopt);
    ASSERT_TRUE(copy.ok()) << copy.error().message;
    EXPECT_EQ(copy->genesis_validators_root(), old_root);
    const auto exported = copy->export_interchange(slashing::ExportForm::complete);
    ASSERT_TRUE(exported.ok());
    EXPECT_NE(slashing::to_json(*exported).find(pubkey), std::string::npos) << "the -wal's block is in the copy";
    EXPECT_FALSE(fs::exists(database));
    EXPECT_FALSE(fs::exists(database.string() + "-wal"));
}

// A store SQLite cannot read is archived as its raw bytes (with the reason), never lost nor blocking the reset.
TEST(SlashingStoreArchive, AStoreSQLiteCannotReadIsArchivedRaw) {
    const test::TempDir temp;
    const fs::path store = temp.path() / "vc/validators/slashing_protection.sqlite";
    write(store, "not a database");
    write(store.string() + "-wal", "torn");
    const fs::path archive = temp.path() / "archive/vc.tar.gz";
    const auto archived = archive_slashing_store(store, "lighthouse-sqlite", archive,
                                                 {.root = fs::canonical(temp.path() / "vc"), .protected_paths = {}});
    ASSERT_TRUE(archived.ok()) << archived.error().message;
    const test::TempDir extracted;
    ASSERT_TRUE(infra::extract_tar_gz(archive, extracted.path(), {}).ok());
    const auto manifest = nlohmann::json::parse(infra::read_file(extracted.path() / "manifest.json", 1 << 20).value());
    EXPECT_EQ(manifest["copy"], "raw files");
    EXPECT_NE(manifest["backup_error"].get<std::string>().find(store.string()), std::string::npos);
    EXPECT_EQ(infra::read_file(extracted.path() / "store/slashing_protection.sqlite", 1 << 20).value(),
              "not a database");
    EXPECT_EQ(infra::read_file(extracted.path() / "store/slashing_protection.sqlite-wal", 1 << 20).value(), "torn");
}

// ---- fault injection --------------------------------------------------------------------------------------

// Runs the reset in a child process that stops at (step, phase); the test then SIGKILLs it. Returns false
// when the child never reached that point (the step has no such phase).
bool kill_reset_at(const Node& node, std::size_t step, Phase phase) {
    std::array<int, 2> pipe_fds{};
    EXPECT_EQ(::pipe(pipe_fds.data()), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(pipe_fds[0]);
        RecordingControl control;
        (void)prepare_and_run(node.request(), control, [&](std::size_t at, Phase reached) {
            if (at == step && reached == phase) {
                const char signal_byte = 'k';
                (void)::write(pipe_fds[1], &signal_byte, 1);
                for (;;) ::pause();
            }
        });
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    char byte = 0;
    const bool reached = ::read(pipe_fds[0], &byte, 1) == 1;
    ::close(pipe_fds[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    return reached;
}

TEST(Reset, AResetKilledAtAnyJournalStepEndsLikeAnUninterruptedOne) {
    const std::vector<std::pair<Role, Client>> roles{
        {Role::execution, Client::geth}, {Role::consensus, Client::lighthouse}, {Role::validator, Client::teku}};
    std::map<std::string, std::string> reference;
    std::size_t steps = 0;
    {
        const Node node(roles);
        RecordingControl control;
        const auto outcome = prepare_and_run(node.request(), control);
        ASSERT_TRUE(outcome.ok()) << outcome.error().message;
        steps = outcome->steps_run;
        reference = node.end_state();
    }
    int kills = 0;
    for (std::size_t step = 0; step < steps; ++step) {
        for (const Phase phase : {Phase::started, Phase::midway, Phase::finished}) {
            const Node node(roles);
            if (!kill_reset_at(node, step, phase)) continue;
            ++kills;
            RecordingControl control;
            const auto resumed = prepare_and_run(node.request(), control);
            ASSERT_TRUE(resumed.ok()) << "killed at step " << step << ": " << resumed.error().message;
            EXPECT_EQ(differences(node.end_state(), reference), std::vector<std::string>{})
                << "killed at step " << step << " phase " << static_cast<int>(phase);
            // And a second run changes nothing.
            EXPECT_FALSE(prepare_and_run(node.request(), control).ok());
            EXPECT_EQ(differences(node.end_state(), reference), std::vector<std::string>{});
        }
    }
    EXPECT_GE(kills, static_cast<int>(2 * steps));
}

}  // namespace
}  // namespace ephemery::reset
