#include "keys/deposit.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <vector>

namespace ephemery::keys {
namespace {

using Chunk = std::array<std::uint8_t, 32>;

Chunk sha256_pair(const Chunk& left, const Chunk& right) {
    std::array<std::uint8_t, 64> joined{};
    std::copy(left.begin(), left.end(), joined.begin());
    std::copy(right.begin(), right.end(), joined.begin() + 32);
    Chunk digest{};
    EVP_Digest(joined.data(), joined.size(), digest.data(), nullptr, EVP_sha256(), nullptr);
    return digest;
}

// SSZ merkleize: pad the chunks with zero chunks to a power of two, then hash pairs up to one root.
Chunk merkleize(std::vector<Chunk> chunks) {
    std::size_t width = 1;
    while (width < chunks.size()) width *= 2;
    chunks.resize(width, Chunk{});
    while (chunks.size() > 1) {
        std::vector<Chunk> parents;
        for (std::size_t i = 0; i < chunks.size(); i += 2) parents.push_back(sha256_pair(chunks[i], chunks[i + 1]));
        chunks = std::move(parents);
    }
    return chunks.front();
}

// hash_tree_root of a fixed-size byte vector (ByteVector[N]): its bytes packed into zero-padded chunks.
Chunk root_of_bytes(std::span<const std::uint8_t> bytes) {
    std::vector<Chunk> chunks((bytes.size() + 31) / 32, Chunk{});
    for (std::size_t i = 0; i < bytes.size(); ++i) chunks[i / 32][i % 32] = bytes[i];
    return merkleize(std::move(chunks));
}

Chunk root_of_uint64(std::uint64_t value) {
    Chunk chunk{};
    for (std::size_t i = 0; i < 8; ++i) chunk[i] = static_cast<std::uint8_t>(value >> (8 * i));  // little endian
    return chunk;
}

// Keccak-256 from OpenSSL when it has it (3.2 on), fetched once.
const EVP_MD* keccak256_digest() {
    static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> digest = [] {
        EVP_MD* fetched = EVP_MD_fetch(nullptr, "KECCAK-256", nullptr);
        ERR_clear_error();  // a failed fetch leaves an error queued that would confuse later OpenSSL calls
        return std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)>(fetched, &EVP_MD_free);
    }();
    return digest.get();
}

// EIP-55: hex digit i is upper case when nibble i of keccak256(lower-case hex) is 8 or more.
std::optional<bool> eip55_checksum_matches(std::string_view hex_digits) {
    const EVP_MD* keccak = keccak256_digest();
    if (keccak == nullptr) return std::nullopt;
    const std::string lower = to_lower(hex_digits);
    std::array<std::uint8_t, 32> hash{};
    if (EVP_Digest(lower.data(), lower.size(), hash.data(), nullptr, keccak, nullptr) != 1) return std::nullopt;
    for (std::size_t i = 0; i < hex_digits.size(); ++i) {
        const auto digit = static_cast<unsigned char>(hex_digits[i]);
        if (std::isalpha(digit) == 0) continue;
        const unsigned nibble = i % 2 == 0 ? hash[i / 2] >> 4U : hash[i / 2] & 0x0FU;
        if ((std::isupper(digit) != 0) != (nibble >= 8)) return false;
    }
    return true;
}

}  // namespace

bool keccak256_available() {
    return keccak256_digest() != nullptr;
}

Result<ExecutionAddress> parse_execution_address(std::string_view text) {
    const std::string_view digits = text.starts_with("0x") ? text.substr(2) : std::string_view{};
    const auto bytes = from_hex(digits);
    if (digits.size() != 40 || !bytes) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("\"{}\" is not an execution address: it must be 0x followed by 40 hex digits", text));
    }
    ExecutionAddress address;
    std::copy(bytes->begin(), bytes->end(), address.bytes.begin());
    const bool has_lower = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
    const bool has_upper = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
    if (!(has_lower && has_upper)) return address;
    const auto matches = eip55_checksum_matches(digits);
    if (!matches) {
        address.checksum = AddressChecksum::unverified;
    } else if (*matches) {
        address.checksum = AddressChecksum::verified;
    } else {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} fails its EIP-55 checksum (the mix of upper and lower case): a character "
                                      "is probably mistyped; copy the address again from its source",
                                      text));
    }
    return address;
}

WithdrawalCredentials withdrawal_credentials(const ExecutionAddress& address, WithdrawalPrefix prefix) {
    WithdrawalCredentials credentials{};
    credentials[0] = static_cast<std::uint8_t>(prefix);
    std::copy(address.bytes.begin(), address.bytes.end(), credentials.begin() + 12);
    return credentials;
}

Status check_deposit_amount(std::uint64_t amount_gwei, WithdrawalPrefix prefix) {
    const std::uint64_t maximum =
        prefix == WithdrawalPrefix::compounding ? max_compounding_balance_gwei : max_effective_balance_gwei;
    if (amount_gwei < min_deposit_gwei || amount_gwei > maximum) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} gwei is not a deposit amount for 0x0{} credentials: allowed {} to {} gwei{}",
                                      amount_gwei, static_cast<int>(prefix), min_deposit_gwei, maximum,
                                      prefix == WithdrawalPrefix::execution && amount_gwei > maximum
                                          ? " (balances above 32 ETH need compounding 0x02 credentials)"
                                          : ""));
    }
    return {};
}

Result<ForkVersion> parse_fork_version(std::string_view text) {
    const std::string_view digits = text.starts_with("0x") ? text.substr(2) : text;
    const auto bytes = from_hex(digits);
    if (!bytes || bytes->size() != 4) {
        return make_error(Errc::invalid_argument,
                          fmt::format("\"{}\" is not a fork version: it must be 0x followed by 8 hex digits, "
                                      "like GENESIS_FORK_VERSION in the network's config.yaml",
                                      text));
    }
    ForkVersion version{};
    std::copy(bytes->begin(), bytes->end(), version.begin());
    return version;
}

Root hash_tree_root(const DepositMessage& message) {
    return merkleize(
        {root_of_bytes(message.pubkey), message.withdrawal_credentials, root_of_uint64(message.amount_gwei)});
}

Root hash_tree_root(const DepositData& deposit) {
    return merkleize({root_of_bytes(deposit.message.pubkey), deposit.message.withdrawal_credentials,
                      root_of_uint64(deposit.message.amount_gwei), root_of_bytes(deposit.signature)});
}

Domain compute_domain(const DomainType& domain_type, const ForkVersion& fork_version,
                      const Root& genesis_validators_root) {
    const Root fork_data_root = merkleize({root_of_bytes(fork_version), genesis_validators_root});
    Domain domain{};
    std::copy(domain_type.begin(), domain_type.end(), domain.begin());
    std::copy(fork_data_root.begin(), fork_data_root.begin() + 28, domain.begin() + 4);
    return domain;
}

Root compute_signing_root(const Root& object_root, const Domain& domain) {
    return merkleize({object_root, domain});
}

Domain deposit_domain(const ForkVersion& genesis_fork_version) {
    return compute_domain(domain_deposit, genesis_fork_version, Root{});
}

DepositData sign_deposit(const bls::SecretKey& key, const DepositMessage& message,
                         const ForkVersion& genesis_fork_version) {
    const Root signing_root = compute_signing_root(hash_tree_root(message), deposit_domain(genesis_fork_version));
    return DepositData{message, bls::sign(key, signing_root)};
}

bool verify_deposit(const DepositData& deposit, const ForkVersion& genesis_fork_version) {
    const Root signing_root =
        compute_signing_root(hash_tree_root(deposit.message), deposit_domain(genesis_fork_version));
    return bls::verify(deposit.message.pubkey, signing_root, deposit.signature);
}

std::string deposit_data_json(std::span<const DepositData> deposits, const ForkVersion& fork_version,
                              std::string_view network_name) {
    auto entries = nlohmann::ordered_json::array();
    for (const auto& deposit : deposits) {
        entries.push_back({{"pubkey", to_hex(deposit.message.pubkey)},
                           {"withdrawal_credentials", to_hex(deposit.message.withdrawal_credentials)},
                           {"amount", deposit.message.amount_gwei},
                           {"signature", to_hex(deposit.signature)},
                           {"deposit_message_root", to_hex(hash_tree_root(deposit.message))},
                           {"deposit_data_root", to_hex(hash_tree_root(deposit))},
                           {"fork_version", to_hex(fork_version)},
                           {"network_name", network_name},
                           {"deposit_cli_version", deposit_cli_format_version}});
    }
    return entries.dump() + "\n";
}

std::string genesis_validator_line(const DepositMessage& message) {
    return fmt::format("0x{}:{}:{}", to_hex(message.pubkey), to_hex(message.withdrawal_credentials),
                       message.amount_gwei);
}

}  // namespace ephemery::keys
