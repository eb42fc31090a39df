#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "core/text.hpp"
#include "infra/clock.hpp"
#include "keyfiles/generate.hpp"
#include "keys/deposit.hpp"
#include "release/verify.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

namespace ephemery::cli {
namespace {

namespace fs = std::filesystem;

struct NewOptions {
    std::uint32_t count{0};
    std::uint32_t start{0};
    std::string mnemonic_file;
    std::string generate_mnemonic;
    std::string withdrawal;
    std::string kdf{"scrypt"};
    std::string out;
    std::uint64_t balance_gwei{32'000'000'000};
    bool compounding{false};
    std::string fork_version;
    unsigned threads{0};
    bool force{false};
    bool json{false};
};

ExitCode usage_error(const std::string& message) {
    print_stderr("error: {}\n", message);
    return ExitCode::usage_error;
}

std::string hex_with_prefix(std::span<const std::uint8_t> bytes) {
    return "0x" + to_hex(bytes);
}

// --fork-version, or the public Ephemery network's GENESIS_FORK_VERSION; a custom network must say its own.
Result<keys::ForkVersion> genesis_fork_version(const NewOptions& options, const network::Settings& network) {
    std::optional<keys::ForkVersion> ephemery_version;
    for (const auto& [key, value] : release::public_ephemery_fork_versions()) {
        if (key == "GENESIS_FORK_VERSION") ephemery_version = keys::parse_fork_version(value).value();
    }
    if (!options.fork_version.empty()) {
        auto version = keys::parse_fork_version(options.fork_version);
        if (!version) return make_error(Errc::invalid_argument, "--fork-version: " + version.error().message);
        if (network.preset == network::Preset::ephemery && ephemery_version && *version != *ephemery_version) {
            spdlog::warn(
                "--fork-version {} is not Ephemery's GENESIS_FORK_VERSION {}: these deposits will not be "
                "valid on the public Ephemery network",
                hex_with_prefix(*version), hex_with_prefix(*ephemery_version));
        }
        return version;
    }
    if (network.preset == network::Preset::ephemery && ephemery_version) return *ephemery_version;
    return make_error(Errc::invalid_argument,
                      fmt::format("network \"{}\" is a custom network: pass --fork-version with its "
                                  "GENESIS_FORK_VERSION (from the config.yaml of its genesis release)",
                                  network.name));
}

// Compared after resolving symlinks and "..", so a mnemonic cannot slip into the output under another name.
bool is_inside(const fs::path& path, const fs::path& directory) {
    const auto resolve = [](const fs::path& raw) -> std::optional<fs::path> {
        std::error_code error;
        fs::path resolved = fs::weakly_canonical(fs::absolute(raw, error), error);
        if (error) return std::nullopt;
        if (resolved.filename().empty()) resolved = resolved.parent_path();  // "dir/" names "dir"
        return resolved;
    };
    const auto resolved_path = resolve(path);
    const auto resolved_directory = resolve(directory);
    if (!resolved_path || !resolved_directory || resolved_directory->empty()) return false;
    const auto mismatch = std::mismatch(resolved_directory->begin(), resolved_directory->end(), resolved_path->begin(),
                                        resolved_path->end());
    return mismatch.first == resolved_directory->end();
}

void print_outcome(const NewOptions& options, const keyfiles::GeneratedSet& set,
                   const keyfiles::GenerateRequest& request) {
    if (options.json) {
        auto keys_json = nlohmann::ordered_json::array();
        for (const auto& key : set.keys) {
            keys_json.push_back({{"index", key.index},
                                 {"path", key.path},
                                 {"pubkey", "0x" + key.pubkey},
                                 {"keystore", key.keystore.string()},
                                 {"password_file", key.password_file.string()}});
        }
        nlohmann::ordered_json mnemonic = {
            {"file", options.generate_mnemonic.empty() ? options.mnemonic_file : options.generate_mnemonic},
            {"generated", !options.generate_mnemonic.empty()}};
        print_json({{"count", set.keys.size()},
                    {"out_dir", request.out_dir.string()},
                    {"network", request.network_name},
                    {"genesis_fork_version", hex_with_prefix(request.genesis_fork_version)},
                    {"withdrawal_credentials", hex_with_prefix(request.withdrawal_credentials)},
                    {"balance_gwei", request.amount_gwei},
                    {"kdf", options.kdf},
                    {"mnemonic", mnemonic},
                    {"deposit_data", set.deposit_data.string()},
                    {"genesis_validators", set.genesis_validators.string()},
                    {"keys", keys_json}});
        return;
    }
    fmt::print("wrote {} keystore{} (m/12381/3600/{}/0/0 to m/12381/3600/{}/0/0) to {}\n", set.keys.size(),
               set.keys.size() == 1 ? "" : "s", request.start_index, request.start_index + request.count - 1,
               (request.out_dir / "keystores").string());
    fmt::print("passwords:          {}\n", (request.out_dir / "passwords").string());
    fmt::print("deposit data:       {}\n", set.deposit_data.string());
    fmt::print("genesis validators: {}\n", set.genesis_validators.string());
    fmt::print("withdrawal credentials {} for {} gwei each, signed for fork version {} ({})\n",
               hex_with_prefix(request.withdrawal_credentials), request.amount_gwei,
               hex_with_prefix(request.genesis_fork_version), request.network_name);
    if (!options.generate_mnemonic.empty()) {
        fmt::print("new mnemonic in {}: back it up offline, then remove it from this machine; it recreates every key\n",
                   options.generate_mnemonic);
    }
}

ExitCode run_new(const CommandContext& context, const NewOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const network::Settings& network = loaded->outcome.config.network;

    if (options.mnemonic_file.empty() == options.generate_mnemonic.empty()) {
        return usage_error(
            "pass --mnemonic-file FILE to use an existing mnemonic, or --generate-mnemonic FILE to "
            "make a new one");
    }
    const auto address = keys::parse_execution_address(options.withdrawal);
    if (!address) return usage_error("--withdrawal: " + address.error().message);
    if (address->checksum == keys::AddressChecksum::unverified) {
        spdlog::warn(
            "--withdrawal {} is mixed case, but its EIP-55 checksum cannot be checked here (this OpenSSL "
            "has no Keccak-256): compare it character by character with its source",
            options.withdrawal);
    }
    const auto prefix = options.compounding ? keys::WithdrawalPrefix::compounding : keys::WithdrawalPrefix::execution;
    if (auto amount = keys::check_deposit_amount(options.balance_gwei, prefix); !amount)
        return usage_error("--balance-gwei: " + amount.error().message);
    const auto fork_version = genesis_fork_version(options, network);
    if (!fork_version) return usage_error(fork_version.error().message);

    keyfiles::GenerateRequest request;
    request.start_index = options.start;
    request.count = options.count;
    request.withdrawal_credentials = keys::withdrawal_credentials(*address, prefix);
    request.amount_gwei = options.balance_gwei;
    request.genesis_fork_version = *fork_version;
    request.network_name = network.name;
    request.kdf = options.kdf == "pbkdf2" ? keys::Kdf::pbkdf2 : keys::Kdf::scrypt;
    request.out_dir = options.out;
    request.force = options.force;
    request.threads = options.threads;
    request.created_at = infra::unix_now();
    // Refuse before a new mnemonic is written, so a refused run leaves nothing behind.
    if (auto checked = keyfiles::check_output_dir(request); !checked) return usage_error(checked.error().message);

    if (!options.generate_mnemonic.empty()) {
        if (is_inside(options.generate_mnemonic, options.out)) {
            return usage_error(
                fmt::format("--generate-mnemonic {} is inside --out {}: keep the mnemonic apart from "
                            "the keystores, which are copied to validator machines",
                            options.generate_mnemonic, options.out));
        }
        auto mnemonic = keyfiles::create_mnemonic_file(options.generate_mnemonic);
        if (!mnemonic) {
            print_stderr("error: --generate-mnemonic: {}\n", mnemonic.error().message);
            return mnemonic.error().code == Errc::invalid_argument ? ExitCode::usage_error : ExitCode::runtime_failure;
        }
        request.mnemonic = std::move(mnemonic).value();
    } else {
        auto mnemonic = keyfiles::read_mnemonic_file(options.mnemonic_file);
        if (!mnemonic) {
            return usage_error(
                fmt::format("--mnemonic-file: {} (the file holds the mnemonic's words on one line; "
                            "--generate-mnemonic FILE makes a new one)",
                            mnemonic.error().message));
        }
        request.mnemonic = std::move(mnemonic).value();
    }

    const auto set = keyfiles::generate_keys(request);
    if (!set) {
        print_stderr("error: {}\n", set.error().message);
        return set.error().code == Errc::invalid_argument ? ExitCode::usage_error : ExitCode::runtime_failure;
    }
    print_outcome(options, *set, request);
    return ExitCode::ok;
}

}  // namespace

void add_keys_new_command(CLI::App& keys, CommandContext& context) {
    auto options = std::make_shared<NewOptions>();
    auto* command = keys.add_subcommand(
        "new",
        "Make validator keys from a BIP-39 mnemonic: EIP-2335 keystores, one password file each, deposit "
        "data and Ephemery genesis validator lines");
    command->add_option("--count", options->count, "How many validators")->required()->check(CLI::PositiveNumber);
    command->add_option("--start", options->start, "First validator index (EIP-2334 m/12381/3600/<index>/0/0)");
    auto* mnemonic_file =
        command->add_option("--mnemonic-file", options->mnemonic_file, "File holding an existing mnemonic");
    auto* generate = command->add_option("--generate-mnemonic", options->generate_mnemonic,
                                         "Write a new 24-word mnemonic to this file (mode 0600; never overwritten)");
    mnemonic_file->excludes(generate);
    command->add_option("--withdrawal", options->withdrawal, "Execution address that receives withdrawals (0x...)")
        ->required();
    command->add_option("--kdf", options->kdf, "Keystore key derivation: scrypt (default) or pbkdf2")
        ->check(CLI::IsMember({"scrypt", "pbkdf2"}));
    command->add_option("--out", options->out, "Output directory (must be empty or new, unless --force)")->required();
    command->add_option("--balance-gwei", options->balance_gwei, "Deposit amount / genesis balance per validator")
        ->default_str("32000000000");
    command->add_flag("--compounding", options->compounding,
                      "0x02 compounding withdrawal credentials (balances up to 2048 ETH) instead of 0x01");
    command->add_option("--fork-version", options->fork_version,
                        "GENESIS_FORK_VERSION the deposits are signed for (default: Ephemery's; required for a custom "
                        "network)");
    command->add_option("--threads", options->threads, "Parallel key derivations (default: one per core)");
    command->add_flag("--force", options->force,
                      "Add keys to a non-empty directory (existing keystores and passwords are never overwritten)");
    command->add_flag("--json", options->json, "Print one JSON document");
    command->callback([&context, options] { context.exit_code = run_new(context, *options); });
}

}  // namespace ephemery::cli
