#include "keymanager/response.hpp"

#include "slashing/interchange.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace ephemery::keymanager {

namespace {

constexpr std::size_t pubkey_bytes = 48;
// A client's explanation of one key, or of a refused request: enough for any real message, short for a terminal.
constexpr std::size_t max_message_bytes = 300;
constexpr std::size_t max_path_bytes = 100;

Error malformed(std::string_view what) {
    return make_error(Errc::parse_error, fmt::format("the answer is not what the keymanager API specifies: {}", what));
}

// The length of the UTF-8 character starting at text[at], or 0 when the bytes there are not valid UTF-8.
std::size_t utf8_length(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80U) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80U;  // the range the second byte must fall in (excludes overlong forms and surrogates)
    unsigned char high = 0xBFU;
    if (lead >= 0xC2U && lead <= 0xDFU) {
        length = 2;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
        length = 3;
        if (lead == 0xE0U) low = 0xA0U;
        if (lead == 0xEDU) high = 0x9FU;
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
        length = 4;
        if (lead == 0xF0U) low = 0x90U;
        if (lead == 0xF4U) high = 0x8FU;
    } else {
        return 0;
    }
    if (at + length > text.size()) return 0;
    if (byte(at + 1) < low || byte(at + 1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(at + i) < 0x80U || byte(at + i) > 0xBFU) return 0;
    }
    return length;
}

// The "data" array every keymanager answer wraps its payload in.
Result<const nlohmann::json*> data_array(const nlohmann::json& document) {
    if (!document.is_object()) return malformed("the body is not a JSON object");
    const auto data = document.find("data");
    if (data == document.end()) return malformed("it has no \"data\"");
    if (!data->is_array()) return malformed("\"data\" is not an array");
    return &*data;
}

Result<nlohmann::json> parse_json(std::string_view body) {
    auto document = nlohmann::json::parse(body, nullptr, false);
    if (document.is_discarded()) return malformed("the body is not JSON");
    return document;
}

// Control characters, invalid UTF-8 and length handled; secrets are cut out by quote() first.
std::string printable(std::string_view text, std::size_t max_bytes) {
    std::string result;
    result.reserve(std::min(text.size(), max_bytes) + 3);
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t length = utf8_length(text, at);
        const std::size_t taken = length == 0 ? 1 : length;
        if (result.size() + taken > max_bytes) {
            result += "...";
            break;
        }
        const auto lead = static_cast<unsigned char>(text[at]);
        // C0 controls, DEL, and the C1 controls U+0080..U+009F (0xC2 0x80..0x9F), which terminals also obey
        const bool c1 = length == 2 && lead == 0xC2U && static_cast<unsigned char>(text[at + 1]) < 0xA0U;
        if (length == 0 || lead < 0x20U || lead == 0x7FU || c1) {
            result += '?';
        } else {
            result.append(text.substr(at, length));
        }
        at += taken;
    }
    return result;
}

Result<ImportStatus> import_status(const nlohmann::json& entry, std::size_t index,
                                   std::span<const SecretString> secrets) {
    const std::string path = fmt::format("data[{}]", index);
    if (!entry.is_object()) return malformed(fmt::format("{} is not an object", path));
    const auto status = entry.find("status");
    if (status == entry.end() || !status->is_string()) {
        return malformed(fmt::format("{}.status is missing or not a string", path));
    }
    ImportStatus result;
    const auto& name = status->get_ref<const std::string&>();
    if (name == "imported") {
        result.state = ImportState::imported;
    } else if (name == "duplicate") {
        result.state = ImportState::duplicate;
    } else if (name == "error") {
        result.state = ImportState::error;
    } else {
        return malformed(fmt::format("{}.status is \"{}\", not imported, duplicate or error", path,
                                     quote(name, secrets, max_path_bytes)));
    }
    const auto message = entry.find("message");
    if (message != entry.end() && !message->is_null()) {
        if (!message->is_string()) return malformed(fmt::format("{}.message is not a string", path));
        result.message = quote(message->get_ref<const std::string&>(), secrets, max_message_bytes);
    }
    return result;
}

Result<RemoteKey> remote_key(const nlohmann::json& entry, std::size_t index, std::span<const SecretString> secrets) {
    const std::string path = fmt::format("data[{}]", index);
    if (!entry.is_object()) return malformed(fmt::format("{} is not an object", path));
    RemoteKey key;
    const auto pubkey = entry.find("validating_pubkey");
    if (pubkey == entry.end() || !pubkey->is_string()) {
        return malformed(fmt::format("{}.validating_pubkey is missing or not a string", path));
    }
    auto normalised = slashing::normalise_hex(pubkey->get_ref<const std::string&>(), pubkey_bytes);
    if (!normalised) {
        return malformed(fmt::format("{}.validating_pubkey \"{}\" is not 0x and 96 hex digits", path,
                                     quote(pubkey->get_ref<const std::string&>(), secrets, max_path_bytes)));
    }
    key.validating_pubkey = std::move(*normalised);
    const auto derivation = entry.find("derivation_path");
    if (derivation != entry.end() && !derivation->is_null()) {
        if (!derivation->is_string()) return malformed(fmt::format("{}.derivation_path is not a string", path));
        key.derivation_path = quote(derivation->get_ref<const std::string&>(), secrets, max_path_bytes);
    }
    const auto readonly = entry.find("readonly");
    if (readonly != entry.end() && !readonly->is_null()) {
        if (!readonly->is_boolean()) return malformed(fmt::format("{}.readonly is not true or false", path));
        key.readonly = readonly->get<bool>();
    }
    return key;
}

}  // namespace

std::string_view state_name(ImportState state) {
    switch (state) {
        case ImportState::imported: return "imported";
        case ImportState::duplicate: return "duplicate";
        case ImportState::error: return "error";
    }
    return "error";
}

Result<std::vector<ImportStatus>> parse_import_response(std::string_view body, std::size_t keystores_sent,
                                                        std::span<const SecretString> secrets) {
    const auto document = parse_json(body);
    if (!document) return document.error();
    const auto data = data_array(*document);
    if (!data) return data.error();
    const nlohmann::json& entries = **data;
    if (entries.size() != keystores_sent) {
        return malformed(
            fmt::format("\"data\" has {} statuses for the {} keystores sent", entries.size(), keystores_sent));
    }
    std::vector<ImportStatus> statuses;
    statuses.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        auto status = import_status(entries[i], i, secrets);
        if (!status) return status.error();
        statuses.push_back(std::move(status).value());
    }
    return statuses;
}

Result<std::vector<RemoteKey>> parse_list_response(std::string_view body, std::span<const SecretString> secrets) {
    const auto document = parse_json(body);
    if (!document) return document.error();
    const auto data = data_array(*document);
    if (!data) return data.error();
    std::vector<RemoteKey> keys;
    keys.reserve((*data)->size());
    for (std::size_t i = 0; i < (*data)->size(); ++i) {
        auto key = remote_key((**data)[i], i, secrets);
        if (!key) return key.error();
        keys.push_back(std::move(key).value());
    }
    return keys;
}

std::optional<std::string> error_message(std::string_view body, std::span<const SecretString> secrets) {
    const auto document = nlohmann::json::parse(body, nullptr, false);
    if (!document.is_object()) return std::nullopt;
    for (const auto* field : {"message", "error"}) {
        const auto value = document.find(field);
        if (value != document.end() && value->is_string() && !value->get_ref<const std::string&>().empty()) {
            return quote(value->get_ref<const std::string&>(), secrets, max_message_bytes);
        }
    }
    return std::nullopt;
}

std::string quote(std::string_view text, std::span<const SecretString> secrets, std::size_t max_bytes) {
    std::string redacted(text);
    for (const SecretString& secret : secrets) {
        const std::string& value = secret.reveal();
        if (value.empty()) continue;
        for (auto at = redacted.find(value); at != std::string::npos;
             at = redacted.find(value, at + std::string_view(SecretString::redacted).size())) {
            redacted.replace(at, value.size(), SecretString::redacted);
        }
    }
    return printable(redacted, max_bytes);
}

}  // namespace ephemery::keymanager
