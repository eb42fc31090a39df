#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

// The client names and the roles each can play. The client catalog (data-dir layout, launch arguments,
// reset rules) grows around these in this module.
namespace ephemery::clients {

enum class Role { execution, consensus, validator };

enum class Client { geth, nethermind, besu, erigon, reth, lighthouse, prysm, teku, nimbus, lodestar, grandine };

inline constexpr std::array<std::pair<std::string_view, Role>, 3> role_names{{
    {"execution", Role::execution},
    {"consensus", Role::consensus},
    {"validator", Role::validator},
}};

inline constexpr std::array<std::pair<std::string_view, Client>, 5> execution_client_names{{
    {"geth", Client::geth},
    {"nethermind", Client::nethermind},
    {"besu", Client::besu},
    {"erigon", Client::erigon},
    {"reth", Client::reth},
}};

// Every consensus client here also ships a validator client.
inline constexpr std::array<std::pair<std::string_view, Client>, 6> consensus_client_names{{
    {"lighthouse", Client::lighthouse},
    {"prysm", Client::prysm},
    {"teku", Client::teku},
    {"nimbus", Client::nimbus},
    {"lodestar", Client::lodestar},
    {"grandine", Client::grandine},
}};

}  // namespace ephemery::clients
