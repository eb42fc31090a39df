#include "monitoring/ingest.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <exception>
#include <limits>
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

// Sizes the columns once for the most rows `text` can hold (no element is shorter than `smallest_element` bytes):
// capacity that is never written stays virtual, not resident, and no column is copied while it grows.
template <typename... Columns>
void reserve_all(const PaddedText& text, std::size_t smallest_element, Columns&... columns) {
    const std::size_t rows = text.view().size() / smallest_element + 1;
    (columns.reserve(rows), ...);
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

// Answers of a million validators are hundreds of MB. Parsing one as a single document needs a structural index as
// large as the text (about 0.45 GB of fresh memory for 1,000,000 validators), so a top-level "data" array written
// compactly is parsed in chunks of whole elements instead, each copied into a small reused buffer as a document
// `[element,...]`: the index stays small and in cache. Chunks end where the text reads `},{"<first key>":`, which
// in valid JSON is always structure (the quote cannot close a string: a letter follows it). Whatever does not fit
// (another layout, a chunk that does not parse, a misplaced split) is parsed again as one document, which also gives
// the canonical error.
constexpr std::size_t chunk_bytes = std::size_t{1} << 20U;

struct ChunkedArray {
    std::size_t open{0};   // the '[' of data
    std::size_t close{0};  // the last ']' of the text
};

std::optional<ChunkedArray> find_data_array(std::string_view json) {
    constexpr std::string_view key = R"("data":[)";
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

// The chunks of whole elements of the answer's data array, or nullopt when the text does not fit the chunked parse.
std::optional<std::vector<std::string_view>> split_data_array(Worker& worker, std::string_view json,
                                                              std::string_view boundary) {
    const auto array = find_data_array(json);
    if (!array || json.size() < 4 * chunk_bytes) return std::nullopt;
    // The envelope: the answer with an empty data array must be a valid answer.
    const std::string envelope = std::string(json.substr(0, array->open + 1)) + std::string(json.substr(array->close));
    if (!for_data(worker.parser, PaddedText::copy_of(envelope), [](ondemand::value& data) -> Status {
            ondemand::array empty;
            if (data.get_array().get(empty) != simdjson::SUCCESS) return make_error(Errc::parse_error, "data");
            return for_each_in(empty, "data", 0, [](ondemand::value&, std::size_t) -> Status {
                return make_error(Errc::parse_error, "data");
            });
        })) {
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

// Room for the most rows `bytes` of text can hold (no element is shorter than `smallest_element`): capacity never
// written stays virtual, not resident, and no column is copied while it grows.
template <typename Table>
void reserve_rows(Table& table, std::size_t bytes, std::size_t smallest_element) {
    const std::size_t rows = bytes / smallest_element + 1;
    for_each_column(table, table, [rows](auto& column, auto&) { column.reserve(rows); });
}

// Parses `chunks` into `table` with up to workers.size() threads, each taking a contiguous run of chunks into a
// table of its own, joined in order at the end. False when a chunk does not parse (the caller then parses the
// whole text, which names the error's path).
template <typename Table, typename ParseElement>
bool parse_chunks(std::vector<Worker>& workers, const std::vector<std::string_view>& chunks,
                  std::size_t smallest_element, Table& table, ParseElement& parse_element) {
    const std::size_t threads = std::max<std::size_t>(1, std::min(workers.size(), chunks.size()));
    std::vector<Table> parts(threads);
    std::vector<char> succeeded(threads, 0);
    const auto run = [&](std::size_t part) {
        try {
            const std::size_t first = chunks.size() * part / threads;
            const std::size_t last = chunks.size() * (part + 1) / threads;
            std::size_t bytes = 0;
            for (std::size_t i = first; i < last; ++i) bytes += chunks[i].size();
            Table& into = parts[part];
            reserve_rows(into, bytes, smallest_element);
            auto element = [&into, &parse_element](ondemand::value& value, std::size_t position) -> Status {
                return parse_element(value, position, into);
            };
            for (std::size_t i = first; i < last; ++i) {
                if (!parse_chunk(workers[part].parser, workers[part].buffer, chunks[i], 0, element)) return;
            }
            succeeded[part] = 1;
        } catch (const std::exception&) {
            succeeded[part] = 0;  // out of memory in a worker: the caller's whole-text parse reports it
        }
    };
    std::vector<std::thread> helpers;
    helpers.reserve(threads - 1);
    for (std::size_t part = 1; part < threads; ++part) helpers.emplace_back(run, part);
    run(0);
    for (auto& helper : helpers) helper.join();
    if (std::find(succeeded.begin(), succeeded.end(), 0) != succeeded.end()) return false;
    table = std::move(parts[0]);
    for (std::size_t part = 1; part < threads; ++part) {
        for_each_column(table, parts[part],
                        [](auto& to, auto& from) { to.insert(to.end(), from.begin(), from.end()); });
        parts[part] = Table{};
    }
    return true;
}

template <typename Table, typename ParseElement>
Status parse_data_array(std::vector<Worker>& workers, const PaddedText& text, std::string_view boundary,
                        std::size_t smallest_element, Table& table, ParseElement parse_element) {
    if (const auto chunks = split_data_array(workers.front(), text.view(), boundary)) {
        if (parse_chunks(workers, *chunks, smallest_element, table, parse_element)) return {};
        table = Table{};
    }
    reserve_rows(table, text.view().size(), smallest_element);
    return for_data(workers.front().parser, text, [&table, &parse_element](ondemand::value& data) -> Status {
        return for_each_element(data, "data", [&table, &parse_element](ondemand::value& element, std::size_t position) {
            return parse_element(element, position, table);
        });
    });
}

Status parse_validators(std::vector<Worker>& workers, const PaddedText& text, ValidatorTable& table) {
    // The shortest element with every field we read is about 230 bytes.
    return parse_data_array(workers, text, R"(},{"index":)", 200, table, parse_validator_element);
}

Status parse_balances(std::vector<Worker>& workers, const PaddedText& text, BalanceTable& table) {
    // {"index":"0","balance":"0"}
    return parse_data_array(workers, text, R"(},{"index":)", 27, table, parse_balance_element);
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

Status parse_rewards(std::vector<Worker>& workers, const PaddedText& text, RewardTable& table) {
    ondemand::parser& parser = workers.front().parser;
    // The shortest total_rewards element is about 76 bytes.
    reserve_all(text, 64, table.validator_index, table.head, table.target, table.source, table.inclusion_delay,
                table.inactivity);
    return for_data(parser, text, [&table](ondemand::value& data) -> Status {
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
            RewardRow row;
            if (Status result =
                    parse_reward_row(element, Path{"data.total_rewards", position, "", ""}, "validator_index", row);
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
        };
        const auto on_field = [&](ondemand::raw_json_string key, ondemand::value& value) -> Status {
            if (key.unsafe_is_equal("ideal_rewards")) {
                has_ideal = true;
                return for_each_element(value, "data.ideal_rewards", on_ideal);
            }
            if (key.unsafe_is_equal("total_rewards")) {
                has_total = true;
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
