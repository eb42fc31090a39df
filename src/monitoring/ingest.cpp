#include "monitoring/ingest.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <sys/mman.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <barrier>
#include <bit>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>

namespace ephemery::monitoring {

static_assert(json_padding == simdjson::SIMDJSON_PADDING, "PaddedText must pad as much as simdjson reads ahead");

namespace ondemand = simdjson::ondemand;

std::string_view validator_status_name(ValidatorStatus status) {
    return validator_status_names.at(static_cast<std::size_t>(status));
}

std::optional<ValidatorStatus> validator_status_from_name(std::string_view name) {
    for (std::size_t i = 0; i < validator_status_names.size(); ++i) {
        if (validator_status_names[i] == name) return static_cast<ValidatorStatus>(i);
    }
    return std::nullopt;
}

bool is_active(ValidatorStatus status) {
    return status == ValidatorStatus::active_ongoing || status == ValidatorStatus::active_exiting ||
           status == ValidatorStatus::active_slashed;
}

PaddedText::PaddedText(std::string buffer, std::size_t length) : buffer_(std::move(buffer)), length_(length) {
    if (length_ > buffer_.size()) length_ = buffer_.size();
    if (buffer_.size() < length_ + json_padding) buffer_.resize(length_ + json_padding);
}

PaddedText PaddedText::borrowed(std::string_view text_followed_by_padding) {
    PaddedText text;
    text.borrowed_ = text_followed_by_padding.data();
    text.length_ = text_followed_by_padding.size();
    return text;
}

PaddedText PaddedText::copy_of(std::string_view text) {
    std::string buffer;
    buffer.reserve(text.size() + json_padding);
    buffer.append(text);
    buffer.append(json_padding, '\0');
    return {std::move(buffer), text.size()};
}

namespace {

// A problem with one value; the caller adds the path. Nothing is allocated on the way to success.
using Problem = const char*;

constexpr Problem expected_unsigned = "expected a quoted unsigned decimal integer";
constexpr Problem expected_signed = "expected a quoted decimal integer";
constexpr Problem above_uint64 = "above the largest uint64 (18446744073709551615)";
constexpr Problem outside_int64 = "outside the int64 range";
constexpr Problem expected_pubkey = "expected 0x + 96 hex digits";
constexpr Problem expected_status =
    "expected a beacon-APIs validator status (pending_initialized, ..., withdrawal_done)";
constexpr Problem expected_bool = "expected true or false";

bool is_json_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The value's text in the document, without the whitespace after it.
std::string_view token_of(ondemand::value& value) {
    std::string_view token = value.raw_json_token();
    while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
    return token;
}

// The content of a string token, or nullopt when the token is no string. Escapes are left in: every reader of the
// content accepts only digits, hex digits or a status name, so a backslash fails there.
std::optional<std::string_view> string_content(std::string_view token) {
    if (token.size() < 2 || token.front() != '"' || token.back() != '"') return std::nullopt;
    return token.substr(1, token.size() - 2);
}

// A quoted decimal's digits, or a bare integer's.
std::string_view number_text(std::string_view token) {
    if (!token.empty() && token.front() == '"') return string_content(token).value_or(std::string_view{});
    return token;
}

// Decimal digits only, at most 2^64-1; one pass.
static_assert(std::endian::native == std::endian::little, "eight_digits reads digits as a little-endian word");

// Whether the eight bytes (little-endian) are all ASCII digits.
bool eight_digits(std::uint64_t bytes) {
    return ((bytes & 0xf0f0f0f0f0f0f0f0ULL) | (((bytes + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) >> 4U)) ==
           0x3333333333333333ULL;
}

// The value of eight ASCII digits (the first byte most significant), by pairs, quads, then the two halves.
std::uint64_t eight_digits_value(std::uint64_t bytes) {
    bytes -= 0x3030303030303030ULL;
    bytes = (bytes * 10) + (bytes >> 8U);  // pairs in every other byte
    return ((((bytes & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32U))) +
             (((bytes >> 16U) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32U)))) >>
            32U) &
           0xffffffffULL;
}

Problem parse_digits(std::string_view digits, std::uint64_t& out) {
    if (digits.empty()) return expected_unsigned;
    std::uint64_t value = 0;
    if (digits.size() < 20) {  // 19 digits cannot overflow
        // Eight digits at a time (balances have 10 to 13), then one at a time.
        while (digits.size() >= 8) {
            std::uint64_t eight = 0;
            std::memcpy(&eight, digits.data(), 8);
            if (!eight_digits(eight)) return expected_unsigned;
            value = value * 100'000'000 + eight_digits_value(eight);
            digits.remove_prefix(8);
        }
        for (const char c : digits) {
            const auto digit = static_cast<unsigned>(c) - unsigned{'0'};
            if (digit > 9) return expected_unsigned;
            value = value * 10 + digit;
        }
    } else {
        for (const char c : digits) {
            const auto digit = static_cast<unsigned>(c) - unsigned{'0'};
            if (digit > 9) return expected_unsigned;
            if (__builtin_mul_overflow(value, std::uint64_t{10}, &value) ||
                __builtin_add_overflow(value, std::uint64_t{digit}, &value)) {
                // Finish the scan: a non-digit further on is the better message.
                const bool all_digits = std::ranges::all_of(digits, [](char d) { return d >= '0' && d <= '9'; });
                return all_digits ? above_uint64 : expected_unsigned;
            }
        }
    }
    out = value;
    return nullptr;
}

Problem read_unsigned(ondemand::value& value, std::uint64_t& out) {
    return parse_digits(number_text(token_of(value)), out);
}

Problem read_signed(ondemand::value& value, std::int64_t& out) {
    std::string_view digits = number_text(token_of(value));
    const bool negative = !digits.empty() && digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    std::uint64_t magnitude = 0;
    if (Problem problem = parse_digits(digits, magnitude)) {
        return problem == above_uint64 ? outside_int64 : expected_signed;
    }
    constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (negative) {
        if (magnitude > int64_max + 1) return outside_int64;
        out = magnitude == int64_max + 1 ? std::numeric_limits<std::int64_t>::min()
                                         : -static_cast<std::int64_t>(magnitude);
    } else {
        if (magnitude > int64_max) return outside_int64;
        out = static_cast<std::int64_t>(magnitude);
    }
    return nullptr;
}

constexpr std::uint8_t not_hex = 0xff;
constexpr std::array<std::uint8_t, 256> hex_values = [] {
    std::array<std::uint8_t, 256> values{};
    values.fill(not_hex);
    for (std::size_t i = 0; i < 10; ++i) values.at(std::size_t{'0'} + i) = static_cast<std::uint8_t>(i);
    for (std::size_t i = 0; i < 6; ++i) {
        values.at(std::size_t{'a'} + i) = static_cast<std::uint8_t>(10 + i);
        values.at(std::size_t{'A'} + i) = static_cast<std::uint8_t>(10 + i);
    }
    return values;
}();

Problem read_pubkey(ondemand::value& value, Pubkey& out) {
    const auto content = string_content(token_of(value));
    if (!content || content->size() != 2 + 2 * out.size() || (*content)[0] != '0' || (*content)[1] != 'x') {
        return expected_pubkey;
    }
    const char* hex = content->data() + 2;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::uint8_t high = hex_values[static_cast<unsigned char>(hex[2 * i])];
        const std::uint8_t low = hex_values[static_cast<unsigned char>(hex[2 * i + 1])];
        if (high == not_hex || low == not_hex) return expected_pubkey;
        out[i] = static_cast<std::uint8_t>((high << 4U) | low);
    }
    return nullptr;
}

Problem read_status(ondemand::value& value, ValidatorStatus& out) {
    const auto content = string_content(token_of(value));
    if (!content) return expected_status;
    const auto status = validator_status_from_name(*content);
    if (!status) return expected_status;
    out = *status;
    return nullptr;
}

Problem read_bool(ondemand::value& value, std::uint8_t& out) {
    bool flag = false;
    if (value.get_bool().get(flag) != simdjson::SUCCESS) return expected_bool;
    out = flag ? 1 : 0;
    return nullptr;
}

// The offending text for a message: short, printable.
std::string shown(std::string_view token) {
    constexpr std::size_t limit = 40;
    std::string out;
    for (const char c : token.substr(0, limit)) {
        out += static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f ? '?' : c;
    }
    if (token.size() > limit) out += "...";
    return out;
}

// The path of a value, built only when something is wrong with it.
struct Path {
    std::string_view array;   // "data", "data.total_rewards"
    std::size_t element{0};   // its position in the array
    std::string_view object;  // "" or "validator": a nested object of the element
    std::string_view field;   // "" for the element itself

    [[nodiscard]] std::string text() const {
        std::string out = fmt::format("{}[{}]", array, element);
        if (!object.empty()) out += fmt::format(".{}", object);
        if (!field.empty()) out += fmt::format(".{}", field);
        return out;
    }
};

Error value_error(const Path& path, Problem problem, ondemand::value& value) {
    return make_error(Errc::parse_error, fmt::format("{}: {}, got {}", path.text(), problem, shown(token_of(value))));
}

Error json_error(std::string_view where, simdjson::error_code code) {
    return make_error(Errc::parse_error, fmt::format("{}: malformed JSON ({})", where, simdjson::error_message(code)));
}

Error missing(const Path& path) {
    return make_error(Errc::parse_error, fmt::format("{}: missing", path.text()));
}

// Runs `element(value, position)` for each element of `array` (named `name`); positions start at `first`.
template <typename Element>
Status for_each_in(ondemand::array& array, std::string_view name, std::size_t first, Element&& element) {
    std::size_t position = first;
    for (auto item : array) {
        ondemand::value item_value;
        if (const auto code = item.get(item_value); code != simdjson::SUCCESS) {
            return json_error(Path{name, position, "", ""}.text(), code);
        }
        if (Status status = element(item_value, position); !status) return status;
        ++position;
    }
    return {};
}

// Runs `element(value, position)` for each element of the array `value` (named `name`).
template <typename Element>
Status for_each_element(ondemand::value& value, std::string_view name, Element&& element) {
    ondemand::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) {
        return make_error(Errc::parse_error,
                          fmt::format("{}: expected an array, got {}", name, shown(token_of(value))));
    }
    return for_each_in(array, name, 0, element);
}

// Runs `on_field(key, value)` for each field of the object `value` at `path`; `on_field` returns a Status.
template <typename OnField>
Status for_each_field(ondemand::value& value, const Path& path, OnField&& on_field) {
    ondemand::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) {
        return make_error(Errc::parse_error,
                          fmt::format("{}: expected an object, got {}", path.text(), shown(token_of(value))));
    }
    for (auto item : object) {
        ondemand::field field;
        if (const auto code = std::move(item).get(field); code != simdjson::SUCCESS) {
            return json_error(path.text(), code);
        }
        if (Status status = on_field(field.key(), field.value()); !status) return status;
    }
    return {};
}

// Iterates the answer `{"data": ..., ...}` and hands `data` to `on_data`; other top-level fields are ignored.
template <typename OnData>
Status for_data(ondemand::parser& parser, const PaddedText& text, OnData&& on_data) {
    const std::string_view json = text.view();
    ondemand::document document;
    if (const auto code = parser.iterate(json.data(), json.size(), json.size() + json_padding).get(document);
        code != simdjson::SUCCESS) {
        return json_error("the answer", code);
    }
    ondemand::object root;
    if (document.get_object().get(root) != simdjson::SUCCESS) {
        return make_error(Errc::parse_error, "the answer: expected a JSON object with a \"data\" field");
    }
    bool seen = false;
    for (auto item : root) {
        ondemand::field field;
        if (const auto code = std::move(item).get(field); code != simdjson::SUCCESS)
            return json_error("the answer", code);
        if (field.key().unsafe_is_equal("data")) {
            if (seen) return make_error(Errc::parse_error, "data: appears twice");
            seen = true;
            if (Status status = on_data(field.value()); !status) return status;
        }
    }
    if (!seen) return make_error(Errc::parse_error, "data: missing (not a Beacon API answer?)");
    // Past the root object the iterator must be at the end of the document (current_location: out of bounds).
    const char* trailing = nullptr;
    if (document.current_location().get(trailing) == simdjson::SUCCESS) {
        return make_error(Errc::parse_error, "the answer: trailing content after the JSON document");
    }
    return {};
}

Status parse_validator_element(ondemand::value& element, std::size_t position, ValidatorTable& table) {
    enum : unsigned {
        index_bit = 1U << 0U,
        balance_bit = 1U << 1U,
        status_bit = 1U << 2U,
        validator_bit = 1U << 3U,
        pubkey_bit = 1U << 4U,
        effective_balance_bit = 1U << 5U,
        slashed_bit = 1U << 6U,
        activation_epoch_bit = 1U << 7U,
        exit_epoch_bit = 1U << 8U,
    };
    unsigned seen = 0;
    std::uint64_t index = 0;
    std::uint64_t balance = 0;
    auto status = ValidatorStatus::pending_initialized;
    Pubkey pubkey{};
    std::uint64_t effective_balance = 0;
    std::uint8_t slashed = 0;
    std::uint64_t activation_epoch = 0;
    std::uint64_t exit_epoch = 0;
    const Path path{"data", position, "", ""};
    const Path inner{"data", position, "validator", ""};

    const auto on_validator = [&](ondemand::raw_json_string key, ondemand::value& value) -> Status {
        Problem problem = nullptr;
        std::string_view name;
        if (key.unsafe_is_equal("pubkey")) {
            name = "pubkey", problem = read_pubkey(value, pubkey), seen |= pubkey_bit;
        } else if (key.unsafe_is_equal("effective_balance")) {
            name = "effective_balance", problem = read_unsigned(value, effective_balance);
            seen |= effective_balance_bit;
        } else if (key.unsafe_is_equal("slashed")) {
            name = "slashed", problem = read_bool(value, slashed), seen |= slashed_bit;
        } else if (key.unsafe_is_equal("activation_epoch")) {
            name = "activation_epoch", problem = read_unsigned(value, activation_epoch);
            seen |= activation_epoch_bit;
        } else if (key.unsafe_is_equal("exit_epoch")) {
            name = "exit_epoch", problem = read_unsigned(value, exit_epoch), seen |= exit_epoch_bit;
        }
        if (problem != nullptr) return value_error(Path{"data", position, "validator", name}, problem, value);
        return {};
    };
    const auto on_element = [&](ondemand::raw_json_string key, ondemand::value& value) -> Status {
        Problem problem = nullptr;
        std::string_view name;
        if (key.unsafe_is_equal("index")) {
            name = "index", problem = read_unsigned(value, index), seen |= index_bit;
        } else if (key.unsafe_is_equal("balance")) {
            name = "balance", problem = read_unsigned(value, balance), seen |= balance_bit;
        } else if (key.unsafe_is_equal("status")) {
            name = "status", problem = read_status(value, status), seen |= status_bit;
        } else if (key.unsafe_is_equal("validator")) {
            seen |= validator_bit;
            return for_each_field(value, inner, on_validator);
        }
        if (problem != nullptr) return value_error(Path{"data", position, "", name}, problem, value);
        return {};
    };
    if (Status result = for_each_field(element, path, on_element); !result) return result;

    constexpr std::array<std::pair<unsigned, std::string_view>, 4> outer_fields{
        {{index_bit, "index"}, {balance_bit, "balance"}, {status_bit, "status"}, {validator_bit, "validator"}}};
    constexpr std::array<std::pair<unsigned, std::string_view>, 5> inner_fields{
        {{pubkey_bit, "pubkey"},
         {effective_balance_bit, "effective_balance"},
         {slashed_bit, "slashed"},
         {activation_epoch_bit, "activation_epoch"},
         {exit_epoch_bit, "exit_epoch"}}};
    for (const auto& [bit, name] : outer_fields) {
        if ((seen & bit) == 0) return missing(Path{"data", position, "", name});
    }
    for (const auto& [bit, name] : inner_fields) {
        if ((seen & bit) == 0) return missing(Path{"data", position, "validator", name});
    }
    table.index.push_back(index);
    table.balance.push_back(balance);
    table.status.push_back(status);
    table.pubkey.push_back(pubkey);
    table.effective_balance.push_back(effective_balance);
    table.slashed.push_back(slashed);
    table.activation_epoch.push_back(activation_epoch);
    table.exit_epoch.push_back(exit_epoch);
    return {};
}

Status parse_balance_element(ondemand::value& element, std::size_t position, BalanceTable& table) {
    bool has_index = false;
    bool has_balance = false;
    std::uint64_t index = 0;
    std::uint64_t balance = 0;
    const auto on_field = [&](ondemand::raw_json_string key, ondemand::value& value) -> Status {
        if (key.unsafe_is_equal("index")) {
            has_index = true;
            if (Problem problem = read_unsigned(value, index)) {
                return value_error(Path{"data", position, "", "index"}, problem, value);
            }
        } else if (key.unsafe_is_equal("balance")) {
            has_balance = true;
            if (Problem problem = read_unsigned(value, balance)) {
                return value_error(Path{"data", position, "", "balance"}, problem, value);
            }
        }
        return {};
    };
    if (Status result = for_each_field(element, Path{"data", position, "", ""}, on_field); !result) {
        return result;
    }
    if (!has_index) return missing(Path{"data", position, "", "index"});
    if (!has_balance) return missing(Path{"data", position, "", "balance"});
    table.index.push_back(index);
    table.balance.push_back(balance);
    return {};
}

// The reward fields both kinds of element share; `first` is effective_balance (ideal) or validator_index (total).
struct RewardRow {
    std::uint64_t first{0};
    std::int64_t head{0};
    std::int64_t target{0};
    std::int64_t source{0};
    std::optional<std::int64_t> inclusion_delay;
    std::int64_t inactivity{0};
};

Status parse_reward_row(ondemand::value& element, const Path& path, std::string_view first_name, RewardRow& row) {
    enum : unsigned { first_bit = 1U, head_bit = 2U, target_bit = 4U, source_bit = 8U, inactivity_bit = 16U };
    unsigned seen = 0;
    const auto on_field = [&](ondemand::raw_json_string key, ondemand::value& value) -> Status {
        Problem problem = nullptr;
        std::string_view name;
        if (key.unsafe_is_equal(first_name)) {
            name = first_name, problem = read_unsigned(value, row.first), seen |= first_bit;
        } else if (key.unsafe_is_equal("head")) {
            name = "head", problem = read_signed(value, row.head), seen |= head_bit;
        } else if (key.unsafe_is_equal("target")) {
            name = "target", problem = read_signed(value, row.target), seen |= target_bit;
        } else if (key.unsafe_is_equal("source")) {
            name = "source", problem = read_signed(value, row.source), seen |= source_bit;
        } else if (key.unsafe_is_equal("inactivity")) {
            name = "inactivity", problem = read_signed(value, row.inactivity), seen |= inactivity_bit;
        } else if (key.unsafe_is_equal("inclusion_delay")) {
            std::int64_t delay = 0;
            name = "inclusion_delay", problem = read_signed(value, delay);
            row.inclusion_delay = delay;
        }
        if (problem != nullptr) return value_error(Path{path.array, path.element, "", name}, problem, value);
        return {};
    };
    if (Status result = for_each_field(element, path, on_field); !result) return result;
    const std::array<std::pair<unsigned, std::string_view>, 5> required{{{first_bit, first_name},
                                                                         {head_bit, "head"},
                                                                         {target_bit, "target"},
                                                                         {source_bit, "source"},
                                                                         {inactivity_bit, "inactivity"}}};
    for (const auto& [bit, name] : required) {
        if ((seen & bit) == 0) return missing(Path{path.array, path.element, "", name});
    }
    return {};
}

Status parse_total_reward_element(ondemand::value& element, std::size_t position, RewardTable& table) {
    RewardRow row;
    if (Status result = parse_reward_row(element, Path{"data.total_rewards", position, "", ""}, "validator_index", row);
        !result) {
        return result;
    }
    table.validator_index.push_back(row.first);
    table.head.push_back(row.head);
    table.target.push_back(row.target);
    table.source.push_back(row.source);
    table.inclusion_delay.push_back(row.inclusion_delay.value_or(0));
    table.inactivity.push_back(row.inactivity);
    return {};
}

// ---------------------------------------------------------------------------------------------------------------
// The compact layout, read without a parser. Beacon nodes write these answers without whitespace and with the fields
// in the order of the beacon-APIs schema. An element in exactly that layout is read straight from the text, every
// byte checked (keys, punctuation, digits, hex digits, status names; a string we skip holds printable ASCII without
// escapes), so what it accepts is JSON that the On-Demand parse reads the same way. Anything else (whitespace,
// another field order, escapes, bare integers, other fields, values the checks refuse) goes to the On-Demand parse,
// which also words the errors. The scanners load whole words, so they may read up to 24 bytes past where a value
// starts: the text's padding covers what lies beyond its end. They are inlined: each runs a dozen times per element,
// and a call would cost more than its work.

[[gnu::always_inline]] inline std::uint64_t load_word(const char* at) {
    std::uint64_t word = 0;
    std::memcpy(&word, at, sizeof word);
    return word;
}

constexpr std::uint64_t repeated(std::uint8_t byte) {
    return 0x0101010101010101ULL * byte;
}

// `at` holds `literal`: moves past it. Reads nothing at or past `end`. Compared a word at a time (the library's
// memcmp is a call for literals this long).
template <std::size_t Size>
[[gnu::always_inline]] inline bool skip_literal(const char*& at, const char* end,
                                                const char (&literal)[Size]) {  // NOLINT(modernize-avoid-c-arrays)
    constexpr std::size_t length = Size - 1;
    if (end - at < static_cast<std::ptrdiff_t>(length)) return false;
    if constexpr (length < 8) {
        if (std::memcmp(at, literal, length) != 0) return false;
    } else {
        std::uint64_t differ = 0;
        for (std::size_t i = 0; i + 8 <= length; i += 8) differ |= load_word(at + i) ^ load_word(literal + i);
        if (length % 8 != 0) differ |= load_word(at + length - 8) ^ load_word(literal + length - 8);
        if (differ != 0) return false;
    }
    at += length;
    return true;
}

// How many of the eight bytes (the first in the lowest) are ASCII digits before the first that is not.
[[gnu::always_inline]] inline unsigned leading_digits(std::uint64_t bytes) {
    // A digit's high nibble is 3, and still is after adding 6. A carry out of a byte reaches later bytes only, which
    // come after the first non-digit.
    const std::uint64_t high_nibbles = repeated(0xf0);
    const std::uint64_t not_digits =
        ((bytes & high_nibbles) ^ repeated('0')) | (((bytes + repeated(0x06)) & high_nibbles) ^ repeated('0'));
    return not_digits == 0 ? 8U : static_cast<unsigned>(std::countr_zero(not_digits)) / 8U;
}

// The value of the first `count` (1 to 8) bytes, digits: moved to the end of the word behind '0's.
[[gnu::always_inline]] inline std::uint64_t leading_digits_value(std::uint64_t bytes, unsigned count) {
    if (count < 8) bytes = (bytes << (8U * (8U - count))) | (repeated('0') >> (8U * count));
    return eight_digits_value(bytes);
}

constexpr std::array<std::uint64_t, 9> powers_of_ten{1,       10,        100,        1'000,      10'000,
                                                     100'000, 1'000'000, 10'000'000, 100'000'000};

// 1 to 20 digits at `at`, at most 2^64-1 (more digits, leading zeros among them, are left to the general parse).
[[gnu::always_inline]] inline bool scan_digits(const char*& at, std::uint64_t& out) {
    std::uint64_t word = load_word(at);
    unsigned count = leading_digits(word);
    if (count == 0) return false;
    std::uint64_t value = leading_digits_value(word, count);
    if (count == 8) {
        word = load_word(at + 8);
        unsigned more = leading_digits(word);
        if (more > 0) value = value * powers_of_ten[more] + leading_digits_value(word, more);
        count += more;
        if (more == 8) {
            word = load_word(at + 16);
            more = leading_digits(word);
            if (more > 4) return false;
            // 20 digits may exceed 2^64-1; the general parse words that error.
            if (more > 0 && (__builtin_mul_overflow(value, powers_of_ten[more], &value) ||
                             __builtin_add_overflow(value, leading_digits_value(word, more), &value))) {
                return false;
            }
            count += more;
        }
    }
    at += count;
    out = value;
    return true;
}

[[gnu::always_inline]] inline bool scan_signed_digits(const char*& at, std::int64_t& out) {
    const bool negative = *at == '-';
    const char* digits = negative ? at + 1 : at;
    std::uint64_t magnitude = 0;
    if (!scan_digits(digits, magnitude)) return false;
    constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (magnitude > int64_max + (negative ? 1U : 0U)) return false;
    // Two's complement, as C++20 defines the conversion: -2^63 too.
    out = static_cast<std::int64_t>(negative ? 0 - magnitude : magnitude);
    at = digits;
    return true;
}

#if defined(__SSE2__)
// Sixteen hex digits as eight bytes, or false; SSE2 is part of every x86-64.
[[gnu::always_inline]] inline bool hex_sixteen(const char* at, std::uint8_t* out) {
    const __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    const __m128i lower = _mm_or_si128(chars, _mm_set1_epi8(0x20));  // A-F as a-f; digits stay
    // Signed compares: bytes from 0x80 are negative, below every bound.
    const __m128i digits =
        _mm_and_si128(_mm_cmpgt_epi8(chars, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(chars, _mm_set1_epi8('9' + 1)));
    const __m128i letters =
        _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(lower, _mm_set1_epi8('f' + 1)));
    // Lane-wise byte addition (paddb), written with a vector extension type.
    using ByteLanes = std::uint8_t __attribute__((vector_size(16)));
    const auto nibbles = std::bit_cast<__m128i>(std::bit_cast<ByteLanes>(_mm_and_si128(chars, _mm_set1_epi8(0x0f))) +
                                                std::bit_cast<ByteLanes>(_mm_and_si128(letters, _mm_set1_epi8(9))));
    // In each 16-bit lane the first digit (low byte) is the high nibble.
    const __m128i pairs =
        _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nibbles, _mm_set1_epi16(0x0f)), 4), _mm_srli_epi16(nibbles, 8));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(pairs, pairs));
    return _mm_movemask_epi8(_mm_or_si128(digits, letters)) == 0xffff;
}
#else
// The high bit of the first byte of `word` that is zero is set (the bits of later bytes may be set too).
constexpr std::uint64_t zero_bytes(std::uint64_t word) {
    return (word - repeated(0x01)) & ~word & repeated(0x80);
}

// Eight hex digits (the first in the lowest byte) as four bytes, or false. Per byte, without a table: the checks
// add to bytes below 0x80 without carries between them.
[[gnu::always_inline]] inline bool hex_word(std::uint64_t chars, std::uint32_t& out) {
    if ((chars & repeated(0x80)) != 0) return false;
    const auto at_least = [](std::uint64_t bytes, std::uint8_t low) {
        return (bytes + repeated(static_cast<std::uint8_t>(0x80 - low))) & repeated(0x80);
    };
    const std::uint64_t lower = chars | repeated(0x20);  // A-F as a-f; digits stay
    const std::uint64_t digits = at_least(chars, '0') & ~at_least(chars, '9' + 1);
    const std::uint64_t letters = at_least(lower, 'a') & ~at_least(lower, 'f' + 1);
    if ((digits | letters) != repeated(0x80)) return false;
    const std::uint64_t nibbles = (chars & repeated(0x0f)) + (letters >> 7U) * 9;
    const std::uint64_t pairs = ((nibbles << 4U) | (nibbles >> 8U)) & 0x00ff00ff00ff00ffULL;  // high nibble first
    const std::uint64_t quads = (pairs | (pairs >> 8U)) & 0x0000ffff0000ffffULL;
    out = static_cast<std::uint32_t>(quads | (quads >> 16U));
    return true;
}
#endif

// 96 hex digits into the 48 bytes of a pubkey.
[[gnu::always_inline]] inline bool scan_pubkey_hex(const char*& at, const char* end, Pubkey& out) {
    if (end - at < static_cast<std::ptrdiff_t>(2 * out.size())) return false;
    bool valid = true;
#if defined(__SSE2__)
    for (std::size_t i = 0; i < out.size() / 8; ++i) valid &= hex_sixteen(at + 16 * i, out.data() + 8 * i);
#else
    for (std::size_t i = 0; i < out.size() / 4; ++i) {
        std::uint32_t bytes = 0;
        valid &= hex_word(load_word(at + 8 * i), bytes);
        std::memcpy(out.data() + 4 * i, &bytes, sizeof bytes);
    }
#endif
    if (!valid) return false;
    at += 2 * out.size();
    return true;
}

// A status name and its closing quote; the beacon-APIs statuses, the most common first.
[[gnu::always_inline]] inline bool scan_status(const char*& at, const char* end, ValidatorStatus& out) {
    using enum ValidatorStatus;
    const auto is = [&](const auto& name, ValidatorStatus status) {
        if (!skip_literal(at, end, name)) return false;
        out = status;
        return true;
    };
    return is(R"(active_ongoing")", active_ongoing) || is(R"(pending_queued")", pending_queued) ||
           is(R"(active_exiting")", active_exiting) || is(R"(exited_unslashed")", exited_unslashed) ||
           is(R"(withdrawal_done")", withdrawal_done) || is(R"(withdrawal_possible")", withdrawal_possible) ||
           is(R"(pending_initialized")", pending_initialized) || is(R"(active_slashed")", active_slashed) ||
           is(R"(exited_slashed")", exited_slashed);
}

[[gnu::always_inline]] inline bool scan_bool(const char*& at, const char* end, std::uint8_t& out) {
    if (skip_literal(at, end, "true")) {
        out = 1;
        return true;
    }
    if (skip_literal(at, end, "false")) {
        out = 0;
        return true;
    }
    return false;
}

// A string's content up to its closing quote (not consumed): printable ASCII, no escapes.
[[gnu::always_inline]] inline bool skip_plain_string(const char*& at, const char* end) {
#if defined(__SSE2__)
    while (at < end) {
        const __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        // Signed: control characters and bytes from 0x80 are below ' '.
        const __m128i stop = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(chars, _mm_set1_epi8('"')), _mm_cmpeq_epi8(chars, _mm_set1_epi8('\\'))),
            _mm_or_si128(_mm_cmplt_epi8(chars, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(chars, _mm_set1_epi8(0x7f))));
        if (const int mask = _mm_movemask_epi8(stop); mask != 0) {
            at += std::countr_zero(static_cast<unsigned>(mask));
            return at < end && *at == '"';
        }
        at += 16;
    }
#else
    while (at < end) {
        const std::uint64_t word = load_word(at);
        const std::uint64_t stop = zero_bytes(word ^ repeated('"')) | zero_bytes(word ^ repeated('\\')) |
                                   zero_bytes(word ^ repeated(0x7f)) | (word & repeated(0x80)) |
                                   ((word - repeated(0x20)) & ~word & repeated(0x80));  // below ' '
        if (stop != 0) {
            at += std::countr_zero(stop) / 8;
            return at < end && *at == '"';
        }
        at += 8;
    }
#endif
    return false;
}

// One element in the compact layout into the columns, or false (and nothing written). Flattened: the compiler would
// otherwise leave the column appends as calls in this hot loop.
[[gnu::flatten]] bool scan_validator_element(const char*& at, const char* end, ValidatorTable& table) {
    const char* p = at;
    std::uint64_t index = 0;
    std::uint64_t balance = 0;
    auto status = ValidatorStatus::pending_initialized;
    Pubkey pubkey{};
    std::uint64_t effective_balance = 0;
    std::uint8_t slashed = 0;
    std::uint64_t activation_epoch = 0;
    std::uint64_t exit_epoch = 0;
    const bool matched = skip_literal(p, end, R"({"index":")") && scan_digits(p, index) &&
                         skip_literal(p, end, R"(","balance":")") && scan_digits(p, balance) &&
                         skip_literal(p, end, R"(","status":")") && scan_status(p, end, status) &&
                         skip_literal(p, end, R"(,"validator":{"pubkey":"0x)") && scan_pubkey_hex(p, end, pubkey) &&
                         skip_literal(p, end, R"(","withdrawal_credentials":")") && skip_plain_string(p, end) &&
                         skip_literal(p, end, R"(","effective_balance":")") && scan_digits(p, effective_balance) &&
                         skip_literal(p, end, R"(","slashed":)") && scan_bool(p, end, slashed) &&
                         skip_literal(p, end, R"(,"activation_eligibility_epoch":")") && skip_plain_string(p, end) &&
                         skip_literal(p, end, R"(","activation_epoch":")") && scan_digits(p, activation_epoch) &&
                         skip_literal(p, end, R"(","exit_epoch":")") && scan_digits(p, exit_epoch) &&
                         skip_literal(p, end, R"(","withdrawable_epoch":")") && skip_plain_string(p, end) &&
                         skip_literal(p, end, R"("}})");
    if (!matched) return false;
    table.index.push_back(index);
    table.balance.push_back(balance);
    table.status.push_back(status);
    table.pubkey.push_back(pubkey);
    table.effective_balance.push_back(effective_balance);
    table.slashed.push_back(slashed);
    table.activation_epoch.push_back(activation_epoch);
    table.exit_epoch.push_back(exit_epoch);
    at = p;
    return true;
}

[[gnu::flatten]] bool scan_balance_element(const char*& at, const char* end, BalanceTable& table) {
    const char* p = at;
    std::uint64_t index = 0;
    std::uint64_t balance = 0;
    if (!(skip_literal(p, end, R"({"index":")") && scan_digits(p, index) && skip_literal(p, end, R"(","balance":")") &&
          scan_digits(p, balance) && skip_literal(p, end, R"("})"))) {
        return false;
    }
    table.index.push_back(index);
    table.balance.push_back(balance);
    at = p;
    return true;
}

[[gnu::flatten]] bool scan_total_reward_element(const char*& at, const char* end, RewardTable& table) {
    const char* p = at;
    std::uint64_t index = 0;
    std::int64_t head = 0;
    std::int64_t target = 0;
    std::int64_t source = 0;
    std::int64_t inclusion_delay = 0;  // phase0 only
    std::int64_t inactivity = 0;
    if (!(skip_literal(p, end, R"({"validator_index":")") && scan_digits(p, index) &&
          skip_literal(p, end, R"(","head":")") && scan_signed_digits(p, head) &&
          skip_literal(p, end, R"(","target":")") && scan_signed_digits(p, target) &&
          skip_literal(p, end, R"(","source":")") && scan_signed_digits(p, source))) {
        return false;
    }
    if (skip_literal(p, end, R"(","inclusion_delay":")") && !scan_signed_digits(p, inclusion_delay)) return false;
    if (!(skip_literal(p, end, R"(","inactivity":")") && scan_signed_digits(p, inactivity) &&
          skip_literal(p, end, R"("})"))) {
        return false;
    }
    table.validator_index.push_back(index);
    table.head.push_back(head);
    table.target.push_back(target);
    table.source.push_back(source);
    table.inclusion_delay.push_back(inclusion_delay);
    table.inactivity.push_back(inactivity);
    at = p;
    return true;
}

// Calls `column(to, from)` for each column of two tables of the same kind.
template <typename Column>
void for_each_column(ValidatorTable& to, ValidatorTable& from, Column&& column) {
    column(to.index, from.index);
    column(to.balance, from.balance);
    column(to.status, from.status);
    column(to.pubkey, from.pubkey);
    column(to.effective_balance, from.effective_balance);
    column(to.slashed, from.slashed);
    column(to.activation_epoch, from.activation_epoch);
    column(to.exit_epoch, from.exit_epoch);
}

template <typename Column>
void for_each_column(BalanceTable& to, BalanceTable& from, Column&& column) {
    column(to.index, from.index);
    column(to.balance, from.balance);
}

// The total_rewards columns (ideal_rewards is no column: it comes from the rest of the answer).
template <typename Column>
void for_each_column(RewardTable& to, RewardTable& from, Column&& column) {
    column(to.validator_index, from.validator_index);
    column(to.head, from.head);
    column(to.target, from.target);
    column(to.source, from.source);
    column(to.inclusion_delay, from.inclusion_delay);
    column(to.inactivity, from.inactivity);
}

// Scans the elements of `chunk` (`element,element,...`) into `table`; false, with `table` as it was, when one is not
// in the compact layout.
template <typename Table, typename ScanElement>
bool scan_chunk(std::string_view chunk, Table& table, ScanElement& scan_element) {
    const char* at = chunk.data();
    const char* const end = at + chunk.size();
    const std::size_t rows = table.size();
    while (scan_element(at, end, table)) {
        if (at == end) return true;
        if (*at != ',') break;
        ++at;
    }
    for_each_column(table, table, [rows](auto& column, auto&) { column.resize(rows); });
    return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Large arrays in chunks. Answers of a million validators are hundreds of MB. Parsing one as a single document needs
// a structural index as large as the text (about 0.45 GB of fresh memory for 1,000,000 validators), so the large
// array of an answer (data, or data.total_rewards) is cut into chunks of whole elements. Chunks end where the text
// reads `},{"<first key>":`, which in valid JSON is always structure (the quote cannot close a string: a letter
// follows it). A chunk is scanned in the compact layout; failing that, it is copied into a small reused buffer as a
// document `[element,...]` for the On-Demand parse, so the index stays small and in cache. Whatever does not fit
// (another layout, a chunk that does not parse, a misplaced split) is parsed again as one document, which also gives
// the canonical error.
constexpr std::size_t chunk_bytes = std::size_t{1} << 20U;

struct ChunkedArray {
    std::size_t open{0};   // its '['
    std::size_t close{0};  // the last ']' of the text
};

// Where the array after `key` (`"data":[`) would be, if it is the text's last; the envelope check confirms it.
std::optional<ChunkedArray> find_array(std::string_view json, std::string_view key) {
    const auto at = json.find(key);
    const auto close = json.rfind(']');
    if (at == std::string_view::npos || close == std::string_view::npos || close < at + key.size()) {
        return std::nullopt;
    }
    return ChunkedArray{at + key.size() - 1, close};
}

// Parses `[` + `elements` + `]` from `buffer`; positions start at `first`. Returns how many elements it held.
template <typename ParseElement>
Result<std::size_t> parse_chunk(ondemand::parser& parser, std::string& buffer, std::string_view elements,
                                std::size_t first, ParseElement& parse_element) {
    buffer.clear();
    buffer.reserve(elements.size() + 2 + json_padding);
    buffer += '[';
    buffer.append(elements);
    buffer += ']';
    const std::size_t length = buffer.size();
    buffer.append(json_padding, '\0');
    ondemand::document document;
    if (const auto code = parser.iterate(buffer.data(), length, buffer.size()).get(document);
        code != simdjson::SUCCESS) {
        return json_error("data", code);
    }
    ondemand::array array;
    if (document.get_array().get(array) != simdjson::SUCCESS) return make_error(Errc::parse_error, "data: chunk");
    std::size_t count = 0;
    const auto counted = [&parse_element, &count](ondemand::value& element, std::size_t position) -> Status {
        ++count;
        return parse_element(element, position);
    };
    if (Status status = for_each_in(array, "data", first, counted); !status) return status.error();
    const char* trailing = nullptr;
    if (document.current_location().get(trailing) == simdjson::SUCCESS) {
        return make_error(Errc::parse_error, "data: chunk");
    }
    return count;
}

// A simdjson parser and the buffer its chunks are copied into; one per thread.
struct Worker {
    ondemand::parser parser;
    std::string buffer;
};

// The answer with the array emptied (`envelope`, as padded text) must be valid, with the empty array found where
// `open` says: then the array at `open` in the whole text is the one the answer means.
using EnvelopeCheck = bool (*)(Worker& worker, const PaddedText& envelope, std::size_t open, void* context);

// The chunks of whole elements of the array after `key`, or nullopt when the text does not fit the chunked parse.
std::optional<std::vector<std::string_view>> split_array(Worker& worker, std::string_view json, std::string_view key,
                                                         std::string_view boundary, EnvelopeCheck envelope_check,
                                                         void* context) {
    const auto array = find_array(json, key);
    if (!array) return std::nullopt;
    std::string envelope;
    envelope.reserve(array->open + 1 + (json.size() - array->close) + json_padding);
    envelope.append(json.substr(0, array->open + 1));
    envelope.append(json.substr(array->close));
    const std::size_t envelope_length = envelope.size();
    if (!envelope_check(worker, PaddedText(std::move(envelope), envelope_length), array->open, context)) {
        return std::nullopt;
    }
    std::vector<std::string_view> chunks;
    std::size_t start = array->open + 1;
    while (start < array->close) {
        std::size_t end = array->close;
        std::size_t next = array->close;
        if (array->close - start > chunk_bytes) {
            const auto split = json.find(boundary, start + chunk_bytes);
            if (split != std::string_view::npos && split < array->close) {
                end = split + 1;   // after the '}'
                next = split + 2;  // at the '{'
            }
        }
        chunks.push_back(json.substr(start, end - start));
        start = next;
    }
    return chunks;
}

// Room for `rows` in `column`. Columns of millions of rows ask for transparent huge pages: filling one then takes a
// page fault per 2 MiB instead of one per 4 KiB (the faults cost more than the parse otherwise).
template <typename Value>
void reserve_column(std::vector<Value>& column, std::size_t rows) {
    column.reserve(rows);
#ifdef MADV_HUGEPAGE
    constexpr std::size_t huge_page = std::size_t{2} << 20U;
    auto* const first = static_cast<char*>(static_cast<void*>(column.data()));
    const std::size_t bytes = column.capacity() * sizeof(Value);
    const std::size_t skip = (huge_page - reinterpret_cast<std::uintptr_t>(first) % huge_page) % huge_page;
    // Only a hint: without huge pages the column works the same.
    if (bytes > skip + huge_page) (void)madvise(first + skip, (bytes - skip) / huge_page * huge_page, MADV_HUGEPAGE);
#endif
}

// Room for the most rows `bytes` of text can hold (no element is shorter than `smallest_element`): capacity never
// written stays virtual, not resident, and no column is copied while it grows.
template <typename Table>
void reserve_rows(Table& table, std::size_t bytes, std::size_t smallest_element) {
    const std::size_t rows = bytes / smallest_element + 1;
    for_each_column(table, table, [rows](auto& column, auto&) { reserve_column(column, rows); });
}

// Which thread copies each column of a table at the end of parse_chunks: the widest columns first, each to the
// thread with the fewest bytes per row so far.
template <typename Table>
std::vector<std::size_t> column_owners(std::size_t threads) {
    Table table;
    std::vector<std::size_t> widths;
    for_each_column(table, table, [&widths](auto& column, auto&) {
        widths.push_back(sizeof(typename std::decay_t<decltype(column)>::value_type));
    });
    std::vector<std::size_t> order(widths.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&widths](auto a, auto b) { return widths[a] > widths[b]; });
    std::vector<std::size_t> owners(widths.size());
    std::vector<std::size_t> load(threads);
    for (const auto column : order) {
        const auto least = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        owners[column] = least;
        load[least] += widths[column];
    }
    return owners;
}

// Parses `chunks` into `table` with up to workers.size() threads. The calling thread takes chunks from the front and
// writes their rows straight into `table` (sized for all); the others take chunks from the back into tables of their
// own. Taking chunks as they go balances the work when a core is busy with something else. At the end the threads
// copy the back's rows after the front's, each thread some of the columns. False when a chunk does not parse (the
// caller then parses the whole text, which names the error's path).
template <typename Table, typename ParseElement, typename ScanElement>
bool parse_chunks(std::vector<Worker>& workers, const std::vector<std::string_view>& chunks,
                  std::size_t smallest_element, Table& table, ParseElement& parse_element, ScanElement& scan_element) {
    const std::size_t threads = std::max<std::size_t>(1, std::min(workers.size(), chunks.size()));
    std::size_t all_bytes = 0;
    for (const auto chunk : chunks) all_bytes += chunk.size();
    reserve_rows(table, all_bytes, smallest_element);
    struct Rows {
        std::size_t part{0};  // the thread's table
        std::size_t begin{0};
        std::size_t end{0};
    };
    std::vector<Rows> rows_of(chunks.size());
    std::vector<Table> parts(threads);  // parts[0] stays empty: the calling thread writes into `table`
    const auto owners = column_owners<Table>(threads);
    std::mutex claims;
    std::size_t front = 0;
    std::size_t back = chunks.size();
    std::atomic<bool> failed{false};
    std::barrier parsed(static_cast<std::ptrdiff_t>(threads));
    const auto parse_share = [&](std::size_t part) {
        Table& into = part == 0 ? table : parts[part];
        if (part > 0) reserve_rows(into, all_bytes, smallest_element);  // only what is written becomes resident
        auto element = [&into, &parse_element](ondemand::value& value, std::size_t position) -> Status {
            return parse_element(value, position, into);
        };
        while (!failed.load(std::memory_order_relaxed)) {
            std::size_t chunk = 0;
            {
                const std::lock_guard lock(claims);
                if (front == back) return;
                chunk = part == 0 ? front++ : --back;
            }
            const std::size_t begin = into.size();
            if (!scan_chunk(chunks[chunk], into, scan_element) &&
                !parse_chunk(workers[part].parser, workers[part].buffer, chunks[chunk], 0, element)) {
                failed = true;
                return;
            }
            rows_of[chunk] = Rows{part, begin, into.size()};
        }
    };
    const auto copy_share = [&](std::size_t part) {
        for (std::size_t chunk = front; chunk < chunks.size(); ++chunk) {
            const Rows& rows = rows_of[chunk];
            std::size_t column = 0;
            for_each_column(table, parts[rows.part], [&](auto& to, auto& from) {
                if (owners[column++] != part) return;
                const auto first = from.begin() + static_cast<std::ptrdiff_t>(rows.begin);
                to.insert(to.end(), first, first + static_cast<std::ptrdiff_t>(rows.end - rows.begin));
            });
        }
    };
    const auto run = [&](std::size_t part) {
        try {
            parse_share(part);
        } catch (const std::exception&) {
            failed = true;  // out of memory in a worker: the caller's whole-text parse reports it
        }
        parsed.arrive_and_wait();
        if (failed) return;
        try {
            copy_share(part);
        } catch (const std::exception&) {
            failed = true;
        }
    };
    std::vector<std::thread> helpers;
    helpers.reserve(threads - 1);
    for (std::size_t part = 1; part < threads; ++part) {
        try {
            helpers.emplace_back(run, part);
        } catch (const std::system_error&) {
            // No thread to be had: the caller's whole-text parse does the work. The missing threads leave the barrier.
            failed = true;
            for (std::size_t missing = part; missing < threads; ++missing) parsed.arrive_and_drop();
            break;
        }
    }
    run(0);
    for (auto& helper : helpers) helper.join();
    return !failed;
}

// The whole text as one document: the answers that do not fit the chunked parse, and every error's wording.
template <typename Table, typename ParseElement>
Status parse_data_document(Worker& worker, const PaddedText& text, std::size_t smallest_element, Table& table,
                           ParseElement& parse_element) {
    reserve_rows(table, text.view().size(), smallest_element);
    return for_data(worker.parser, text, [&table, &parse_element](ondemand::value& data) -> Status {
        return for_each_element(data, "data", [&table, &parse_element](ondemand::value& element, std::size_t position) {
            return parse_element(element, position, table);
        });
    });
}

// The envelope of a validators or balances answer: `data` is the empty array at `open`.
bool data_envelope_ok(Worker& worker, const PaddedText& envelope, std::size_t open, void* /*context*/) {
    const char* const expected = envelope.view().data() + open;
    return static_cast<bool>(for_data(worker.parser, envelope, [expected](ondemand::value& data) -> Status {
        ondemand::array empty;
        if (token_of(data).data() != expected || data.get_array().get(empty) != simdjson::SUCCESS) {
            return make_error(Errc::parse_error, "data");
        }
        return for_each_in(empty, "data", 0, [](ondemand::value&, std::size_t) -> Status {
            return make_error(Errc::parse_error, "data");
        });
    }));
}

template <typename Table, typename ParseElement, typename ScanElement>
Status parse_data_array(std::vector<Worker>& workers, const PaddedText& text, std::string_view boundary,
                        std::size_t smallest_element, Table& table, ParseElement parse_element,
                        ScanElement scan_element) {
    if (const auto chunks =
            split_array(workers.front(), text.view(), R"("data":[)", boundary, data_envelope_ok, nullptr)) {
        if (parse_chunks(workers, *chunks, smallest_element, table, parse_element, scan_element)) return {};
        table = Table{};
    }
    return parse_data_document(workers.front(), text, smallest_element, table, parse_element);
}

Status parse_validators(std::vector<Worker>& workers, const PaddedText& text, ValidatorTable& table) {
    // The shortest element with every field we read is about 230 bytes.
    return parse_data_array(workers, text, R"(},{"index":)", 200, table, parse_validator_element,
                            scan_validator_element);
}

Status parse_balances(std::vector<Worker>& workers, const PaddedText& text, BalanceTable& table) {
    // {"index":"0","balance":"0"}
    return parse_data_array(workers, text, R"(},{"index":)", 27, table, parse_balance_element, scan_balance_element);
}

// The shortest total_rewards element is about 76 bytes.
constexpr std::size_t smallest_total_reward = 64;

// The whole rewards answer as one document. `total_rewards_at` (when given) receives where the total_rewards array
// begins in the text, and `total_rewards_seen` how many there are.
Status parse_reward_document(Worker& worker, const PaddedText& text, RewardTable& table,
                             const char** total_rewards_at = nullptr, std::size_t* total_rewards_seen = nullptr) {
    reserve_rows(table, text.view().size(), smallest_total_reward);
    return for_data(worker.parser, text, [&](ondemand::value& data) -> Status {
        bool has_ideal = false;
        bool has_total = false;
        const auto on_ideal = [&table](ondemand::value& element, std::size_t position) -> Status {
            RewardRow row;
            if (Status result =
                    parse_reward_row(element, Path{"data.ideal_rewards", position, "", ""}, "effective_balance", row);
                !result) {
                return result;
            }
            table.ideal.push_back(
                IdealReward{row.first, row.head, row.target, row.source, row.inclusion_delay, row.inactivity});
            return {};
        };
        const auto on_total = [&table](ondemand::value& element, std::size_t position) -> Status {
            return parse_total_reward_element(element, position, table);
        };
        const auto on_field = [&](ondemand::raw_json_string key, ondemand::value& value) -> Status {
            if (key.unsafe_is_equal("ideal_rewards")) {
                has_ideal = true;
                return for_each_element(value, "data.ideal_rewards", on_ideal);
            }
            if (key.unsafe_is_equal("total_rewards")) {
                has_total = true;
                if (total_rewards_at != nullptr) *total_rewards_at = token_of(value).data();
                if (total_rewards_seen != nullptr) ++*total_rewards_seen;
                return for_each_element(value, "data.total_rewards", on_total);
            }
            return {};
        };
        ondemand::object object;
        if (data.get_object().get(object) != simdjson::SUCCESS) {
            return make_error(Errc::parse_error,
                              fmt::format("data: expected an object with ideal_rewards and total_rewards, got {}",
                                          shown(token_of(data))));
        }
        for (auto item : object) {
            ondemand::field field;
            if (const auto code = std::move(item).get(field); code != simdjson::SUCCESS)
                return json_error("data", code);
            if (Status status = on_field(field.key(), field.value()); !status) return status;
        }
        if (!has_ideal) return make_error(Errc::parse_error, "data.ideal_rewards: missing");
        if (!has_total) return make_error(Errc::parse_error, "data.total_rewards: missing");
        return {};
    });
}

// The envelope of a rewards answer: valid, with one total_rewards, the empty array at `open`. Its ideal_rewards go
// to the RewardTable `context`.
bool rewards_envelope_ok(Worker& worker, const PaddedText& envelope, std::size_t open, void* context) {
    auto& ideal = static_cast<RewardTable*>(context)->ideal;
    RewardTable rest;
    const char* total_rewards_at = nullptr;
    std::size_t total_rewards_seen = 0;
    if (!parse_reward_document(worker, envelope, rest, &total_rewards_at, &total_rewards_seen) ||
        total_rewards_seen != 1 || total_rewards_at != envelope.view().data() + open || rest.size() != 0) {
        return false;
    }
    ideal = std::move(rest.ideal);
    return true;
}

Status parse_rewards(std::vector<Worker>& workers, const PaddedText& text, RewardTable& table) {
    if (const auto chunks = split_array(workers.front(), text.view(), R"("total_rewards":[)",
                                        R"(},{"validator_index":)", rewards_envelope_ok, &table)) {
        if (parse_chunks(workers, *chunks, smallest_total_reward, table, parse_total_reward_element,
                         scan_total_reward_element)) {
            return {};
        }
    }
    table = RewardTable{};
    return parse_reward_document(workers.front(), text, table);
}

template <typename Table, typename Parse>
Result<Table> run(std::vector<Worker>& workers, const PaddedText& text, Parse parse) {
    Table table;
    if (Status status = parse(workers, text, table); !status) return status.error();
    return table;
}

}  // namespace

struct Ingester::Parser {
    std::vector<Worker> workers;
};

Ingester::Ingester(unsigned threads) : parser_(std::make_unique<Parser>()) {
    parser_->workers.resize(std::max(1U, threads));
}
Ingester::~Ingester() = default;
Ingester::Ingester(Ingester&&) noexcept = default;
Ingester& Ingester::operator=(Ingester&&) noexcept = default;

Result<ValidatorTable> Ingester::validators(const PaddedText& json) {
    return run<ValidatorTable>(parser_->workers, json, parse_validators);
}

Result<BalanceTable> Ingester::balances(const PaddedText& json) {
    return run<BalanceTable>(parser_->workers, json, parse_balances);
}

Result<RewardTable> Ingester::rewards(const PaddedText& json) {
    return run<RewardTable>(parser_->workers, json, parse_rewards);
}

Result<ValidatorTable> parse_validator_table(std::string_view json) {
    return Ingester().validators(PaddedText::copy_of(json));
}

Result<BalanceTable> parse_balance_table(std::string_view json) {
    return Ingester().balances(PaddedText::copy_of(json));
}

Result<RewardTable> parse_reward_table(std::string_view json) {
    return Ingester().rewards(PaddedText::copy_of(json));
}

}  // namespace ephemery::monitoring
