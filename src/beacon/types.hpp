#pragma once
// The Beacon API answers ephemery reads (ethereum/beacon-APIs), parsed from untrusted JSON. Every parser
// checks types and formats (quoted decimal integers, 0x-hex roots) and names the field that is wrong.

#include "core/result.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::beacon {

using Root = std::array<std::uint8_t, 32>;

[[nodiscard]] std::string root_hex(const Root& root);  // 0x-prefixed lower-case hex

struct Genesis {  // GET /eth/v1/beacon/genesis
    std::uint64_t genesis_time{0};
    Root genesis_validators_root{};
    std::array<std::uint8_t, 4> genesis_fork_version{};
};

struct Checkpoint {
    std::uint64_t epoch{0};
    Root root{};
    friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

struct FinalityCheckpoints {  // GET /eth/v1/beacon/states/{state_id}/finality_checkpoints
    Checkpoint previous_justified;
    Checkpoint current_justified;
    Checkpoint finalized;
};

struct BlockHeader {  // GET /eth/v1/beacon/headers/{block_id}
    Root root{};
    bool canonical{false};
    std::uint64_t slot{0};
    std::uint64_t proposer_index{0};
    Root parent_root{};
    Root state_root{};
    Root body_root{};
};

struct SyncStatus {  // GET /eth/v1/node/syncing
    std::uint64_t head_slot{0};
    std::uint64_t sync_distance{0};
    bool is_syncing{false};
    std::optional<bool> is_optimistic;
    std::optional<bool> el_offline;
};

struct PeerCount {  // GET /eth/v1/node/peer_count
    std::uint64_t connected{0};
    std::uint64_t connecting{0};
    std::uint64_t disconnected{0};
    std::uint64_t disconnecting{0};
};

struct ValidatorInfo {  // an element of /eth/v1/beacon/states/{state_id}/validators
    std::uint64_t index{0};
    std::uint64_t balance{0};
    std::string status;  // pending_initialized, active_ongoing, ...
    std::string pubkey;  // 0x-hex, 48 bytes
    std::uint64_t effective_balance{0};
    bool slashed{false};
    std::uint64_t activation_epoch{0};
    std::uint64_t exit_epoch{0};
};

struct Balance {
    std::uint64_t index{0};
    std::uint64_t balance{0};
};

struct AttesterDuty {  // POST /eth/v1/validator/duties/attester/{epoch}
    std::string pubkey;
    std::uint64_t validator_index{0};
    std::uint64_t committee_index{0};
    std::uint64_t committee_length{0};
    std::uint64_t validator_committee_index{0};
    std::uint64_t slot{0};
};

struct ProposerDuty {  // GET /eth/v1/validator/duties/proposer/{epoch}
    std::string pubkey;
    std::uint64_t validator_index{0};
    std::uint64_t slot{0};
};

struct Liveness {  // POST /eth/v1/validator/liveness/{epoch}
    std::uint64_t index{0};
    bool is_live{false};
};

struct Committee {  // GET /eth/v1/beacon/states/{state_id}/committees
    std::uint64_t index{0};
    std::uint64_t slot{0};
    std::vector<std::uint64_t> validators;  // in aggregation-bit order
};

struct AttestationReward {  // POST /eth/v1/beacon/rewards/attestations/{epoch}: total_rewards
    std::uint64_t validator_index{0};
    std::int64_t head{0};
    std::int64_t target{0};
    std::int64_t source{0};
    std::int64_t inactivity{0};
};

// The `data` of each answer; the config/spec map keeps every value as the text the node sent.
[[nodiscard]] Result<Genesis> parse_genesis(std::string_view json);
[[nodiscard]] Result<FinalityCheckpoints> parse_finality_checkpoints(std::string_view json);
[[nodiscard]] Result<BlockHeader> parse_block_header(std::string_view json);
[[nodiscard]] Result<Root> parse_block_root(std::string_view json);
[[nodiscard]] Result<SyncStatus> parse_sync_status(std::string_view json);
[[nodiscard]] Result<PeerCount> parse_peer_count(std::string_view json);
[[nodiscard]] Result<std::string> parse_node_version(std::string_view json);
[[nodiscard]] Result<std::map<std::string, std::string, std::less<>>> parse_spec(std::string_view json);
[[nodiscard]] Result<std::vector<ValidatorInfo>> parse_validators(std::string_view json);
[[nodiscard]] Result<std::vector<Balance>> parse_balances(std::string_view json);
[[nodiscard]] Result<std::vector<AttesterDuty>> parse_attester_duties(std::string_view json);
[[nodiscard]] Result<std::vector<ProposerDuty>> parse_proposer_duties(std::string_view json);
[[nodiscard]] Result<std::vector<Liveness>> parse_liveness(std::string_view json);
[[nodiscard]] Result<std::vector<AttestationReward>> parse_attestation_rewards(std::string_view json);
[[nodiscard]] Result<std::vector<Committee>> parse_committees(std::string_view json);

// Array query parameters: beacon-APIs allow `id=1,2` and `id=1&id=2`; some clients accept only one form.
enum class ArrayStyle { comma, repeated };
[[nodiscard]] std::string array_query(std::string_view name, const std::vector<std::string>& values, ArrayStyle style);

}  // namespace ephemery::beacon
