#pragma once

#include "alerts/settings.hpp"
#include "api/settings.hpp"
#include "core/result.hpp"
#include "daemon/node_daemon.hpp"
#include "devnet/genesis_state.hpp"
#include "monitoring/settings.hpp"
#include "network/schedule.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// `ephemery devnet`: a mini-Ephemery on this machine. It prepares a data dir (the devnet's schedule, validator
// keys made once by `keys new`'s code and imported in Lodestar's layout, a release source it fills itself) and
// hands the daemon the same settings a public node gets, so every reset runs through the same reset engine and
// supervisor.
//
// <data_dir>/devnet.json            the schedule this devnet was started with (kept across restarts)
// <data_dir>/devnet/mnemonic.txt    the validators' mnemonic (0600; a devnet's keys are test keys)
// <data_dir>/devnet/keys/           `keys new` output: keystores/, passwords/, genesis-validators.txt
// <data_dir>/devnet/releases/<tag>/network-config.tar.gz   each iteration's release, made before its reset
// <data_dir>/consensus-lodestar/, validator-lodestar/, testnet/, logs/ ...   as for any node
namespace ephemery::rehearsal {

struct Settings {
    std::filesystem::path data_dir;                 // absolute
    std::optional<std::int64_t> iteration_seconds;  // unset: devnet.json's, else the default
    std::optional<std::uint32_t> validators;        // unset: devnet.json's, else the default
    std::string lodestar{"lodestar"};               // Lodestar v1.5.1 with our patches (tools/lodestar)
    std::uint16_t port_base{0};  // 0: api.port and the clients' default ports; else the API here, the clients after
    api::Settings api;
    monitoring::Settings monitoring = daemon::monitoring_off();  // the devnet watches its own validators when on
    alerts::Settings alerts = daemon::alerts_off();
};

// What devnet.json records: fixed when the devnet is created.
struct DevnetRecord {
    std::int64_t base_genesis_time{0};  // T(1)
    std::int64_t iteration_seconds{0};
    std::uint32_t validators{0};
};

inline constexpr std::string_view devnet_record_file = "devnet.json";

// The devnet of data_dir: created at `now` (iteration 1 begins then) when it has none; reopened otherwise,
// refusing --iteration-seconds or --validators that differ from what it was created with. Makes the validator
// keys once (pbkdf2 keystores: Lodestar decrypts them at every start) and imports them for Lodestar.
[[nodiscard]] Result<daemon::DaemonSettings> prepare_devnet(const Settings& settings, std::int64_t now);

// The schedule of the devnet whose data dir this is (from its devnet.json); nullopt when it is none or the record
// cannot be read. For commands that run without the daemon (`status`).
[[nodiscard]] std::optional<network::Schedule> recorded_schedule(const std::filesystem::path& data_dir);

// Writes iteration N's release to <releases_dir>/<tag>/network-config.tar.gz unless it is there; keeps the
// newest three.
[[nodiscard]] Status publish_release(const std::filesystem::path& releases_dir, const network::Schedule& schedule,
                                     std::uint64_t iteration, const std::vector<devnet::GenesisValidator>& validators);

}  // namespace ephemery::rehearsal
