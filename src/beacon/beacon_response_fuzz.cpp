// Every Beacon API and JSON-RPC answer parser, and the event stream parser, on the same untrusted bytes: none
// may crash or hang.
#include "beacon/client.hpp"
#include "beacon/events.hpp"
#include "beacon/types.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    using namespace ephemery::beacon;
    (void)parse_genesis(text);
    (void)parse_finality_checkpoints(text);
    (void)parse_block_header(text);
    (void)parse_block_root(text);
    (void)parse_sync_status(text);
    (void)parse_peer_count(text);
    (void)parse_node_version(text);
    (void)parse_spec(text);
    (void)parse_validators(text);
    (void)parse_balances(text);
    (void)parse_attester_duties(text);
    (void)parse_proposer_duties(text);
    (void)parse_liveness(text);
    (void)parse_attestation_rewards(text);
    (void)parse_committees(text);
    (void)parse_rpc_result(text);
    (void)parse_execution_syncing(text);
    (void)parse_quantity(text);
    // The event stream framing, fed in two pieces split at an input-chosen point.
    std::size_t dispatched = 0;
    SseParser parser([&dispatched](const Event&) { ++dispatched; }, 256);
    const std::size_t split = size == 0 ? 0 : data[0] % size;
    parser.feed(text.substr(0, split));
    parser.feed(text.substr(split));
    return 0;
}
