#include "devnet/release.hpp"

#include "core/text.hpp"
#include "release/layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace ephemery::devnet {
namespace {

constexpr std::uint64_t far_future_epoch = std::numeric_limits<std::uint64_t>::max();
constexpr std::string_view deposit_contract_address = "0x4242424242424242424242424242424242424242";

template <std::size_t size>
std::optional<std::array<std::uint8_t, size>> fixed_bytes(std::string_view hex) {
    if (hex.starts_with("0x")) hex.remove_prefix(2);
    const auto bytes = from_hex(hex);
    if (!bytes || bytes->size() != size) return std::nullopt;
    std::array<std::uint8_t, size> out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
    return "0x" + to_hex(bytes);
}

}  // namespace

std::int64_t genesis_delay_for(std::int64_t iteration_seconds) {
    return std::max<std::int64_t>(20, iteration_seconds / 10);
}

Result<network::Schedule> devnet_schedule(std::int64_t base_genesis_time, std::int64_t iteration_seconds) {
    if (iteration_seconds < min_iteration_seconds) {
        return make_error(Errc::invalid_argument,
                          fmt::format("--iteration-seconds {}: a devnet iteration lasts at least {} s (genesis, "
                                      "justification and finality take about 90 s at {}-second slots)",
                                      iteration_seconds, min_iteration_seconds, seconds_per_slot));
    }
    network::Schedule schedule{
        .base_genesis_time = base_genesis_time,
        .base_iteration = 1,
        .genesis_interval = iteration_seconds,
        .genesis_delay = genesis_delay_for(iteration_seconds),
        .chain_id_base = devnet_chain_id_base,
        .chain_id_formula_since = 1,
        .release_tag_prefix = std::string(devnet_tag_prefix),
        // The devnet makes its own release: ready a quarter of an iteration ahead, like Ephemery's 2 h of 28 days
        // but with room for the pre-fetch.
        .release_lead_time = iteration_seconds / 4,
        .release_build_minutes = {},
    };
    if (auto valid = network::validate(schedule); !valid) return valid.error();
    return schedule;
}

std::vector<std::pair<std::string, std::string>> devnet_fork_versions() {
    return release::public_ephemery_fork_versions();
}

Bytes32 eth1_block_hash_for(std::uint64_t iteration) {
    Bytes32 hash{};
    hash.fill(0x42);
    for (std::size_t i = 0; i < 8; ++i) hash[31 - i] = static_cast<std::uint8_t>((iteration >> (8 * i)) & 0xFFU);
    return hash;
}

std::string config_yaml(const network::Schedule& schedule, std::uint64_t iteration,
                        std::size_t genesis_validator_count) {
    const std::uint64_t chain_id = schedule.chain_id_base + iteration;
    const auto info = network::describe_iteration(schedule, iteration);
    const std::int64_t t = info && info->times ? info->times->el_genesis_time : 0;
    std::string versions;
    for (const auto& [key, value] : devnet_fork_versions()) {
        versions += fmt::format("{}: {}\n", key, value);
        if (key == "GENESIS_FORK_VERSION") continue;
        const std::string fork = key.substr(0, key.size() - std::string_view("_VERSION").size());
        versions += fmt::format("{}_EPOCH: {}\n", fork, fork == "ALTAIR_FORK" ? 0 : far_future_epoch);
    }
    return fmt::format(
        "# ephemery devnet, iteration {iteration}: written by `ephemery devnet`, read by Lodestar v1.5.1 "
        "(--paramsFile).\n"
        "# Altair from epoch 0; later forks never (no execution client). Lodestar ignores keys it does not know.\n"
        "PRESET_BASE: minimal\n"
        "CONFIG_NAME: {name}\n"
        "\n"
        "MIN_GENESIS_ACTIVE_VALIDATOR_COUNT: {count}\n"
        "MIN_GENESIS_TIME: {t}\n"
        "GENESIS_DELAY: {delay}\n"
        "{versions}"
        "TERMINAL_TOTAL_DIFFICULTY: "
        "115792089237316195423570985008687907853269984665640564039457584007913129638912\n"
        "TERMINAL_BLOCK_HASH: 0x0000000000000000000000000000000000000000000000000000000000000000\n"
        "TERMINAL_BLOCK_HASH_ACTIVATION_EPOCH: {far}\n"
        "\n"
        "SECONDS_PER_SLOT: {slot}\n"
        "SECONDS_PER_ETH1_BLOCK: {slot}\n"
        "MIN_VALIDATOR_WITHDRAWABILITY_DELAY: 256\n"
        "SHARD_COMMITTEE_PERIOD: 64\n"
        "ETH1_FOLLOW_DISTANCE: 16\n"
        "EPHEMERY_RESET_PERIOD: {period}\n"
        "\n"
        "INACTIVITY_SCORE_BIAS: 4\n"
        "INACTIVITY_SCORE_RECOVERY_RATE: 16\n"
        "EJECTION_BALANCE: 16000000000\n"
        "MIN_PER_EPOCH_CHURN_LIMIT: 4\n"
        "CHURN_LIMIT_QUOTIENT: 32\n"
        "PROPOSER_SCORE_BOOST: 40\n"
        "\n"
        "DEPOSIT_CHAIN_ID: {chain}\n"
        "DEPOSIT_NETWORK_ID: {chain}\n"
        "DEPOSIT_CONTRACT_ADDRESS: {contract}\n",
        fmt::arg("iteration", iteration), fmt::arg("name", devnet_network_name),
        fmt::arg("count", genesis_validator_count), fmt::arg("t", t), fmt::arg("delay", schedule.genesis_delay),
        fmt::arg("versions", versions), fmt::arg("far", far_future_epoch), fmt::arg("slot", seconds_per_slot),
        fmt::arg("period", schedule.genesis_interval), fmt::arg("chain", chain_id),
        fmt::arg("contract", deposit_contract_address));
}

Result<std::vector<GenesisValidator>> parse_genesis_validators(std::string_view text, std::string_view source) {
    std::vector<GenesisValidator> validators;
    std::size_t line_number = 0;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = trim(text.substr(start, end - start));
        start = end + 1;
        ++line_number;
        if (line.empty() || line.front() == '#') continue;
        const auto fail = [&](std::string_view what) {
            return make_error(
                Errc::parse_error,
                fmt::format(
                    "{}:{}: {} (expected <48-byte pubkey>:<32-byte credentials>:<gwei>, in hex with or without 0x)",
                    source, line_number, what));
        };
        const std::size_t first = line.find(':');
        const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos) return fail("not three fields separated by ':'");
        const auto pubkey = fixed_bytes<48>(line.substr(0, first));
        const auto credentials = fixed_bytes<32>(line.substr(first + 1, second - first - 1));
        const std::string_view gwei = line.substr(second + 1);
        std::uint64_t balance = 0;
        const auto parsed = std::from_chars(gwei.data(), gwei.data() + gwei.size(), balance);
        if (!pubkey) return fail("the public key is not 96 hex digits");
        if (!credentials) return fail("the withdrawal credentials are not 64 hex digits");
        if (parsed.ec != std::errc{} || parsed.ptr != gwei.data() + gwei.size() || balance == 0) {
            return fail("the balance is not a positive number of gwei");
        }
        validators.push_back({.pubkey = *pubkey, .withdrawal_credentials = *credentials, .balance_gwei = balance});
    }
    if (validators.empty()) return make_error(Errc::parse_error, fmt::format("{} lists no validator", source));
    return validators;
}

Result<release::ReleaseFiles> make_release(const ReleaseRequest& request) {
    const auto info = network::describe_iteration(request.schedule, request.iteration);
    if (!info) return info.error();
    if (!info->times || !info->chain_id) {
        return make_error(Errc::invalid_argument,
                          fmt::format("iteration {} lies before the devnet's first iteration", request.iteration));
    }
    const std::int64_t t = info->times->el_genesis_time;
    const std::int64_t genesis_time = info->times->cl_genesis_time;
    const std::uint64_t chain_id = *info->chain_id;
    const std::string tag = network::release_tag(request.schedule, request.iteration);

    GenesisParams params;
    params.genesis_time = static_cast<std::uint64_t>(genesis_time);
    params.fork_version = {0x20, 0x00, 0x10, 0x1b};  // ALTAIR_FORK_VERSION: Altair from genesis
    params.eth1_block_hash = eth1_block_hash_for(request.iteration);
    params.validators.push_back(dummy_validator(request.iteration));
    params.validators.insert(params.validators.end(), request.validators.begin(), request.validators.end());
    auto state = make_altair_genesis(params);
    if (!state) return state.error();
    const std::string root = hex(state->genesis_validators_root);
    const std::string block_hash = hex(params.eth1_block_hash);

    release::ReleaseFiles release;
    release.layout = release::Layout::network_config;
    const auto put = [&release](std::string_view name, std::string contents) {
        release.files[release::path_of(release::Layout::network_config, name)] = std::move(contents);
    };
    put("retention.vars",
        fmt::format("export ITERATION_NUMBER=\"{}\"\nexport ITERATION_RELEASE=\"{}\"\nexport GENESIS_TIMESTAMP=\"{}\"\n"
                    "export GENESIS_RESET_INTERVAL=\"{}\"\nexport CHAIN_ID=\"{}\"\n",
                    request.iteration, tag, t, request.schedule.genesis_interval, chain_id));
    put("config.yaml", config_yaml(request.schedule, request.iteration, params.validators.size()));
    put("genesis.ssz", std::string(state->ssz.begin(), state->ssz.end()));
    // No execution client runs on the devnet; these are the minimal execution genesis files every release carries.
    put("genesis.json", fmt::format(R"({{"config":{{"chainId":{}}},"timestamp":"0x{:x}","gasLimit":"0x{:x}",)"
                                    R"("difficulty":"0x1","alloc":{{}}}})",
                                    chain_id, t, 30'000'000));
    put("besu.json",
        fmt::format(R"({{"config":{{"chainId":{}}},"timestamp":"0x{:x}","difficulty":"0x1","alloc":{{}}}})", chain_id,
                    t));
    put("chainspec.json",
        fmt::format(R"({{"name":"{}","engine":{{}},"params":{{"chainID":"0x{:x}","networkID":"0x{:x}"}},)"
                    R"("genesis":{{"timestamp":"0x{:x}"}},"accounts":{{}}}})",
                    devnet_network_name, chain_id, chain_id, t));
    put("genesis_validators_root.txt", root + "\n");
    put("enodes.txt", "# devnet: no execution client, no enodes\n");
    put("bootstrap_nodes.txt", "# devnet: a single beacon node, no bootnodes\n");
    put("bootstrap_nodes.yaml", "[]\n");
    put("deposit_contract.txt", std::string(deposit_contract_address) + "\n");
    put("deposit_contract_block.txt", "0\n");
    put("deposit_contract_block_hash.txt", block_hash + "\n");
    put("nodevars_env.txt",
        fmt::format("ITERATION_NUMBER=\"{}\"\nCHAIN_ID=\"{}\"\nBOOTNODE_ENR=\"\"\nBOOTNODE_ENR_LIST=\"\"\n"
                    "BOOTNODE_ENODE=\"\"\nBOOTNODE_ENODE_LIST=\"\"\nGENESIS_TIME=\"{}\"\nGENESIS_VALROOT=\"{}\"\n"
                    "GENESIS_BLOCK=\"{}\"\n",
                    request.iteration, chain_id, genesis_time, root, block_hash));
    return release;
}

}  // namespace ephemery::devnet
