#pragma once
// Test support for checkpoint sync (tests only, never in the program): a minimal-preset Altair chain finalized at
// the first slot of epoch 2 (a real state and a block committing to it), and a fake Beacon API provider of it
// that can misbehave in each of the ways checkpoint fetch must survive.

#include "beacon/types.hpp"
#include "checkpoint/verify.hpp"
#include "test_support/http_server.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace ephemery::checkpoint::test_chain {

inline constexpr std::uint64_t chain_genesis_time = 1700000000;
inline constexpr std::uint64_t chain_finalized_epoch = 2;
inline constexpr std::uint64_t chain_slots_per_epoch = 8;

struct Chain {
    std::string state;  // SSZ
    std::string block;  // SSZ SignedBeaconBlock whose state_root is the state's root
    beacon::Root block_root{};
    beacon::Root gvr{};
    NetworkFacts facts;  // the chain's config: minimal preset, Altair from genesis
};

// `flavour` changes a balance: chains of different flavours have different states and blocks, same genesis.
[[nodiscard]] Chain make_chain(std::uint8_t flavour = 0);

// The chain's config.yaml, for a release directory.
[[nodiscard]] std::string config_yaml(const Chain& chain);

// How a provider misbehaves; the default is honest.
struct Behaviour {
    bool stale_genesis{false};
    bool server_error{false};
    bool truncated_state{false};
    const Chain* other_state{nullptr};      // serves this chain's state instead
    const Chain* other_finalized{nullptr};  // reports this chain's checkpoint
    std::chrono::milliseconds state_delay{0};
};

[[nodiscard]] std::unique_ptr<ephemery::test::HttpTestServer> provider(const Chain& chain, Behaviour behaviour);

}  // namespace ephemery::checkpoint::test_chain
