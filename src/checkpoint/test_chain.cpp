#include "checkpoint/test_chain.hpp"

#include "core/text.hpp"
#include "ssz/altair.hpp"
#include "ssz/beacon.hpp"
#include "ssz/codec.hpp"

#include <fmt/format.h>

#include <thread>

namespace ephemery::checkpoint::test_chain {
namespace {

std::string as_string(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()),
            bytes.size()};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

std::string altair_block(std::uint64_t slot, const ssz::Chunk& state_root) {
    ssz::Writer writer;
    writer.write_uint<std::uint32_t>(100);                 // offset of message
    writer.write_bytes(std::vector<std::uint8_t>(96, 0));  // signature
    writer.write_uint<std::uint64_t>(slot);
    writer.write_uint<std::uint64_t>(3);                   // proposer_index
    writer.write_bytes(std::vector<std::uint8_t>(32, 7));  // parent_root
    writer.write_bytes(state_root);
    writer.write_uint<std::uint32_t>(84);                                        // offset of body within the message
    writer.write_bytes(std::vector<std::uint8_t>(96 + 72 + 32, 0));              // randao_reveal, eth1_data, graffiti
    for (int list = 0; list < 5; ++list) writer.write_uint<std::uint32_t>(320);  // five empty operation lists
    writer.write_bytes(std::vector<std::uint8_t>(4 + 96, 0));                    // sync_aggregate
    return as_string(writer.bytes());
}

}  // namespace

Chain make_chain(std::uint8_t flavour) {
    Chain chain;
    chain.facts.config = {
        {"PRESET_BASE", "minimal"}, {"ALTAIR_FORK_EPOCH", "0"}, {"GENESIS_FORK_VERSION", "0x1000101b"}};
    chain.facts.forks = ssz::fork_schedule_from_config(chain.facts.config).value();
    chain.facts.preset = ssz::preset_by_name("minimal").value();
    chain.facts.preset_name = "minimal";
    chain.facts.slots_per_epoch = chain_slots_per_epoch;
    const auto preset = ssz::altair::minimal_preset();
    auto state = ssz::altair::default_beacon_state(preset);
    state.genesis_time = chain_genesis_time;
    state.genesis_validators_root.fill(0x42);
    state.slot = chain_finalized_epoch * chain_slots_per_epoch;
    state.balances = {32, 33, static_cast<std::uint64_t>(flavour)};
    state.validators.resize(3);
    state.previous_epoch_participation = {0, 0, 0};
    state.current_epoch_participation = {0, 0, 0};
    state.inactivity_scores = {0, 0, 0};
    chain.state = as_string(ssz::altair::serialize(state, preset).value());
    const auto state_root = ssz::altair::hash_tree_root(state, preset).value();
    chain.block = altair_block(state.slot, state_root);
    chain.block_root =
        ssz::inspect_signed_beacon_block(as_bytes(chain.block), ssz::ForkName::altair, chain.facts.preset).value().root;
    chain.gvr = state.genesis_validators_root;
    chain.facts.genesis = {.genesis_time = chain_genesis_time, .genesis_validators_root = chain.gvr};
    return chain;
}

std::unique_ptr<ephemery::test::HttpTestServer> provider(const Chain& chain, Behaviour behaviour) {
    return std::make_unique<ephemery::test::HttpTestServer>([&chain, behaviour](httplib::Server& http) {
        http.Get("/eth/v1/beacon/genesis", [&chain, behaviour](const httplib::Request&, httplib::Response& response) {
            if (behaviour.server_error) {
                response.status = 500;
                return;
            }
            const auto time =
                behaviour.stale_genesis ? chain_genesis_time - std::uint64_t{28} * 86400 : chain_genesis_time;
            auto gvr = chain.gvr;
            if (behaviour.stale_genesis) gvr[0] ^= 0xff;
            response.set_content(
                fmt::format(
                    R"({{"data":{{"genesis_time":"{}","genesis_validators_root":"{}","genesis_fork_version":"0x1000101b"}}}})",
                    time, beacon::root_hex(gvr)),
                "application/json");
        });
        http.Get("/eth/v1/beacon/states/head/finality_checkpoints", [&chain, behaviour](const httplib::Request&,
                                                                                        httplib::Response& response) {
            const Chain& reported = behaviour.other_finalized != nullptr ? *behaviour.other_finalized : chain;
            const auto checkpoint = fmt::format(R"({{"epoch":"{}","root":"{}"}})", chain_finalized_epoch,
                                                beacon::root_hex(reported.block_root));
            response.set_content(
                fmt::format(R"({{"data":{{"previous_justified":{0},"current_justified":{0},"finalized":{0}}}}})",
                            checkpoint),
                "application/json");
        });
        http.Get(R"(/eth/v2/beacon/blocks/(.+))",
                 [&chain](const httplib::Request& request, httplib::Response& response) {
                     if (request.matches[1] != beacon::root_hex(chain.block_root)) {
                         response.status = 404;
                         return;
                     }
                     response.set_header("Eth-Consensus-Version", "altair");
                     response.set_content(chain.block, "application/octet-stream");
                 });
        http.Get(R"(/eth/v2/debug/beacon/states/(.+))",
                 [&chain, behaviour](const httplib::Request&, httplib::Response& response) {
                     std::this_thread::sleep_for(behaviour.state_delay);
                     std::string state = behaviour.other_state != nullptr ? behaviour.other_state->state : chain.state;
                     if (behaviour.truncated_state) state.resize(state.size() / 2);
                     response.set_header("Eth-Consensus-Version", "altair");
                     response.set_content(state, "application/octet-stream");
                 });
    });
}

std::string config_yaml(const Chain& chain) {
    std::string yaml;
    for (const auto& [key, value] : chain.facts.config) yaml += fmt::format("{}: {}\n", key, value);
    return yaml;
}

}  // namespace ephemery::checkpoint::test_chain
