#pragma once

#include "bls/bls.hpp"
#include "core/result.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

// Deposits of new validators: withdrawal credentials for an execution address, the signed DepositData of the
// consensus specs, and the two files made from it (the deposit CLI's deposit_data JSON and the validator lines
// of an Ephemery genesis). Pure computation.
namespace ephemery::keys {

using Root = std::array<std::uint8_t, 32>;
using Domain = std::array<std::uint8_t, 32>;
using DomainType = std::array<std::uint8_t, 4>;
using ForkVersion = std::array<std::uint8_t, 4>;
using WithdrawalCredentials = std::array<std::uint8_t, 32>;

inline constexpr DomainType domain_deposit{0x03, 0x00, 0x00, 0x00};
inline constexpr std::uint64_t min_deposit_gwei = 1'000'000'000;                  // 1 ETH
inline constexpr std::uint64_t max_effective_balance_gwei = 32'000'000'000;       // 0x01 credentials
inline constexpr std::uint64_t max_compounding_balance_gwei = 2'048'000'000'000;  // 0x02 credentials (Electra)
// What deposit_data files say made them. The launchpad and checkers compare it with the deposit CLI's
// releases, so it names the version of that tool whose format these files follow.
inline constexpr std::string_view deposit_cli_format_version = "2.7.0";

// What the spelling of an execution address vouches for (EIP-55).
enum class AddressChecksum {
    absent,      // all lower or all upper case: it carries no checksum
    verified,    // mixed case, and the checksum matches
    unverified,  // mixed case, but the linked OpenSSL has no Keccak-256 to check it with
};

struct ExecutionAddress {
    std::array<std::uint8_t, 20> bytes{};
    AddressChecksum checksum{AddressChecksum::absent};
};

// "0x" and 40 hex digits. A mixed-case address must pass its EIP-55 checksum when Keccak-256 is available.
[[nodiscard]] Result<ExecutionAddress> parse_execution_address(std::string_view text);

// Whether the linked OpenSSL offers Keccak-256 ("KECCAK-256" arrived in OpenSSL 3.2; Debian 12 has 3.0).
[[nodiscard]] bool keccak256_available();

enum class WithdrawalPrefix : std::uint8_t {
    execution = 0x01,    // withdrawals to an execution address, balance capped at 32 ETH
    compounding = 0x02,  // the same, with balances up to 2048 ETH compounding (EIP-7251)
};

// prefix, 11 zero bytes, the 20-byte address.
[[nodiscard]] WithdrawalCredentials withdrawal_credentials(const ExecutionAddress& address, WithdrawalPrefix prefix);

// An amount a deposit may carry for these credentials: at least 1 ETH, at most the maximum effective balance.
[[nodiscard]] Status check_deposit_amount(std::uint64_t amount_gwei, WithdrawalPrefix prefix);

// "0x1000101b" (the 0x is optional): four bytes.
[[nodiscard]] Result<ForkVersion> parse_fork_version(std::string_view text);

struct DepositMessage {
    bls::PublicKey pubkey{};
    WithdrawalCredentials withdrawal_credentials{};
    std::uint64_t amount_gwei{0};
};

struct DepositData {
    DepositMessage message;
    bls::Signature signature{};
};

// SSZ hash_tree_root of the fixed-size containers a deposit needs. A small local merkleization, enough for
// these containers; the general SSZ module planned for checkpoint sync may replace it.
[[nodiscard]] Root hash_tree_root(const DepositMessage& message);
[[nodiscard]] Root hash_tree_root(const DepositData& deposit);

// Consensus specs: domain_type + hash_tree_root(ForkData{fork_version, genesis_validators_root})[:28].
[[nodiscard]] Domain compute_domain(const DomainType& domain_type, const ForkVersion& fork_version,
                                    const Root& genesis_validators_root);
// hash_tree_root(SigningData{object_root, domain}).
[[nodiscard]] Root compute_signing_root(const Root& object_root, const Domain& domain);

// Deposits are valid before genesis and across forks: DOMAIN_DEPOSIT with the network's GENESIS_FORK_VERSION
// and a zero genesis_validators_root.
[[nodiscard]] Domain deposit_domain(const ForkVersion& genesis_fork_version);

[[nodiscard]] DepositData sign_deposit(const bls::SecretKey& key, const DepositMessage& message,
                                       const ForkVersion& genesis_fork_version);
// True when the signature is the pubkey's over the message for this network.
[[nodiscard]] bool verify_deposit(const DepositData& deposit, const ForkVersion& genesis_fork_version);

// The deposit CLI's deposit_data-<time>.json: an array of {pubkey, withdrawal_credentials, amount, signature,
// deposit_message_root, deposit_data_root, fork_version, network_name, deposit_cli_version}, hex without 0x.
[[nodiscard]] std::string deposit_data_json(std::span<const DepositData> deposits, const ForkVersion& fork_version,
                                            std::string_view network_name);

// One validator of an Ephemery genesis (the genesis generator's validators file):
// "0x<pubkey>:<withdrawal credentials hex>:<balance in gwei>".
[[nodiscard]] std::string genesis_validator_line(const DepositMessage& message);

}  // namespace ephemery::keys
