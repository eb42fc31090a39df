#include "beacon/client.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

namespace ephemery::beacon {
namespace {

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

std::vector<std::string> as_strings(const std::vector<std::uint64_t>& numbers) {
    std::vector<std::string> out;
    out.reserve(numbers.size());
    for (const auto number : numbers) out.push_back(std::to_string(number));
    return out;
}

}  // namespace

BeaconClient::BeaconClient(std::string base_url, HttpSettings settings)
    : base_url_(without_trailing_slash(std::move(base_url))), settings_(settings) {}

void BeaconClient::record(const HttpResponse& response) {
    if (response.cancelled) return;
    ++stats_.requests;
    stats_.last_latency = response.elapsed;
    stats_.total_latency += response.elapsed;
    if (response.transport_failed() || response.status < 200 || response.status >= 300) {
        ++stats_.failures;
        stats_.last_error = response.describe_failure();
    }
}

Result<std::string> BeaconClient::checked(const HttpRequest& request, const HttpResponse& response) {
    record(response);
    if (response.transport_failed()) {
        return make_error(Errc::io_error, fmt::format("{}: {}", request.url, response.error));
    }
    if (response.status == 404) {
        return make_error(Errc::not_found, fmt::format("{}: HTTP 404 (not found on this node)", request.url));
    }
    if (response.status < 200 || response.status >= 300) {
        // The node's own message, cut short: it helps ("state not available") and is not a secret.
        return make_error(Errc::io_error,
                          fmt::format("{}: HTTP {} {}", request.url, response.status, response.body.substr(0, 200)));
    }
    return response.body;
}

Result<std::string> BeaconClient::get_json(const std::string& path) {
    const auto request = get_request(base_url_ + path);
    return checked(request, perform(request, settings_));
}

Result<std::string> BeaconClient::post_json(const std::string& path, const std::string& body) {
    const auto request = post_request(base_url_ + path, body);
    return checked(request, perform(request, settings_));
}

Result<Genesis> BeaconClient::genesis() {
    auto body = get_json("/eth/v1/beacon/genesis");
    if (!body) return body.error();
    return parse_genesis(*body);
}

Result<std::map<std::string, std::string, std::less<>>> BeaconClient::spec() {
    auto body = get_json("/eth/v1/config/spec");
    if (!body) return body.error();
    return parse_spec(*body);
}

Result<std::string> BeaconClient::version() {
    auto body = get_json("/eth/v1/node/version");
    if (!body) return body.error();
    return parse_node_version(*body);
}

Result<SyncStatus> BeaconClient::syncing() {
    auto body = get_json("/eth/v1/node/syncing");
    if (!body) return body.error();
    return parse_sync_status(*body);
}

Result<Health> BeaconClient::health() {
    const auto request = get_request(base_url_ + "/eth/v1/node/health");
    const auto response = perform(request, settings_);
    record(response);
    if (response.transport_failed())
        return make_error(Errc::io_error, fmt::format("{}: {}", request.url, response.error));
    if (response.status == 200) return Health::ready;
    if (response.status == 206) return Health::syncing;
    return Health::not_ready;
}

Result<PeerCount> BeaconClient::peer_count() {
    auto body = get_json("/eth/v1/node/peer_count");
    if (!body) return body.error();
    return parse_peer_count(*body);
}

Result<BlockHeader> BeaconClient::header(const std::string& block_id) {
    auto body = get_json("/eth/v1/beacon/headers/" + block_id);
    if (!body) return body.error();
    return parse_block_header(*body);
}

Result<Root> BeaconClient::block_root(const std::string& block_id) {
    auto body = get_json("/eth/v1/beacon/blocks/" + block_id + "/root");
    if (!body) return body.error();
    return parse_block_root(*body);
}

Result<FinalityCheckpoints> BeaconClient::finality_checkpoints(const std::string& state_id) {
    auto body = get_json("/eth/v1/beacon/states/" + state_id + "/finality_checkpoints");
    if (!body) return body.error();
    return parse_finality_checkpoints(*body);
}

Result<std::string> BeaconClient::ids_request(const std::string& path, const std::string& key,
                                              const std::vector<std::string>& ids) {
    // POST {"ids": [...]} is the current form; nodes from before it answer 404/405, then GET with a query.
    const std::string body = nlohmann::json{{key, ids}}.dump();
    auto posted = post_json(path, body);
    if (posted ||
        (posted.error().code != Errc::not_found && posted.error().message.find("HTTP 405") == std::string::npos)) {
        return posted;
    }
    if (ids.empty()) return get_json(path);
    auto got = get_json(path + "?" + array_query("id", ids, array_style_));
    if (!got && got.error().message.find("HTTP 400") != std::string::npos) {
        // Some nodes take only the other array form: switch and remember.
        array_style_ = array_style_ == ArrayStyle::comma ? ArrayStyle::repeated : ArrayStyle::comma;
        got = get_json(path + "?" + array_query("id", ids, array_style_));
    }
    return got;
}

Result<std::vector<ValidatorInfo>> BeaconClient::validators(const std::string& state_id,
                                                            const std::vector<std::string>& ids) {
    auto body = ids_request("/eth/v1/beacon/states/" + state_id + "/validators", "ids", ids);
    if (!body) return body.error();
    return parse_validators(*body);
}

Result<std::vector<Balance>> BeaconClient::balances(const std::string& state_id, const std::vector<std::string>& ids) {
    auto body = ids_request("/eth/v1/beacon/states/" + state_id + "/validator_balances", "ids", ids);
    if (!body) return body.error();
    return parse_balances(*body);
}

Result<std::vector<AttesterDuty>> BeaconClient::attester_duties(std::uint64_t epoch,
                                                                const std::vector<std::uint64_t>& indices) {
    auto body = post_json(fmt::format("/eth/v1/validator/duties/attester/{}", epoch),
                          nlohmann::json(as_strings(indices)).dump());
    if (!body) return body.error();
    return parse_attester_duties(*body);
}

Result<std::vector<ProposerDuty>> BeaconClient::proposer_duties(std::uint64_t epoch) {
    auto body = get_json(fmt::format("/eth/v1/validator/duties/proposer/{}", epoch));
    if (!body) return body.error();
    return parse_proposer_duties(*body);
}

Result<std::vector<Liveness>> BeaconClient::liveness(std::uint64_t epoch, const std::vector<std::uint64_t>& indices) {
    auto body =
        post_json(fmt::format("/eth/v1/validator/liveness/{}", epoch), nlohmann::json(as_strings(indices)).dump());
    if (!body && (body.error().code == Errc::not_found || body.error().message.find("HTTP 405") != std::string::npos)) {
        // The draft form before the POST one (Lodestar before 1.8 serves only this).
        body = get_json(fmt::format("/eth/v1/validator/liveness?epoch={}&{}", epoch,
                                    array_query("indices", as_strings(indices), ArrayStyle::repeated)));
    }
    if (!body) return body.error();
    return parse_liveness(*body);
}

Result<std::vector<Committee>> BeaconClient::committees(const std::string& state_id, std::uint64_t epoch) {
    auto body = get_json(fmt::format("/eth/v1/beacon/states/{}/committees?epoch={}", state_id, epoch));
    if (!body) return body.error();
    return parse_committees(*body);
}

Result<std::vector<AttestationReward>> BeaconClient::attestation_rewards(std::uint64_t epoch,
                                                                         const std::vector<std::uint64_t>& indices) {
    auto body = post_json(fmt::format("/eth/v1/beacon/rewards/attestations/{}", epoch),
                          nlohmann::json(as_strings(indices)).dump());
    if (!body) return body.error();
    return parse_attestation_rewards(*body);
}

HttpRequest BeaconClient::state_request(const std::string& state_id, const std::filesystem::path& destination) const {
    return ssz_download_request(base_url_ + "/eth/v2/debug/beacon/states/" + state_id, destination);
}

HttpRequest BeaconClient::block_request(const std::string& block_id, const std::filesystem::path& destination) const {
    return ssz_download_request(base_url_ + "/eth/v2/beacon/blocks/" + block_id, destination);
}

Result<SszDownload> BeaconClient::download(const HttpRequest& request, bool json_allowed) {
    const auto response = perform(request, settings_);
    if (auto ok = checked(request, response); !ok) return ok.error();
    const bool json = response.content_type.find("json") != std::string::npos;
    if (json && !json_allowed) {
        return make_error(Errc::unsupported,
                          fmt::format("{}: the node answered JSON, not SSZ (application/octet-stream)", request.url));
    }
    return SszDownload{.bytes = response.bytes,
                       .json = json,
                       .consensus_version = response.consensus_version,
                       .elapsed = response.elapsed};
}

Result<SszDownload> BeaconClient::download_state(const std::string& state_id,
                                                 const std::filesystem::path& destination) {
    return download(state_request(state_id, destination), false);
}

Result<SszDownload> BeaconClient::download_block(const std::string& block_id,
                                                 const std::filesystem::path& destination) {
    return download(block_request(block_id, destination), true);
}

// --- execution JSON-RPC ---

Result<std::uint64_t> parse_quantity(std::string_view text) {
    if (text.size() < 3 || text.size() > 18 || text.substr(0, 2) != "0x") {
        return make_error(Errc::parse_error,
                          fmt::format("JSON-RPC: \"{}\" is not a 0x-hex quantity", text.substr(0, 40)));
    }
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [stop, code] = std::from_chars(text.data() + 2, end, value, 16);
    if (code != std::errc{} || stop != end) {
        return make_error(Errc::parse_error,
                          fmt::format("JSON-RPC: \"{}\" is not a 0x-hex quantity", text.substr(0, 40)));
    }
    return value;
}

Result<std::string> parse_rpc_result(std::string_view json_text) {
    auto document = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        return make_error(Errc::parse_error, "JSON-RPC answer is not a JSON object");
    }
    if (auto error = document.find("error"); error != document.end() && !error->is_null()) {
        const auto message = error->is_object() && error->contains("message") && (*error)["message"].is_string()
                                 ? (*error)["message"].get<std::string>()
                                 : error->dump();
        return make_error(Errc::io_error, fmt::format("JSON-RPC error: {}", message.substr(0, 200)));
    }
    auto result = document.find("result");
    if (result == document.end()) return make_error(Errc::parse_error, "JSON-RPC answer has no `result`");
    return result->dump();
}

Result<ExecutionSyncing> parse_execution_syncing(std::string_view result_json) {
    auto result = nlohmann::json::parse(result_json.begin(), result_json.end(), nullptr, false);
    if (result.is_boolean() && !result.get<bool>()) return ExecutionSyncing{};
    if (!result.is_object()) return make_error(Errc::parse_error, "eth_syncing: result is neither false nor an object");
    ExecutionSyncing syncing{.syncing = true};
    for (const auto& [name, target] :
         {std::pair{"currentBlock", &syncing.current_block}, std::pair{"highestBlock", &syncing.highest_block}}) {
        auto found = result.find(name);
        if (found == result.end() || !found->is_string()) {
            return make_error(Errc::parse_error, fmt::format("eth_syncing: `{}` is missing or not a string", name));
        }
        auto value = parse_quantity(found->get<std::string>());
        if (!value) return value.error();
        *target = *value;
    }
    return syncing;
}

ExecutionClient::ExecutionClient(std::string url, HttpSettings settings) : url_(std::move(url)), settings_(settings) {}

Result<std::string> ExecutionClient::call(const std::string& method) {
    const std::string body = nlohmann::json{
        {"jsonrpc", "2.0"},
        {"method", method},
        {"params", nlohmann::json::array()},
        {"id", next_id_++}}.dump();
    const auto request = post_request(url_, body);
    const auto response = perform(request, settings_);
    ++stats_.requests;
    stats_.last_latency = response.elapsed;
    stats_.total_latency += response.elapsed;
    if (response.transport_failed() || response.status != 200) {
        ++stats_.failures;
        stats_.last_error = response.describe_failure();
        return make_error(Errc::io_error, fmt::format("{} {}: {}", url_, method, response.describe_failure()));
    }
    return parse_rpc_result(response.body);
}

namespace {
Result<std::uint64_t> quantity_result(Result<std::string> result) {
    if (!result) return result.error();
    auto value = nlohmann::json::parse(*result, nullptr, false);
    if (!value.is_string()) return make_error(Errc::parse_error, "JSON-RPC: result is not a quantity string");
    return parse_quantity(value.get<std::string>());
}
}  // namespace

Result<std::uint64_t> ExecutionClient::chain_id() {
    return quantity_result(call("eth_chainId"));
}

Result<ExecutionSyncing> ExecutionClient::syncing() {
    auto result = call("eth_syncing");
    if (!result) return result.error();
    return parse_execution_syncing(*result);
}

Result<std::uint64_t> ExecutionClient::block_number() {
    return quantity_result(call("eth_blockNumber"));
}

Result<std::uint64_t> ExecutionClient::peer_count() {
    return quantity_result(call("net_peerCount"));
}

}  // namespace ephemery::beacon
