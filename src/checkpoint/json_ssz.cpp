#include "checkpoint/json_ssz.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

namespace ephemery::checkpoint {
namespace {

using nlohmann::json;

Error bad(const std::string& path, std::string_view what) {
    return make_error(Errc::parse_error, fmt::format("JSON `{}` {}", path, what));
}

// A decimal string (or JSON number) as a little-endian unsigned integer of `width` bytes.
Result<std::vector<std::uint8_t>> uint_bytes(const json& value, std::size_t width, const std::string& path) {
    std::string digits;
    if (value.is_number_unsigned()) {
        digits = std::to_string(value.get<std::uint64_t>());
    } else if (value.is_string()) {
        digits = value.get<std::string>();
    } else {
        return bad(path, "is not an unsigned integer (a decimal string)");
    }
    if (digits.empty() || digits.size() > 80) return bad(path, "is not an unsigned decimal integer");
    std::vector<std::uint8_t> out(width, 0);
    for (const char digit : digits) {
        if (digit < '0' || digit > '9')
            return bad(path, fmt::format("is not an unsigned decimal integer: \"{}\"", digits));
        // out = out * 10 + digit, little-endian, failing on overflow of the width.
        auto carry = static_cast<unsigned>(digit - '0');
        for (auto& byte : out) {
            const unsigned product = byte * 10U + carry;
            byte = static_cast<std::uint8_t>(product & 0xffU);
            carry = product >> 8U;
        }
        if (carry != 0) return bad(path, fmt::format("does not fit in uint{}", width * 8));
    }
    return out;
}

Result<std::vector<std::uint8_t>> hex_bytes(const json& value, const std::string& path) {
    if (!value.is_string()) return bad(path, "is not a 0x-hex string");
    const auto& text = value.get_ref<const std::string&>();
    if (text.rfind("0x", 0) != 0) return bad(path, "does not start with 0x");
    auto bytes = from_hex(std::string_view(text).substr(2));
    if (!bytes) return bad(path, "is not valid hex");
    return std::move(*bytes);
}

Result<ssz::Value> to_value(const ssz::Type& type, const json& value, const std::string& path) {
    ssz::Value out;
    switch (type.kind()) {
        case ssz::Kind::uint: {
            auto bytes = uint_bytes(value, type.length(), path);
            if (!bytes) return bytes.error();
            out.bytes = std::move(*bytes);
            return out;
        }
        case ssz::Kind::boolean:
            if (!value.is_boolean()) return bad(path, "is not true or false");
            out.bytes = {static_cast<std::uint8_t>(value.get<bool>() ? 1 : 0)};
            return out;
        case ssz::Kind::byte_vector:
        case ssz::Kind::byte_list:
        case ssz::Kind::bitvector:
        case ssz::Kind::bitlist: {
            auto bytes = hex_bytes(value, path);
            if (!bytes) return bytes.error();
            out.bytes = std::move(*bytes);
            return out;
        }
        case ssz::Kind::vector:
        case ssz::Kind::list: {
            if (!value.is_array()) return bad(path, "is not an array");
            if (value.size() > type.length()) {
                return bad(path, fmt::format("has {} elements, more than the {} allowed", value.size(), type.length()));
            }
            out.items.reserve(value.size());
            for (std::size_t i = 0; i < value.size(); ++i) {
                auto item = to_value(*type.element(), value[i], fmt::format("{}[{}]", path, i));
                if (!item) return item.error();
                out.items.push_back(std::move(*item));
            }
            return out;
        }
        case ssz::Kind::container: {
            if (!value.is_object()) return bad(path, "is not an object");
            for (const auto& field : type.fields()) {
                const auto found = value.find(field.name);
                const std::string field_path = path + "." + field.name;
                if (found == value.end()) return bad(field_path, "is missing");
                auto item = to_value(*field.type, *found, field_path);
                if (!item) return item.error();
                out.items.push_back(std::move(*item));
            }
            return out;
        }
    }
    return bad(path, "has a type this converter does not know");
}

}  // namespace

Result<std::vector<std::uint8_t>> ssz_from_json(const ssz::Type& type, const nlohmann::json& value,
                                                std::string_view root_name) {
    auto converted = to_value(type, value, std::string(root_name));
    if (!converted) return converted.error();
    auto bytes = ssz::encode(type, *converted);
    if (!bytes) return make_error(Errc::parse_error, fmt::format("JSON `{}`: {}", root_name, bytes.error().message));
    return bytes;
}

Result<std::vector<std::uint8_t>> signed_block_ssz_from_json(std::string_view body,
                                                             const ssz::ConsensusPreset& preset) {
    const auto document = json::parse(body.begin(), body.end(), nullptr, false);
    if (!document.is_object())
        return make_error(Errc::parse_error, "the block answer is neither SSZ nor a JSON object");
    const auto version = document.find("version");
    const auto data = document.find("data");
    if (version == document.end() || !version->is_string() || data == document.end()) {
        return make_error(Errc::parse_error, "the JSON block answer lacks `version` or `data`");
    }
    const auto fork = ssz::parse_fork_name(version->get<std::string>());
    if (!fork) {
        return make_error(Errc::unsupported,
                          fmt::format("the JSON block answer is of fork `{}`, which ephemery does not know",
                                      version->get<std::string>().substr(0, 40)));
    }
    const auto schemas = ssz::beacon_schemas(*fork, preset);
    return ssz_from_json(*schemas.signed_beacon_block, *data, "data");
}

}  // namespace ephemery::checkpoint
