#pragma once
// A typed Beacon API client for one node or provider (ethereum/beacon-APIs), with the provider's latency and
// error counts. Calls retry transport errors and 5xx with backoff (beacon::HttpSettings); SSZ states and blocks
// stream to disk. State and block ids are the API's: "head", "finalized", "genesis", a slot or a 0x root.

#include "beacon/http.hpp"
#include "beacon/types.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ephemery::beacon {

struct ProviderStats {
    std::uint64_t requests{0};
    std::uint64_t failures{0};  // transport errors and non-2xx answers
    std::chrono::milliseconds total_latency{0};
    std::chrono::milliseconds last_latency{0};
    std::string last_error;
};

struct SszDownload {
    std::uint64_t bytes{0};
    bool json{false};  // blocks only: the node answered JSON (Lodestar before 1.6 does); see checkpoint/json_ssz.hpp
    std::string consensus_version;  // Eth-Consensus-Version: the fork of the object
    std::chrono::milliseconds elapsed{0};
};

enum class Health { ready, syncing, not_ready };

class BeaconClient {
  public:
    // base_url: "http://127.0.0.1:5052" (a trailing slash is ignored).
    explicit BeaconClient(std::string base_url, HttpSettings settings = {});

    [[nodiscard]] const std::string& base_url() const noexcept { return base_url_; }
    [[nodiscard]] const ProviderStats& stats() const noexcept { return stats_; }

    [[nodiscard]] Result<Genesis> genesis();
    [[nodiscard]] Result<std::map<std::string, std::string, std::less<>>> spec();
    [[nodiscard]] Result<std::string> version();
    [[nodiscard]] Result<SyncStatus> syncing();
    [[nodiscard]] Result<Health> health();
    [[nodiscard]] Result<PeerCount> peer_count();
    [[nodiscard]] Result<BlockHeader> header(const std::string& block_id);
    [[nodiscard]] Result<Root> block_root(const std::string& block_id);
    [[nodiscard]] Result<FinalityCheckpoints> finality_checkpoints(const std::string& state_id);
    // ids: indices or 0x pubkeys; empty = all. POST first; GET (both array forms) for nodes without the POST.
    [[nodiscard]] Result<std::vector<ValidatorInfo>> validators(const std::string& state_id,
                                                                const std::vector<std::string>& ids);
    [[nodiscard]] Result<std::vector<Balance>> balances(const std::string& state_id,
                                                        const std::vector<std::string>& ids);
    [[nodiscard]] Result<std::vector<AttesterDuty>> attester_duties(std::uint64_t epoch,
                                                                    const std::vector<std::uint64_t>& indices);
    [[nodiscard]] Result<std::vector<ProposerDuty>> proposer_duties(std::uint64_t epoch);
    [[nodiscard]] Result<std::vector<Liveness>> liveness(std::uint64_t epoch,
                                                         const std::vector<std::uint64_t>& indices);
    // The committees of `epoch` as the state `state_id` shuffles them (its previous, current or next epoch).
    [[nodiscard]] Result<std::vector<Committee>> committees(const std::string& state_id, std::uint64_t epoch);
    [[nodiscard]] Result<std::vector<AttestationReward>> attestation_rewards(std::uint64_t epoch,
                                                                             const std::vector<std::uint64_t>& indices);
    // SSZ bodies written to `destination` as they arrive (the caller owns verification and renaming). A JSON
    // answer fails for states; for blocks it is kept and flagged.
    [[nodiscard]] Result<SszDownload> download_state(const std::string& state_id,
                                                     const std::filesystem::path& destination);
    [[nodiscard]] Result<SszDownload> download_block(const std::string& block_id,
                                                     const std::filesystem::path& destination);

    // The requests behind the downloads, for racing one resource across providers (beacon::race).
    [[nodiscard]] HttpRequest state_request(const std::string& state_id,
                                            const std::filesystem::path& destination) const;
    [[nodiscard]] HttpRequest block_request(const std::string& block_id,
                                            const std::filesystem::path& destination) const;

    // Counts a response into stats() (for transfers run outside this client, such as races).
    void record(const HttpResponse& response);

    // The body of a 2xx answer as text (retries as the typed calls; HTTP 404 is Errc::not_found), for callers
    // with their own parser (monitoring's bulk ingest).
    [[nodiscard]] Result<std::string> get_json(const std::string& path);
    [[nodiscard]] Result<std::string> post_json(const std::string& path, const std::string& body);

  private:
    [[nodiscard]] Result<std::string> checked(const HttpRequest& request, const HttpResponse& response);
    [[nodiscard]] Result<std::string> ids_request(const std::string& path, const std::string& key,
                                                  const std::vector<std::string>& ids);
    [[nodiscard]] Result<SszDownload> download(const HttpRequest& request, bool json_allowed);

    std::string base_url_;
    HttpSettings settings_;
    ProviderStats stats_;
    ArrayStyle array_style_{ArrayStyle::comma};  // switched when a node refuses one form
};

// An execution client's JSON-RPC (the calls ephemery's checks need).
struct ExecutionSyncing {
    bool syncing{false};
    std::uint64_t current_block{0};
    std::uint64_t highest_block{0};
};

class ExecutionClient {
  public:
    explicit ExecutionClient(std::string url, HttpSettings settings = {});
    [[nodiscard]] Result<std::uint64_t> chain_id();
    [[nodiscard]] Result<ExecutionSyncing> syncing();
    [[nodiscard]] Result<std::uint64_t> block_number();
    [[nodiscard]] Result<std::uint64_t> peer_count();
    [[nodiscard]] const ProviderStats& stats() const noexcept { return stats_; }

  private:
    [[nodiscard]] Result<std::string> call(const std::string& method);  // the `result` member as JSON text

    std::string url_;
    HttpSettings settings_;
    ProviderStats stats_;
    std::uint64_t next_id_{1};
};

// JSON-RPC parts, pure (fuzzed): a 0x-hex quantity, and an eth_syncing result (false or an object).
[[nodiscard]] Result<std::uint64_t> parse_quantity(std::string_view text);
[[nodiscard]] Result<std::string> parse_rpc_result(std::string_view json_text);
[[nodiscard]] Result<ExecutionSyncing> parse_execution_syncing(std::string_view result_json);

}  // namespace ephemery::beacon
