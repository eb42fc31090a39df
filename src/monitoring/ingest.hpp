#pragma once
// Fast ingest of the three Beacon API answers an epoch's monitoring reads for the whole network: the validators,
// their balances and the attestation rewards, parsed into columnar tables (one vector per field). Elements in the
// compact layout beacon nodes write are read straight from the text, every byte checked; anything else goes through
// simdjson On-Demand. Pure: text in, tables out. Every error names the JSON path of the bad value.

#include "core/result.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::monitoring {

// The beacon-APIs validator statuses, in the order of their life cycle.
enum class ValidatorStatus : std::uint8_t {
    pending_initialized,
    pending_queued,
    active_ongoing,
    active_exiting,
    active_slashed,
    exited_unslashed,
    exited_slashed,
    withdrawal_possible,
    withdrawal_done,
};

inline constexpr std::size_t validator_status_count = 9;

inline constexpr std::array<std::string_view, validator_status_count> validator_status_names{
    "pending_initialized", "pending_queued", "active_ongoing",      "active_exiting",  "active_slashed",
    "exited_unslashed",    "exited_slashed", "withdrawal_possible", "withdrawal_done",
};

[[nodiscard]] std::string_view validator_status_name(ValidatorStatus status);
[[nodiscard]] std::optional<ValidatorStatus> validator_status_from_name(std::string_view name);
// active_ongoing, active_exiting and active_slashed.
[[nodiscard]] bool is_active(ValidatorStatus status);

using Pubkey = std::array<std::uint8_t, 48>;

// GET /eth/v1/beacon/states/{state_id}/validators, one column per field; row i is data[i].
struct ValidatorTable {
    std::vector<std::uint64_t> index;
    std::vector<std::uint64_t> balance;  // Gwei
    std::vector<ValidatorStatus> status;
    std::vector<Pubkey> pubkey;
    std::vector<std::uint64_t> effective_balance;  // Gwei
    std::vector<std::uint8_t> slashed;             // 0 or 1
    std::vector<std::uint64_t> activation_epoch;
    std::vector<std::uint64_t> exit_epoch;

    [[nodiscard]] std::size_t size() const { return index.size(); }
};

// GET /eth/v1/beacon/states/{state_id}/validator_balances.
struct BalanceTable {
    std::vector<std::uint64_t> index;
    std::vector<std::uint64_t> balance;  // Gwei

    [[nodiscard]] std::size_t size() const { return index.size(); }
};

// An element of data.ideal_rewards: what a perfect validator of this effective balance earned (Gwei).
struct IdealReward {
    std::uint64_t effective_balance{0};
    std::int64_t head{0};
    std::int64_t target{0};
    std::int64_t source{0};
    std::optional<std::int64_t> inclusion_delay;  // phase0 only
    std::int64_t inactivity{0};

    [[nodiscard]] std::int64_t total() const {
        return head + target + source + inclusion_delay.value_or(0) + inactivity;
    }
};

// POST /eth/v1/beacon/rewards/attestations/{epoch}: data.ideal_rewards as rows (a few dozen at most), and
// data.total_rewards as columns; row i of the columns is total_rewards[i]. Rewards may be negative (penalties).
struct RewardTable {
    std::vector<IdealReward> ideal;
    std::vector<std::uint64_t> validator_index;
    std::vector<std::int64_t> head;
    std::vector<std::int64_t> target;
    std::vector<std::int64_t> source;
    std::vector<std::int64_t> inclusion_delay;  // 0 where the element has none (every fork after phase0)
    std::vector<std::int64_t> inactivity;

    [[nodiscard]] std::size_t size() const { return validator_index.size(); }
};

// How many readable bytes the parser may look at past the end of the text (simdjson's SIMDJSON_PADDING).
inline constexpr std::size_t json_padding = 64;

// JSON text followed by json_padding readable bytes, so it is parsed where it lies, without a copy.
class PaddedText {
  public:
    PaddedText() = default;
    // Takes `buffer`, whose first `length` bytes are the text; grows it by the padding when it is too short.
    PaddedText(std::string buffer, std::size_t length);
    [[nodiscard]] static PaddedText copy_of(std::string_view text);
    // Text in memory the caller owns and keeps alive while this is used (a mapped file, a network buffer), with at
    // least json_padding readable bytes after its end.
    [[nodiscard]] static PaddedText borrowed(std::string_view text_followed_by_padding);

    [[nodiscard]] std::string_view view() const { return {borrowed_ != nullptr ? borrowed_ : buffer_.data(), length_}; }

  private:
    std::string buffer_;
    const char* borrowed_{nullptr};
    std::size_t length_{0};
};

// The answer parsers. Unknown fields are ignored; missing or malformed ones are errors naming their path
// ("data[12].validator.pubkey: expected 0x + 96 hex digits, got ..."). Integers are quoted decimals (a bare JSON
// integer is accepted too); uint64 fields refuse signs, non-digits and values above 2^64-1.
[[nodiscard]] Result<ValidatorTable> parse_validator_table(std::string_view json);
[[nodiscard]] Result<BalanceTable> parse_balance_table(std::string_view json);
[[nodiscard]] Result<RewardTable> parse_reward_table(std::string_view json);

// The same parsers with their simdjson parsers kept between calls (their buffers are reused), on padded text (no
// copy). With `threads` above 1, the chunks of the large array of an answer (data, or data.total_rewards) are parsed
// by up to that many threads, taking chunks as they go, and joined in order; the result is the same.
class Ingester {
  public:
    explicit Ingester(unsigned threads = 1);
    ~Ingester();
    Ingester(const Ingester&) = delete;
    Ingester& operator=(const Ingester&) = delete;
    Ingester(Ingester&&) noexcept;
    Ingester& operator=(Ingester&&) noexcept;

    [[nodiscard]] Result<ValidatorTable> validators(const PaddedText& json);
    [[nodiscard]] Result<BalanceTable> balances(const PaddedText& json);
    [[nodiscard]] Result<RewardTable> rewards(const PaddedText& json);

  private:
    struct Parser;
    std::unique_ptr<Parser> parser_;
};

}  // namespace ephemery::monitoring
