#include "rehearsal/devnet.hpp"

#include "core/text.hpp"
#include "devnet/release.hpp"
#include "infra/archive.hpp"
#include "infra/files.hpp"
#include "infra/process.hpp"
#include "keyfiles/discover.hpp"
#include "keyfiles/generate.hpp"
#include "keyfiles/install.hpp"
#include "keys/check.hpp"
#include "keys/deposit.hpp"
#include "node/plan.hpp"
#include "release/layout.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace ephemery::rehearsal {
namespace {

namespace fs = std::filesystem;

// Withdrawals go nowhere on a devnet; a recognisable address makes that plain.
constexpr std::string_view devnet_withdrawal_address = "0x4242424242424242424242424242424242424242";
constexpr std::size_t published_releases_kept = 3;

fs::path devnet_dir(const fs::path& data_dir) {
    return data_dir / "devnet";
}
fs::path keys_dir(const fs::path& data_dir) {
    return devnet_dir(data_dir) / "keys";
}
fs::path releases_dir(const fs::path& data_dir) {
    return devnet_dir(data_dir) / "releases";
}

Status check_ranges(std::int64_t iteration_seconds, std::uint32_t validators) {
    if (auto schedule = devnet::devnet_schedule(0, iteration_seconds); !schedule) return schedule.error();
    if (validators < devnet::min_validators || validators > devnet::max_validators) {
        return make_error(Errc::invalid_argument,
                          fmt::format("--validators {}: a devnet runs {} to {} validators", validators,
                                      devnet::min_validators, devnet::max_validators));
    }
    return {};
}

Result<DevnetRecord> read_record(const fs::path& file) {
    auto text = infra::read_file(file, std::size_t{64} * 1024);
    if (!text) return text.error();
    const auto document = nlohmann::json::parse(*text, nullptr, false);
    const auto number = [&document](const char* key) -> std::optional<std::int64_t> {
        if (!document.is_object() || !document.contains(key) || !document[key].is_number_integer()) return std::nullopt;
        return document[key].get<std::int64_t>();
    };
    const auto base = number("base_genesis_time");
    const auto seconds = number("iteration_seconds");
    const auto validators = number("validators");
    if (!base || !seconds || !validators || *validators <= 0 || *validators > devnet::max_validators) {
        return make_error(Errc::parse_error,
                          fmt::format("{} is not a devnet record (base_genesis_time, iteration_seconds, validators); "
                                      "it is written when a devnet is created: use a new --data-dir for a new one",
                                      file.string()));
    }
    return DevnetRecord{.base_genesis_time = *base,
                        .iteration_seconds = *seconds,
                        .validators = static_cast<std::uint32_t>(*validators)};
}

Result<DevnetRecord> load_or_create_record(const Settings& settings, std::int64_t now) {
    const fs::path file = settings.data_dir / devnet_record_file;
    std::error_code error;
    if (fs::exists(file, error)) {
        auto record = read_record(file);
        if (!record) return record.error();
        const bool other_seconds =
            settings.iteration_seconds && *settings.iteration_seconds != record->iteration_seconds;
        const bool other_count = settings.validators && *settings.validators != record->validators;
        if (other_seconds || other_count) {
            return make_error(
                Errc::invalid_argument,
                fmt::format("the devnet in {} was created with --iteration-seconds {} and --validators "
                            "{} ({}); start it with those, or give a new --data-dir for another devnet",
                            settings.data_dir.string(), record->iteration_seconds, record->validators, file.string()));
        }
        return record;
    }
    const DevnetRecord record{
        .base_genesis_time = now,
        .iteration_seconds = settings.iteration_seconds.value_or(devnet::default_iteration_seconds),
        .validators = settings.validators.value_or(devnet::default_validators)};
    if (auto valid = check_ranges(record.iteration_seconds, record.validators); !valid) return valid.error();
    const nlohmann::ordered_json document{{"base_genesis_time", record.base_genesis_time},
                                          {"iteration_seconds", record.iteration_seconds},
                                          {"validators", record.validators},
                                          {"chain_id_base", devnet::devnet_chain_id_base}};
    if (auto written = infra::write_file_atomically(file, document.dump(2) + "\n", std::filesystem::perms(0644));
        !written) {
        return written.error();
    }
    spdlog::info("new devnet in {}: {}-second iterations from {}, {}", settings.data_dir.string(),
                 record.iteration_seconds, record.base_genesis_time, counted(record.validators, "validator"));
    return record;
}

// The validators' keys, made once into a staging directory renamed into place, so an interrupted run leaves
// either no keys or all of them.
Result<std::vector<devnet::GenesisValidator>> ensure_keys(const fs::path& data_dir, std::uint32_t count,
                                                          std::int64_t now) {
    const fs::path keys = keys_dir(data_dir);
    const fs::path list = keys / "genesis-validators.txt";
    std::error_code error;
    if (!fs::exists(list, error)) {
        const fs::path staging = devnet_dir(data_dir) / "keys.partial";
        fs::remove_all(staging, error);
        const fs::path mnemonic_file = devnet_dir(data_dir) / "mnemonic.txt";
        auto mnemonic = fs::exists(mnemonic_file, error) ? keyfiles::read_mnemonic_file(mnemonic_file)
                                                         : keyfiles::create_mnemonic_file(mnemonic_file);
        if (!mnemonic) return mnemonic.error();
        keyfiles::GenerateRequest request;
        request.mnemonic = std::move(mnemonic).value();
        request.count = count;
        request.withdrawal_credentials = keys::withdrawal_credentials(
            keys::parse_execution_address(devnet_withdrawal_address).value(), keys::WithdrawalPrefix::execution);
        request.amount_gwei = 32'000'000'000;
        request.genesis_fork_version = keys::parse_fork_version("0x1000101b").value();
        request.network_name = std::string(devnet::devnet_network_name);
        // pbkdf2 (c = 2^18) decrypts in about 60 ms in Lodestar, scrypt (n = 2^18) in about 2 s: the validator
        // client decrypts every keystore at each start, so scrypt would cost minutes of every short iteration.
        request.kdf = keys::Kdf::pbkdf2;
        request.out_dir = staging;
        request.created_at = now;
        spdlog::info("making {} validator keys in {} (once)", count, keys.string());
        auto generated = keyfiles::generate_keys(request);
        if (!generated) return generated.error();
        if (auto moved = infra::rename_durably(staging, keys); !moved) return moved.error();
    }
    auto text = infra::read_file(list, std::size_t{16} * 1024 * 1024);
    if (!text) return text.error();
    auto validators = devnet::parse_genesis_validators(*text, list.string());
    if (!validators) return validators.error();
    if (validators->size() != count) {
        return make_error(Errc::invalid_argument, fmt::format("{} lists {} validators but the devnet has {}",
                                                              list.string(), validators->size(), count));
    }
    return validators;
}

// Lodestar reads keystores/<0xpubkey>/voting-keystore.json and secrets/<0xpubkey>; `keys import` puts them
// there after the pre-flight. Done once: later starts find them in place.
Status ensure_imported(const fs::path& data_dir, const fs::path& validator_dir, std::uint32_t count) {
    std::error_code error;
    const fs::path installed = validator_dir / "keystores";
    if (fs::is_directory(installed, error) &&
        static_cast<std::uint32_t>(std::distance(fs::directory_iterator(installed, error), {})) == count) {
        return {};
    }
    const fs::path keys = keys_dir(data_dir);
    auto source = keyfiles::discover({.root = keys,
                                      .layout = keyfiles::Layout::generic,
                                      .password_file = std::nullopt,
                                      .passwords_dir = keys / "passwords"});
    if (!source) return source.error();
    const auto summary = keys::check_keystores(source->candidates, keyfiles::machine_check_options(0));
    if (summary.keys.size() != source->candidates.size() || summary.count(keys::Severity::failure) != 0) {
        return make_error(Errc::invalid_argument,
                          fmt::format("the devnet's keystores in {} fail the pre-flight; `ephemery keys check {}` "
                                      "shows why",
                                      keys.string(), keys.string()));
    }
    std::vector<std::string> pubkeys;
    pubkeys.reserve(summary.keys.size());
    for (const auto& key : summary.keys) pubkeys.push_back(key.pubkey);
    auto imported = keyfiles::import_keys(*source, pubkeys, keyfiles::Layout::lodestar, validator_dir);
    if (!imported) return imported.error();
    spdlog::info("{} validator keys imported for Lodestar into {}", imported->size(), validator_dir.string());
    return {};
}

// Lodestar's validator client locks each keystore with <keystore>.lock and removes the locks when it stops; a
// client that was killed (SIGKILL, a crash, a power cut) leaves them, and the next start then refuses every
// key. With no process using the validator's data dir, any lock left there is stale.
Status remove_stale_keystore_locks(const fs::path& validator_dir) {
    const auto users = infra::processes_using(validator_dir);
    if (!users.empty()) {
        return make_error(Errc::invalid_argument,
                          fmt::format("process {} ({}) still uses {}: stop it before starting the devnet",
                                      users.front().pid, users.front().command, validator_dir.string()));
    }
    std::error_code error;
    std::size_t removed = 0;
    for (auto it = fs::recursive_directory_iterator(validator_dir / "keystores", error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (it->is_regular_file(error) && it->path().extension() == ".lock" && fs::remove(it->path(), error)) ++removed;
    }
    if (removed > 0) spdlog::warn("removed {} keystore lock(s) left by a validator client that was killed", removed);
    return {};
}

void prune_published(const fs::path& releases) {
    std::vector<std::pair<std::uint64_t, fs::path>> published;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(releases, error)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(devnet::devnet_tag_prefix)) continue;
        const std::string_view number = std::string_view(name).substr(devnet::devnet_tag_prefix.size());
        std::uint64_t iteration = 0;
        const auto parsed = std::from_chars(number.data(), number.data() + number.size(), iteration);
        if (parsed.ec != std::errc{} || parsed.ptr != number.data() + number.size()) continue;  // not one of ours
        published.emplace_back(iteration, entry.path());
    }
    if (published.size() <= published_releases_kept) return;
    std::sort(published.begin(), published.end());
    for (std::size_t i = 0; i + published_releases_kept < published.size(); ++i) {
        fs::remove_all(published[i].second, error);
    }
}

}  // namespace

std::optional<network::Schedule> recorded_schedule(const fs::path& data_dir) {
    std::error_code error;
    const fs::path file = data_dir / devnet_record_file;
    if (!fs::exists(file, error)) return std::nullopt;
    auto record = read_record(file);
    if (!record) return std::nullopt;
    auto schedule = devnet::devnet_schedule(record->base_genesis_time, record->iteration_seconds);
    if (!schedule) return std::nullopt;
    return *schedule;
}

Status publish_release(const fs::path& releases, const network::Schedule& schedule, std::uint64_t iteration,
                       const std::vector<devnet::GenesisValidator>& validators) {
    const std::string tag = network::release_tag(schedule, iteration);
    const fs::path archive = releases / tag / "network-config.tar.gz";
    std::error_code error;
    if (fs::exists(archive, error)) return {};
    auto files = devnet::make_release({.iteration = iteration, .schedule = schedule, .validators = validators});
    if (!files) return files.error();
    fs::create_directories(archive.parent_path(), error);
    if (error) {
        return make_error(Errc::io_error,
                          fmt::format("cannot create {}: {}", archive.parent_path().string(), error.message()));
    }
    std::vector<infra::ArchiveMember> members;
    members.reserve(files->files.size());
    for (auto& [name, contents] : files->files) members.push_back({.name = name, .source = {}, .contents = contents});
    if (auto written = infra::write_tar_gz(archive, members); !written) return written.error();
    spdlog::info(
        "devnet release {} made: genesis at {}, genesis validators root {}", tag,
        network::describe_iteration(schedule, iteration)->times->cl_genesis_time,
        trim(files->files.at(release::path_of(release::Layout::network_config, "genesis_validators_root.txt"))));
    prune_published(releases);
    return {};
}

Result<daemon::DaemonSettings> prepare_devnet(const Settings& settings, std::int64_t now) {
    std::error_code error;
    fs::create_directories(devnet_dir(settings.data_dir), error);
    if (error) {
        return make_error(Errc::io_error,
                          fmt::format("cannot create {}: {}", devnet_dir(settings.data_dir).string(), error.message()));
    }
    auto record = load_or_create_record(settings, now);
    if (!record) return record.error();
    auto schedule = devnet::devnet_schedule(record->base_genesis_time, record->iteration_seconds);
    if (!schedule) return schedule.error();
    auto validators = ensure_keys(settings.data_dir, record->validators, now);
    if (!validators) return validators.error();

    daemon::DaemonSettings daemon;
    daemon.network.preset = network::Preset::custom;
    daemon.network.name = std::string(devnet::devnet_network_name);
    daemon.network.schedule = *schedule;
    daemon.network.release_base_url = releases_dir(settings.data_dir).string();
    daemon.data_dir = settings.data_dir;
    daemon.node.backend = node::Backend::native;
    daemon.node.edition = clients::Edition::devnet;
    // --port-base P numbers every port the devnet opens: the control API takes P, the clients P + 1 onwards.
    daemon.node.port_base = settings.port_base == 0 ? 0 : static_cast<std::uint16_t>(settings.port_base + 1);
    daemon.node.execution.enabled = false;
    for (node::ClientSettings* role : {&daemon.node.consensus, &daemon.node.validator}) {
        role->enabled = true;
        role->client = clients::Client::lodestar;
        role->binary = settings.lodestar;
    }
    const fs::path validator_dir =
        node::client_data_dir(settings.data_dir, daemon.node.validator, clients::Role::validator);
    if (auto imported = ensure_imported(settings.data_dir, validator_dir, record->validators); !imported) {
        return imported.error();
    }
    if (auto unlocked = remove_stale_keystore_locks(validator_dir); !unlocked) return unlocked.error();
    daemon.api = settings.api;
    if (settings.port_base != 0) daemon.api.port = settings.port_base;
    // Head mode: an iteration lasts a few epochs, finality comes late in it. Without configured validators the
    // devnet's own are watched (index 0 is the offline dummy validator).
    daemon.monitoring = settings.monitoring;
    daemon.alerts = settings.alerts;
    daemon.monitoring.mode = monitoring::Mode::head;
    if (daemon.monitoring.validators.empty()) {
        daemon.monitoring.validators.push_back(
            monitoring::ValidatorGroup{"devnet", {}, fmt::format("1-{}", record->validators)});
    }
    daemon.fork_versions = devnet::devnet_fork_versions();
    daemon.prepare_release = [releases = releases_dir(settings.data_dir), schedule = *schedule,
                              keys = std::move(validators).value()](std::uint64_t iteration) {
        return publish_release(releases, schedule, iteration, keys);
    };
    return daemon;
}

}  // namespace ephemery::rehearsal
