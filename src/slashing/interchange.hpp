#pragma once

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// EIP-3076 slashing-protection interchange files (format version 5): parsing with every problem named by its
// JSON path, serialisation, merging into the minimal form, and finding slashable data inside one file.
// Pure: text in, values out.
namespace ephemery::slashing {

inline constexpr std::string_view interchange_format_version = "5";
inline constexpr std::size_t root_bytes = 32;    // a signing or genesis validators root
inline constexpr std::size_t pubkey_bytes = 48;  // a BLS public key

// Two messages for one slot (or target epoch) are the same message only when both carry the same root.
inline bool same_message(const std::optional<std::string>& a, const std::optional<std::string>& b) {
    return a && b && *a == *b;
}

// Roots and public keys are held as "0x" + lower-case hex, so equal values compare equal as strings.
struct SignedBlock {
    std::uint64_t slot{0};
    std::optional<std::string> signing_root;  // 32 bytes
    friend bool operator==(const SignedBlock&, const SignedBlock&) = default;
};

struct SignedAttestation {
    std::uint64_t source_epoch{0};
    std::uint64_t target_epoch{0};
    std::optional<std::string> signing_root;  // 32 bytes
    friend bool operator==(const SignedAttestation&, const SignedAttestation&) = default;
};

struct ValidatorHistory {
    std::string pubkey;  // 48 bytes
    std::vector<SignedBlock> signed_blocks;
    std::vector<SignedAttestation> signed_attestations;
    friend bool operator==(const ValidatorHistory&, const ValidatorHistory&) = default;
};

struct Interchange {
    std::string genesis_validators_root;  // 32 bytes
    // In file order; the same pubkey may appear more than once (EIP-3076 allows it).
    std::vector<ValidatorHistory> data;
    friend bool operator==(const Interchange&, const Interchange&) = default;
};

// "0x" + 2 * byte_count hex digits (either case) -> lower case; nullopt otherwise.
[[nodiscard]] std::optional<std::string> normalise_hex(std::string_view text, std::size_t byte_count);

// A genesis validators root given by an operator (a flag): `what` names it in the error.
[[nodiscard]] Result<std::string> parse_genesis_validators_root(std::string_view text, std::string_view what);

// Parses and validates an interchange. Every problem is reported, one per line, each prefixed with `label` and
// the JSON path: `f.json: data[2].signed_attestations[0].target_epoch: "x" is not a decimal uint64; ...`.
// Errc::parse_error.
[[nodiscard]] Result<Interchange> parse_interchange(std::string_view json, std::string_view label);

// The interchange as EIP-3076 JSON (numbers as decimal strings, roots omitted when unknown), 2-space indented.
[[nodiscard]] std::string to_json(const Interchange& interchange);

// The minimal form: one entry per pubkey (in order of first appearance) holding the maximum block slot, and one
// attestation made of the maximum source epoch and the maximum target epoch. Signing roots are dropped: a
// minimal record may be a message nobody signed, and importers of minimal data must refuse re-signing anyway.
[[nodiscard]] Interchange to_minimal(const Interchange& interchange);

// Several interchanges of the same chain merged into the minimal form. Errc::invalid_argument when there are
// none or their genesis validators roots differ (the message names the first that differs by its index).
[[nodiscard]] Result<Interchange> merge(std::span<const Interchange> interchanges);

enum class SlashableKind { double_proposal, double_vote, surround_vote, source_after_target };

struct SlashableFinding {
    std::string pubkey;
    SlashableKind kind{SlashableKind::double_proposal};
    std::string message;  // names the slots or epochs involved
};

[[nodiscard]] std::string_view slashable_kind_name(SlashableKind kind);

// Messages in one interchange that are slashable with respect to each other (duplicate pubkeys are combined):
// two blocks at one slot unless both carry the same signing root, two attestations with one target epoch on
// the same terms, surround votes, and attestations whose source is after their target. At most `limit`
// findings; a file with slashable data is still importable (EIP-3076), but its operator should know.
[[nodiscard]] std::vector<SlashableFinding> find_slashable_data(const Interchange& interchange,
                                                                std::size_t limit = 100);

}  // namespace ephemery::slashing
