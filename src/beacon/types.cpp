#include "beacon/types.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

namespace ephemery::beacon {
namespace {

using nlohmann::json;

Error bad_field(std::string_view path, std::string_view what) {
    return make_error(Errc::parse_error, fmt::format("Beacon API answer: `{}` {}", path, what));
}

Result<json> parse_document(std::string_view text) {
    auto document = json::parse(text.begin(), text.end(), nullptr, false);
    if (document.is_discarded()) return make_error(Errc::parse_error, "Beacon API answer is not valid JSON");
    if (!document.is_object()) return bad_field("(top level)", "is not a JSON object");
    return document;
}

// The `data` member of an answer, checked to be of the expected kind.
Result<json> data_of(std::string_view text, json::value_t kind) {
    auto document = parse_document(text);
    if (!document) return document.error();
    auto found = document->find("data");
    if (found == document->end()) return bad_field("data", "is missing");
    if (found->type() != kind) {
        return bad_field("data", kind == json::value_t::array ? "is not an array" : "is not an object");
    }
    return std::move(*found);
}

const json* member(const json& object, std::string_view name) {
    if (!object.is_object()) return nullptr;
    auto found = object.find(name);
    return found == object.end() ? nullptr : &*found;
}

Result<std::string> string_at(const json& object, std::string_view name, std::string_view path) {
    const json* value = member(object, name);
    if (value == nullptr) return bad_field(fmt::format("{}.{}", path, name), "is missing");
    if (!value->is_string()) return bad_field(fmt::format("{}.{}", path, name), "is not a string");
    return value->get<std::string>();
}

// Beacon API integers are quoted decimals; a bare JSON number is accepted too (some clients send them).
template <typename Integer>
Result<Integer> integer_of(const json* value, const std::string& field) {
    if (value == nullptr) return bad_field(field, "is missing");
    if (value->is_number_integer()) {
        if constexpr (std::is_unsigned_v<Integer>) {
            if (value->is_number_unsigned()) return value->get<Integer>();
            return bad_field(field, "is negative");
        } else {
            return value->get<Integer>();
        }
    }
    if (!value->is_string()) return bad_field(field, "is not a quoted integer");
    const auto& text = value->get_ref<const std::string&>();
    Integer parsed{};
    const auto* end = text.data() + text.size();
    const auto [stop, code] = std::from_chars(text.data(), end, parsed);
    if (code != std::errc{} || stop != end || text.empty()) {
        return bad_field(field, fmt::format("is not a decimal integer in range: \"{}\"", text.substr(0, 40)));
    }
    return parsed;
}

template <typename Integer>
Result<Integer> integer_at(const json& object, std::string_view name, std::string_view path) {
    return integer_of<Integer>(member(object, name), fmt::format("{}.{}", path, name));
}

template <std::size_t size>
Result<std::array<std::uint8_t, size>> hex_at(const json& object, std::string_view name, std::string_view path) {
    auto text = string_at(object, name, path);
    if (!text) return text.error();
    const std::string field = fmt::format("{}.{}", path, name);
    if (text->size() != 2 + 2 * size || text->rfind("0x", 0) != 0) {
        return bad_field(field, fmt::format("is not 0x followed by {} hex digits", 2 * size));
    }
    auto bytes = from_hex(std::string_view(*text).substr(2));
    if (!bytes) return bad_field(field, "has a character that is not a hex digit");
    std::array<std::uint8_t, size> out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

Result<bool> bool_at(const json& object, std::string_view name, std::string_view path) {
    const json* value = member(object, name);
    const std::string field = fmt::format("{}.{}", path, name);
    if (value == nullptr) return bad_field(field, "is missing");
    if (!value->is_boolean()) return bad_field(field, "is not true or false");
    return value->get<bool>();
}

#define EPHEMERY_TRY(target, expression)                \
    {                                                   \
        auto parsed_value = (expression);               \
        if (!parsed_value) return parsed_value.error(); \
        (target) = std::move(*parsed_value);            \
    }

Result<Checkpoint> checkpoint_at(const json& object, std::string_view name, std::string_view path) {
    const json* value = member(object, name);
    const std::string field = fmt::format("{}.{}", path, name);
    if (value == nullptr || !value->is_object()) return bad_field(field, "is missing or not an object");
    Checkpoint checkpoint;
    EPHEMERY_TRY(checkpoint.epoch, integer_at<std::uint64_t>(*value, "epoch", field));
    EPHEMERY_TRY(checkpoint.root, hex_at<32>(*value, "root", field));
    return checkpoint;
}

// Parses each element of a `data` array with `parse_one(element, path)`.
template <typename T, typename Parse>
Result<std::vector<T>> parse_array(std::string_view text, Parse parse_one) {
    auto data = data_of(text, json::value_t::array);
    if (!data) return data.error();
    std::vector<T> out;
    out.reserve(data->size());
    for (std::size_t i = 0; i < data->size(); ++i) {
        const std::string path = fmt::format("data[{}]", i);
        if (!(*data)[i].is_object()) return bad_field(path, "is not an object");
        auto element = parse_one((*data)[i], path);
        if (!element) return element.error();
        out.push_back(std::move(*element));
    }
    return out;
}

}  // namespace

std::string root_hex(const Root& root) {
    return "0x" + to_hex(root);
}

Result<Genesis> parse_genesis(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    Genesis genesis;
    EPHEMERY_TRY(genesis.genesis_time, integer_at<std::uint64_t>(*data, "genesis_time", "data"));
    EPHEMERY_TRY(genesis.genesis_validators_root, hex_at<32>(*data, "genesis_validators_root", "data"));
    EPHEMERY_TRY(genesis.genesis_fork_version, hex_at<4>(*data, "genesis_fork_version", "data"));
    return genesis;
}

Result<FinalityCheckpoints> parse_finality_checkpoints(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    FinalityCheckpoints checkpoints;
    EPHEMERY_TRY(checkpoints.previous_justified, checkpoint_at(*data, "previous_justified", "data"));
    EPHEMERY_TRY(checkpoints.current_justified, checkpoint_at(*data, "current_justified", "data"));
    EPHEMERY_TRY(checkpoints.finalized, checkpoint_at(*data, "finalized", "data"));
    return checkpoints;
}

Result<BlockHeader> parse_block_header(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    BlockHeader header;
    EPHEMERY_TRY(header.root, hex_at<32>(*data, "root", "data"));
    EPHEMERY_TRY(header.canonical, bool_at(*data, "canonical", "data"));
    const json* signed_header = member(*data, "header");
    const json* message = signed_header == nullptr ? nullptr : member(*signed_header, "message");
    if (message == nullptr || !message->is_object()) return bad_field("data.header.message", "is missing");
    const std::string_view path = "data.header.message";
    EPHEMERY_TRY(header.slot, integer_at<std::uint64_t>(*message, "slot", path));
    EPHEMERY_TRY(header.proposer_index, integer_at<std::uint64_t>(*message, "proposer_index", path));
    EPHEMERY_TRY(header.parent_root, hex_at<32>(*message, "parent_root", path));
    EPHEMERY_TRY(header.state_root, hex_at<32>(*message, "state_root", path));
    EPHEMERY_TRY(header.body_root, hex_at<32>(*message, "body_root", path));
    return header;
}

Result<Root> parse_block_root(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    return hex_at<32>(*data, "root", "data");
}

Result<SyncStatus> parse_sync_status(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    SyncStatus status;
    EPHEMERY_TRY(status.head_slot, integer_at<std::uint64_t>(*data, "head_slot", "data"));
    EPHEMERY_TRY(status.sync_distance, integer_at<std::uint64_t>(*data, "sync_distance", "data"));
    EPHEMERY_TRY(status.is_syncing, bool_at(*data, "is_syncing", "data"));
    if (member(*data, "is_optimistic") != nullptr)
        EPHEMERY_TRY(status.is_optimistic, bool_at(*data, "is_optimistic", "data"));
    if (member(*data, "el_offline") != nullptr) EPHEMERY_TRY(status.el_offline, bool_at(*data, "el_offline", "data"));
    return status;
}

Result<PeerCount> parse_peer_count(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    PeerCount count;
    EPHEMERY_TRY(count.connected, integer_at<std::uint64_t>(*data, "connected", "data"));
    EPHEMERY_TRY(count.connecting, integer_at<std::uint64_t>(*data, "connecting", "data"));
    EPHEMERY_TRY(count.disconnected, integer_at<std::uint64_t>(*data, "disconnected", "data"));
    EPHEMERY_TRY(count.disconnecting, integer_at<std::uint64_t>(*data, "disconnecting", "data"));
    return count;
}

Result<std::string> parse_node_version(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    return string_at(*data, "version", "data");
}

Result<std::map<std::string, std::string, std::less<>>> parse_spec(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    std::map<std::string, std::string, std::less<>> spec;
    for (const auto& [key, value] : data->items()) {
        // Values are strings; newer clients also send nested objects (BLOB_SCHEDULE), kept as JSON text.
        spec.emplace(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
    return spec;
}

Result<std::vector<ValidatorInfo>> parse_validators(std::string_view json_text) {
    return parse_array<ValidatorInfo>(
        json_text, [](const json& element, const std::string& path) -> Result<ValidatorInfo> {
            ValidatorInfo info;
            EPHEMERY_TRY(info.index, integer_at<std::uint64_t>(element, "index", path));
            EPHEMERY_TRY(info.balance, integer_at<std::uint64_t>(element, "balance", path));
            EPHEMERY_TRY(info.status, string_at(element, "status", path));
            const json* validator = member(element, "validator");
            const std::string inner = path + ".validator";
            if (validator == nullptr || !validator->is_object()) return bad_field(inner, "is missing");
            EPHEMERY_TRY(info.pubkey, string_at(*validator, "pubkey", inner));
            EPHEMERY_TRY(info.effective_balance, integer_at<std::uint64_t>(*validator, "effective_balance", inner));
            EPHEMERY_TRY(info.slashed, bool_at(*validator, "slashed", inner));
            EPHEMERY_TRY(info.activation_epoch, integer_at<std::uint64_t>(*validator, "activation_epoch", inner));
            EPHEMERY_TRY(info.exit_epoch, integer_at<std::uint64_t>(*validator, "exit_epoch", inner));
            return info;
        });
}

Result<std::vector<Balance>> parse_balances(std::string_view json_text) {
    return parse_array<Balance>(json_text, [](const json& element, const std::string& path) -> Result<Balance> {
        Balance balance;
        EPHEMERY_TRY(balance.index, integer_at<std::uint64_t>(element, "index", path));
        EPHEMERY_TRY(balance.balance, integer_at<std::uint64_t>(element, "balance", path));
        return balance;
    });
}

Result<std::vector<AttesterDuty>> parse_attester_duties(std::string_view json_text) {
    return parse_array<AttesterDuty>(
        json_text, [](const json& element, const std::string& path) -> Result<AttesterDuty> {
            AttesterDuty duty;
            EPHEMERY_TRY(duty.pubkey, string_at(element, "pubkey", path));
            EPHEMERY_TRY(duty.validator_index, integer_at<std::uint64_t>(element, "validator_index", path));
            EPHEMERY_TRY(duty.committee_index, integer_at<std::uint64_t>(element, "committee_index", path));
            EPHEMERY_TRY(duty.committee_length, integer_at<std::uint64_t>(element, "committee_length", path));
            EPHEMERY_TRY(duty.validator_committee_index,
                         integer_at<std::uint64_t>(element, "validator_committee_index", path));
            EPHEMERY_TRY(duty.slot, integer_at<std::uint64_t>(element, "slot", path));
            return duty;
        });
}

Result<std::vector<ProposerDuty>> parse_proposer_duties(std::string_view json_text) {
    return parse_array<ProposerDuty>(
        json_text, [](const json& element, const std::string& path) -> Result<ProposerDuty> {
            ProposerDuty duty;
            EPHEMERY_TRY(duty.pubkey, string_at(element, "pubkey", path));
            EPHEMERY_TRY(duty.validator_index, integer_at<std::uint64_t>(element, "validator_index", path));
            EPHEMERY_TRY(duty.slot, integer_at<std::uint64_t>(element, "slot", path));
            return duty;
        });
}

Result<std::vector<Liveness>> parse_liveness(std::string_view json_text) {
    return parse_array<Liveness>(json_text, [](const json& element, const std::string& path) -> Result<Liveness> {
        Liveness liveness;
        EPHEMERY_TRY(liveness.index, integer_at<std::uint64_t>(element, "index", path));
        EPHEMERY_TRY(liveness.is_live, bool_at(element, "is_live", path));
        return liveness;
    });
}

Result<std::vector<Committee>> parse_committees(std::string_view json_text) {
    return parse_array<Committee>(json_text, [](const json& element, const std::string& path) -> Result<Committee> {
        Committee committee;
        EPHEMERY_TRY(committee.index, integer_at<std::uint64_t>(element, "index", path));
        EPHEMERY_TRY(committee.slot, integer_at<std::uint64_t>(element, "slot", path));
        const json* validators = member(element, "validators");
        if (validators == nullptr || !validators->is_array()) {
            return bad_field(path + ".validators", "is missing or not an array");
        }
        committee.validators.reserve(validators->size());
        for (std::size_t i = 0; i < validators->size(); ++i) {
            auto index = integer_of<std::uint64_t>(&(*validators)[i], fmt::format("{}.validators[{}]", path, i));
            if (!index) return index.error();
            committee.validators.push_back(*index);
        }
        return committee;
    });
}

Result<std::vector<AttestationReward>> parse_attestation_rewards(std::string_view json_text) {
    auto data = data_of(json_text, json::value_t::object);
    if (!data) return data.error();
    const json* totals = member(*data, "total_rewards");
    if (totals == nullptr || !totals->is_array()) return bad_field("data.total_rewards", "is missing or not an array");
    std::vector<AttestationReward> out;
    for (std::size_t i = 0; i < totals->size(); ++i) {
        const std::string path = fmt::format("data.total_rewards[{}]", i);
        const json& element = (*totals)[i];
        if (!element.is_object()) return bad_field(path, "is not an object");
        AttestationReward reward;
        EPHEMERY_TRY(reward.validator_index, integer_at<std::uint64_t>(element, "validator_index", path));
        EPHEMERY_TRY(reward.head, integer_at<std::int64_t>(element, "head", path));
        EPHEMERY_TRY(reward.target, integer_at<std::int64_t>(element, "target", path));
        EPHEMERY_TRY(reward.source, integer_at<std::int64_t>(element, "source", path));
        if (member(element, "inactivity") != nullptr) {
            EPHEMERY_TRY(reward.inactivity, integer_at<std::int64_t>(element, "inactivity", path));
        }
        out.push_back(reward);
    }
    return out;
}

std::string array_query(std::string_view name, const std::vector<std::string>& values, ArrayStyle style) {
    std::string query;
    if (style == ArrayStyle::comma) {
        query = fmt::format("{}={}", name, fmt::join(values, ","));
    } else {
        for (const auto& value : values) {
            if (!query.empty()) query += '&';
            query += fmt::format("{}={}", name, value);
        }
    }
    return query;
}

}  // namespace ephemery::beacon
