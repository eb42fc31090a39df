#include "ssz/beacon.hpp"

#include "core/text.hpp"
#include "ssz/codec.hpp"

#include <charconv>
#include <string>
#include <utility>
#include <vector>

namespace ephemery::ssz {
namespace {

constexpr std::array<std::string_view, fork_count> fork_names = {"phase0", "altair",  "bellatrix", "capella",
                                                                 "deneb",  "electra", "fulu"};
constexpr std::array<std::string_view, fork_count> fork_epoch_keys = {"",
                                                                      "ALTAIR_FORK_EPOCH",
                                                                      "BELLATRIX_FORK_EPOCH",
                                                                      "CAPELLA_FORK_EPOCH",
                                                                      "DENEB_FORK_EPOCH",
                                                                      "ELECTRA_FORK_EPOCH",
                                                                      "FULU_FORK_EPOCH"};

bool at_least(ForkName fork, ForkName since) {
    return static_cast<int>(fork) >= static_cast<int>(since);
}

ConsensusPreset mainnet() {
    return ConsensusPreset{
        .name = "mainnet",
        .max_committees_per_slot = 64,
        .max_validators_per_committee = 2048,
        .slots_per_epoch = 32,
        .min_seed_lookahead = 1,
        .epochs_per_eth1_voting_period = 64,
        .slots_per_historical_root = 8192,
        .epochs_per_historical_vector = 65536,
        .epochs_per_slashings_vector = 8192,
        .historical_roots_limit = std::uint64_t{1} << 24U,
        .validator_registry_limit = std::uint64_t{1} << 40U,
        .max_proposer_slashings = 16,
        .max_attester_slashings = 2,
        .max_attestations = 128,
        .max_deposits = 16,
        .max_voluntary_exits = 16,
        .deposit_contract_tree_depth = 32,
        .sync_committee_size = 512,
        .max_bytes_per_transaction = std::uint64_t{1} << 30U,
        .max_transactions_per_payload = std::uint64_t{1} << 20U,
        .bytes_per_logs_bloom = 256,
        .max_extra_data_bytes = 32,
        .max_bls_to_execution_changes = 16,
        .max_withdrawals_per_payload = 16,
        .max_blob_commitments_per_block = 4096,
        .pending_deposits_limit = std::uint64_t{1} << 27U,
        .pending_partial_withdrawals_limit = std::uint64_t{1} << 27U,
        .pending_consolidations_limit = std::uint64_t{1} << 18U,
        .max_attester_slashings_electra = 1,
        .max_attestations_electra = 8,
        .max_deposit_requests_per_payload = 8192,
        .max_withdrawal_requests_per_payload = 16,
        .max_consolidation_requests_per_payload = 2,
    };
}

// Differs from mainnet where presets/minimal/*.yaml says "[customized]".
ConsensusPreset minimal() {
    ConsensusPreset preset = mainnet();
    preset.name = "minimal";
    preset.max_committees_per_slot = 4;
    preset.slots_per_epoch = 8;
    preset.epochs_per_eth1_voting_period = 4;
    preset.slots_per_historical_root = 64;
    preset.epochs_per_historical_vector = 64;
    preset.epochs_per_slashings_vector = 64;
    preset.sync_committee_size = 32;
    preset.max_withdrawals_per_payload = 4;
    preset.pending_partial_withdrawals_limit = 64;
    preset.pending_consolidations_limit = 64;
    return preset;
}

// ---- schemas --------------------------------------------------------------------------------------------------

// The building blocks shared by every fork's schema.
struct Basics {
    TypePtr uint8 = uint_type(1);
    TypePtr uint64 = uint_type(8);
    TypePtr uint256 = uint_type(32);
    TypePtr boolean = boolean_type();
    TypePtr bytes4 = byte_vector_type(4);
    TypePtr bytes20 = byte_vector_type(20);
    TypePtr bytes32 = byte_vector_type(32);
    TypePtr bytes48 = byte_vector_type(48);
    TypePtr bytes96 = byte_vector_type(96);
};

class SchemaBuilder {
  public:
    SchemaBuilder(ForkName fork, const ConsensusPreset& preset) : fork_(fork), p_(preset) {}

    BeaconSchemas build() {
        const auto body = beacon_block_body();
        const auto block = container_type("BeaconBlock", {{"slot", b_.uint64},
                                                          {"proposer_index", b_.uint64},
                                                          {"parent_root", b_.bytes32},
                                                          {"state_root", b_.bytes32},
                                                          {"body", body}});
        const auto signed_block = container_type("SignedBeaconBlock", {{"message", block}, {"signature", b_.bytes96}});
        return BeaconSchemas{.beacon_state = beacon_state(),
                             .signed_beacon_block = signed_block,
                             .beacon_block = block,
                             .beacon_block_body = body};
    }

  private:
    [[nodiscard]] bool since(ForkName since) const { return at_least(fork_, since); }

    TypePtr checkpoint() { return container_type("Checkpoint", {{"epoch", b_.uint64}, {"root", b_.bytes32}}); }
    TypePtr beacon_block_header() {
        return container_type("BeaconBlockHeader", {{"slot", b_.uint64},
                                                    {"proposer_index", b_.uint64},
                                                    {"parent_root", b_.bytes32},
                                                    {"state_root", b_.bytes32},
                                                    {"body_root", b_.bytes32}});
    }
    TypePtr eth1_data() {
        return container_type("Eth1Data",
                              {{"deposit_root", b_.bytes32}, {"deposit_count", b_.uint64}, {"block_hash", b_.bytes32}});
    }
    TypePtr attestation_data() {
        const auto check = checkpoint();
        return container_type("AttestationData", {{"slot", b_.uint64},
                                                  {"index", b_.uint64},
                                                  {"beacon_block_root", b_.bytes32},
                                                  {"source", check},
                                                  {"target", check}});
    }
    // Electra widened attestations to every committee of a slot (EIP-7549).
    [[nodiscard]] std::uint64_t attesting_limit() const {
        return since(ForkName::electra) ? p_.max_validators_per_committee * p_.max_committees_per_slot
                                        : p_.max_validators_per_committee;
    }
    TypePtr indexed_attestation() {
        return container_type("IndexedAttestation", {{"attesting_indices", list_type(b_.uint64, attesting_limit())},
                                                     {"data", attestation_data()},
                                                     {"signature", b_.bytes96}});
    }
    TypePtr attestation() {
        std::vector<Field> fields = {{"aggregation_bits", bitlist_type(attesting_limit())},
                                     {"data", attestation_data()},
                                     {"signature", b_.bytes96}};
        if (since(ForkName::electra)) fields.push_back({"committee_bits", bitvector_type(p_.max_committees_per_slot)});
        return container_type("Attestation", std::move(fields));
    }
    TypePtr validator() {
        return container_type("Validator", {{"pubkey", b_.bytes48},
                                            {"withdrawal_credentials", b_.bytes32},
                                            {"effective_balance", b_.uint64},
                                            {"slashed", b_.boolean},
                                            {"activation_eligibility_epoch", b_.uint64},
                                            {"activation_epoch", b_.uint64},
                                            {"exit_epoch", b_.uint64},
                                            {"withdrawable_epoch", b_.uint64}});
    }
    TypePtr sync_committee() {
        return container_type("SyncCommittee", {{"pubkeys", vector_type(b_.bytes48, p_.sync_committee_size)},
                                                {"aggregate_pubkey", b_.bytes48}});
    }

    // Bellatrix's ExecutionPayload (`header` false) or ExecutionPayloadHeader, grown by later forks.
    TypePtr execution_payload(bool header) {
        std::vector<Field> fields = {{"parent_hash", b_.bytes32},
                                     {"fee_recipient", b_.bytes20},
                                     {"state_root", b_.bytes32},
                                     {"receipts_root", b_.bytes32},
                                     {"logs_bloom", byte_vector_type(p_.bytes_per_logs_bloom)},
                                     {"prev_randao", b_.bytes32},
                                     {"block_number", b_.uint64},
                                     {"gas_limit", b_.uint64},
                                     {"gas_used", b_.uint64},
                                     {"timestamp", b_.uint64},
                                     {"extra_data", byte_list_type(p_.max_extra_data_bytes)},
                                     {"base_fee_per_gas", b_.uint256},
                                     {"block_hash", b_.bytes32}};
        if (header) {
            fields.push_back({"transactions_root", b_.bytes32});
        } else {
            fields.push_back({"transactions", list_type(byte_list_type(p_.max_bytes_per_transaction),
                                                        p_.max_transactions_per_payload)});
        }
        if (since(ForkName::capella)) {
            if (header) {
                fields.push_back({"withdrawals_root", b_.bytes32});
            } else {
                const auto withdrawal = container_type("Withdrawal", {{"index", b_.uint64},
                                                                      {"validator_index", b_.uint64},
                                                                      {"address", b_.bytes20},
                                                                      {"amount", b_.uint64}});
                fields.push_back({"withdrawals", list_type(withdrawal, p_.max_withdrawals_per_payload)});
            }
        }
        if (since(ForkName::deneb)) {
            fields.push_back({"blob_gas_used", b_.uint64});
            fields.push_back({"excess_blob_gas", b_.uint64});
        }
        return container_type(header ? "ExecutionPayloadHeader" : "ExecutionPayload", std::move(fields));
    }

    TypePtr execution_requests() {
        const auto deposit_request = container_type("DepositRequest", {{"pubkey", b_.bytes48},
                                                                       {"withdrawal_credentials", b_.bytes32},
                                                                       {"amount", b_.uint64},
                                                                       {"signature", b_.bytes96},
                                                                       {"index", b_.uint64}});
        const auto withdrawal_request =
            container_type("WithdrawalRequest",
                           {{"source_address", b_.bytes20}, {"validator_pubkey", b_.bytes48}, {"amount", b_.uint64}});
        const auto consolidation_request = container_type(
            "ConsolidationRequest",
            {{"source_address", b_.bytes20}, {"source_pubkey", b_.bytes48}, {"target_pubkey", b_.bytes48}});
        return container_type(
            "ExecutionRequests",
            {{"deposits", list_type(deposit_request, p_.max_deposit_requests_per_payload)},
             {"withdrawals", list_type(withdrawal_request, p_.max_withdrawal_requests_per_payload)},
             {"consolidations", list_type(consolidation_request, p_.max_consolidation_requests_per_payload)}});
    }

    TypePtr beacon_block_body() {
        const auto signed_header =
            container_type("SignedBeaconBlockHeader", {{"message", beacon_block_header()}, {"signature", b_.bytes96}});
        const auto proposer_slashing = container_type(
            "ProposerSlashing", {{"signed_header_1", signed_header}, {"signed_header_2", signed_header}});
        const auto indexed = indexed_attestation();
        const auto attester_slashing =
            container_type("AttesterSlashing", {{"attestation_1", indexed}, {"attestation_2", indexed}});
        const auto deposit_data = container_type("DepositData", {{"pubkey", b_.bytes48},
                                                                 {"withdrawal_credentials", b_.bytes32},
                                                                 {"amount", b_.uint64},
                                                                 {"signature", b_.bytes96}});
        const auto deposit = container_type(
            "Deposit",
            {{"proof", vector_type(b_.bytes32, p_.deposit_contract_tree_depth + 1)}, {"data", deposit_data}});
        const auto voluntary_exit =
            container_type("VoluntaryExit", {{"epoch", b_.uint64}, {"validator_index", b_.uint64}});
        const auto signed_voluntary_exit =
            container_type("SignedVoluntaryExit", {{"message", voluntary_exit}, {"signature", b_.bytes96}});
        const bool electra = since(ForkName::electra);

        std::vector<Field> fields = {
            {"randao_reveal", b_.bytes96},
            {"eth1_data", eth1_data()},
            {"graffiti", b_.bytes32},
            {"proposer_slashings", list_type(proposer_slashing, p_.max_proposer_slashings)},
            {"attester_slashings",
             list_type(attester_slashing, electra ? p_.max_attester_slashings_electra : p_.max_attester_slashings)},
            {"attestations", list_type(attestation(), electra ? p_.max_attestations_electra : p_.max_attestations)},
            {"deposits", list_type(deposit, p_.max_deposits)},
            {"voluntary_exits", list_type(signed_voluntary_exit, p_.max_voluntary_exits)}};
        if (since(ForkName::altair)) {
            fields.push_back(
                {"sync_aggregate",
                 container_type("SyncAggregate", {{"sync_committee_bits", bitvector_type(p_.sync_committee_size)},
                                                  {"sync_committee_signature", b_.bytes96}})});
        }
        if (since(ForkName::bellatrix)) fields.push_back({"execution_payload", execution_payload(false)});
        if (since(ForkName::capella)) {
            const auto change = container_type("BLSToExecutionChange", {{"validator_index", b_.uint64},
                                                                        {"from_bls_pubkey", b_.bytes48},
                                                                        {"to_execution_address", b_.bytes20}});
            const auto signed_change =
                container_type("SignedBLSToExecutionChange", {{"message", change}, {"signature", b_.bytes96}});
            fields.push_back({"bls_to_execution_changes", list_type(signed_change, p_.max_bls_to_execution_changes)});
        }
        if (since(ForkName::deneb)) {
            fields.push_back({"blob_kzg_commitments", list_type(b_.bytes48, p_.max_blob_commitments_per_block)});
        }
        if (electra) fields.push_back({"execution_requests", execution_requests()});
        return container_type("BeaconBlockBody", std::move(fields));
    }

    TypePtr beacon_state() {
        const auto roots_vector = vector_type(b_.bytes32, p_.slots_per_historical_root);
        const auto registry_uint64s = list_type(b_.uint64, p_.validator_registry_limit);
        const auto check = checkpoint();
        std::vector<Field> fields = {
            {"genesis_time", b_.uint64},
            {"genesis_validators_root", b_.bytes32},
            {"slot", b_.uint64},
            {"fork",
             container_type("Fork",
                            {{"previous_version", b_.bytes4}, {"current_version", b_.bytes4}, {"epoch", b_.uint64}})},
            {"latest_block_header", beacon_block_header()},
            {"block_roots", roots_vector},
            {"state_roots", roots_vector},
            {"historical_roots", list_type(b_.bytes32, p_.historical_roots_limit)},
            {"eth1_data", eth1_data()},
            {"eth1_data_votes", list_type(eth1_data(), p_.epochs_per_eth1_voting_period * p_.slots_per_epoch)},
            {"eth1_deposit_index", b_.uint64},
            {"validators", list_type(validator(), p_.validator_registry_limit)},
            {"balances", registry_uint64s},
            {"randao_mixes", vector_type(b_.bytes32, p_.epochs_per_historical_vector)},
            {"slashings", vector_type(b_.uint64, p_.epochs_per_slashings_vector)}};
        if (since(ForkName::altair)) {
            const auto participation = list_type(b_.uint8, p_.validator_registry_limit);
            fields.push_back({"previous_epoch_participation", participation});
            fields.push_back({"current_epoch_participation", participation});
        } else {
            const auto pending = container_type("PendingAttestation",
                                                {{"aggregation_bits", bitlist_type(p_.max_validators_per_committee)},
                                                 {"data", attestation_data()},
                                                 {"inclusion_delay", b_.uint64},
                                                 {"proposer_index", b_.uint64}});
            const auto pending_list = list_type(pending, p_.max_attestations * p_.slots_per_epoch);
            fields.push_back({"previous_epoch_attestations", pending_list});
            fields.push_back({"current_epoch_attestations", pending_list});
        }
        fields.push_back({"justification_bits", bitvector_type(4)});
        fields.push_back({"previous_justified_checkpoint", check});
        fields.push_back({"current_justified_checkpoint", check});
        fields.push_back({"finalized_checkpoint", check});
        if (since(ForkName::altair)) {
            const auto committee = sync_committee();
            fields.push_back({"inactivity_scores", registry_uint64s});
            fields.push_back({"current_sync_committee", committee});
            fields.push_back({"next_sync_committee", committee});
        }
        if (since(ForkName::bellatrix)) fields.push_back({"latest_execution_payload_header", execution_payload(true)});
        if (since(ForkName::capella)) {
            fields.push_back({"next_withdrawal_index", b_.uint64});
            fields.push_back({"next_withdrawal_validator_index", b_.uint64});
            const auto summary = container_type(
                "HistoricalSummary", {{"block_summary_root", b_.bytes32}, {"state_summary_root", b_.bytes32}});
            fields.push_back({"historical_summaries", list_type(summary, p_.historical_roots_limit)});
        }
        if (since(ForkName::electra)) {
            for (const char* name :
                 {"deposit_requests_start_index", "deposit_balance_to_consume", "exit_balance_to_consume",
                  "earliest_exit_epoch", "consolidation_balance_to_consume", "earliest_consolidation_epoch"}) {
                fields.push_back({name, b_.uint64});
            }
            const auto pending_deposit = container_type("PendingDeposit", {{"pubkey", b_.bytes48},
                                                                           {"withdrawal_credentials", b_.bytes32},
                                                                           {"amount", b_.uint64},
                                                                           {"signature", b_.bytes96},
                                                                           {"slot", b_.uint64}});
            const auto pending_withdrawal = container_type(
                "PendingPartialWithdrawal",
                {{"validator_index", b_.uint64}, {"amount", b_.uint64}, {"withdrawable_epoch", b_.uint64}});
            const auto pending_consolidation =
                container_type("PendingConsolidation", {{"source_index", b_.uint64}, {"target_index", b_.uint64}});
            fields.push_back({"pending_deposits", list_type(pending_deposit, p_.pending_deposits_limit)});
            fields.push_back(
                {"pending_partial_withdrawals", list_type(pending_withdrawal, p_.pending_partial_withdrawals_limit)});
            fields.push_back(
                {"pending_consolidations", list_type(pending_consolidation, p_.pending_consolidations_limit)});
        }
        if (since(ForkName::fulu)) {
            fields.push_back(
                {"proposer_lookahead", vector_type(b_.uint64, (p_.min_seed_lookahead + 1) * p_.slots_per_epoch)});
        }
        return container_type("BeaconState", std::move(fields));
    }

    ForkName fork_;
    const ConsensusPreset& p_;
    Basics b_;
};

Chunk read_chunk(std::span<const std::uint8_t> bytes) {
    Chunk chunk{};
    std::copy_n(bytes.begin(), chunk.size(), chunk.begin());
    return chunk;
}

std::string context(std::string_view what, ForkName fork, const ConsensusPreset& preset) {
    return std::string(what) + " (" + std::string(fork_name(fork)) + ", " + preset.name + " preset)";
}

Error with_context(const Error& error, ForkName fork, const ConsensusPreset& preset) {
    return make_error(error.code, "invalid " + context("SSZ", fork, preset) + ": " + error.message);
}

// A field of a validated container: cannot fail.
std::span<const std::uint8_t> field_bytes(const Type& container, std::span<const std::uint8_t> bytes,
                                          std::string_view name) {
    return field(container, bytes, name).value().bytes;
}

phase0::BeaconBlockHeader header_of(std::span<const std::uint8_t> bytes) {
    return phase0::BeaconBlockHeader{.slot = load_uint64(bytes.subspan(0, 8)),
                                     .proposer_index = load_uint64(bytes.subspan(8, 8)),
                                     .parent_root = read_chunk(bytes.subspan(16, 32)),
                                     .state_root = read_chunk(bytes.subspan(48, 32)),
                                     .body_root = read_chunk(bytes.subspan(80, 32))};
}

}  // namespace

std::string_view fork_name(ForkName fork) noexcept {
    return fork_names.at(static_cast<std::size_t>(fork));
}

std::optional<ForkName> parse_fork_name(std::string_view name) noexcept {
    for (std::size_t i = 0; i < fork_count; ++i) {
        const auto known = fork_names.at(i);
        if (name.size() != known.size()) continue;
        bool same = true;
        for (std::size_t c = 0; c < name.size() && same; ++c) {
            const char lowered = (name[c] >= 'A' && name[c] <= 'Z') ? static_cast<char>(name[c] - 'A' + 'a') : name[c];
            same = lowered == known[c];
        }
        if (same) return static_cast<ForkName>(i);
    }
    return std::nullopt;
}

Result<ForkSchedule> fork_schedule_from_config(const std::map<std::string, std::string, std::less<>>& config) {
    ForkSchedule schedule;
    schedule.epochs[0] = 0;
    for (std::size_t i = 1; i < fork_count; ++i) {
        schedule.epochs.at(i) = far_future_epoch;
        const auto found = config.find(fork_epoch_keys.at(i));
        if (found == config.end()) continue;
        const std::string_view text = trim(found->second);
        std::uint64_t epoch = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), epoch);
        if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
            return make_error(Errc::parse_error, std::string(fork_epoch_keys.at(i)) + " is '" + found->second +
                                                     "', not an epoch (a decimal number below 2^64)");
        }
        schedule.epochs.at(i) = epoch;
    }
    for (std::size_t i = 1; i < fork_count; ++i) {
        if (schedule.epochs.at(i) < schedule.epochs.at(i - 1)) {
            return make_error(Errc::invalid_argument,
                              std::string(fork_epoch_keys.at(i)) + " (" + std::to_string(schedule.epochs.at(i)) +
                                  ") is before the fork it follows (" + std::string(fork_names.at(i - 1)) + " at " +
                                  std::to_string(schedule.epochs.at(i - 1)) + ")");
        }
    }
    return schedule;
}

ForkName fork_at_epoch(const ForkSchedule& schedule, std::uint64_t epoch) noexcept {
    std::size_t active = 0;
    for (std::size_t i = 1; i < fork_count; ++i) {
        if (schedule.epochs.at(i) != far_future_epoch && schedule.epochs.at(i) <= epoch) active = i;
    }
    return static_cast<ForkName>(active);
}

std::optional<ConsensusPreset> preset_by_name(std::string_view name) {
    const std::string lowered = to_lower(name);
    if (lowered == "mainnet") return mainnet();
    if (lowered == "minimal") return minimal();
    return std::nullopt;
}

BeaconSchemas beacon_schemas(ForkName fork, const ConsensusPreset& preset) {
    return SchemaBuilder(fork, preset).build();
}

Result<std::uint64_t> peek_state_slot(std::span<const std::uint8_t> state) {
    constexpr std::size_t slot_at = 40;  // after genesis_time (8) and genesis_validators_root (32)
    if (state.size() < slot_at + 8) {
        return make_error(Errc::parse_error, "BeaconState is " + std::to_string(state.size()) +
                                                 " bytes, too short to hold its slot (bytes 40..48)");
    }
    return load_uint64(state.subspan(slot_at, 8));
}

Result<std::uint64_t> peek_signed_block_slot(std::span<const std::uint8_t> signed_block) {
    constexpr std::size_t message_at = 4 + 96;  // the message's offset, then the signature
    if (signed_block.size() < message_at + 8) {
        return make_error(Errc::parse_error, "SignedBeaconBlock is " + std::to_string(signed_block.size()) +
                                                 " bytes, too short to hold its message's slot");
    }
    std::uint32_t offset = 0;
    for (std::size_t i = 0; i < 4; ++i) offset |= static_cast<std::uint32_t>(signed_block[i]) << (8 * i);
    if (offset != message_at) {
        return make_error(Errc::parse_error, "SignedBeaconBlock's message offset is " + std::to_string(offset) +
                                                 ", not " + std::to_string(message_at));
    }
    return load_uint64(signed_block.subspan(message_at, 8));
}

Result<StateSummary> inspect_beacon_state(std::span<const std::uint8_t> bytes, ForkName fork,
                                          const ConsensusPreset& preset) {
    const auto schemas = beacon_schemas(fork, preset);
    const Type& state = *schemas.beacon_state;
    if (auto checked = validate(state, bytes, "state"); !checked) return with_context(checked.error(), fork, preset);

    const auto finalized = field_bytes(state, bytes, "finalized_checkpoint");
    const auto validators = field(state, bytes, "validators").value();
    return StateSummary{
        .root = hash_tree_root_of_valid(state, bytes),
        .genesis_time = load_uint64(field_bytes(state, bytes, "genesis_time")),
        .genesis_validators_root = read_chunk(field_bytes(state, bytes, "genesis_validators_root")),
        .slot = load_uint64(field_bytes(state, bytes, "slot")),
        .latest_block_header = header_of(field_bytes(state, bytes, "latest_block_header")),
        .finalized_checkpoint = phase0::Checkpoint{.epoch = load_uint64(finalized.subspan(0, 8)),
                                                   .root = read_chunk(finalized.subspan(8, 32))},
        .validator_count = validators.bytes.size() / validators.type->element()->size(),
    };
}

Result<BlockSummary> inspect_signed_beacon_block(std::span<const std::uint8_t> bytes, ForkName fork,
                                                 const ConsensusPreset& preset) {
    const auto schemas = beacon_schemas(fork, preset);
    if (auto checked = validate(*schemas.signed_beacon_block, bytes, "signed_block"); !checked) {
        return with_context(checked.error(), fork, preset);
    }
    const auto message = field_bytes(*schemas.signed_beacon_block, bytes, "message");
    const Type& block = *schemas.beacon_block;
    return BlockSummary{
        .root = hash_tree_root_of_valid(block, message),
        .slot = load_uint64(field_bytes(block, message, "slot")),
        .proposer_index = load_uint64(field_bytes(block, message, "proposer_index")),
        .parent_root = read_chunk(field_bytes(block, message, "parent_root")),
        .state_root = read_chunk(field_bytes(block, message, "state_root")),
        .body_root = hash_tree_root_of_valid(*schemas.beacon_block_body, field_bytes(block, message, "body")),
    };
}

}  // namespace ephemery::ssz
