#include "keys/password.hpp"

#include "keys/unicode_tables.hpp"

#include <algorithm>
#include <span>

namespace ephemery::keys {
namespace {

// Hangul syllables decompose by formula (Unicode 15, section 3.12), not by table.
constexpr char32_t hangul_base = 0xAC00;
constexpr char32_t hangul_l_base = 0x1100;
constexpr char32_t hangul_v_base = 0x1161;
constexpr char32_t hangul_t_base = 0x11A7;
constexpr char32_t hangul_t_count = 28;
constexpr char32_t hangul_n_count = 21 * hangul_t_count;
constexpr char32_t hangul_count = 19 * hangul_n_count;

std::span<const unicode::Decomposition> decomposition_table() {
    return {unicode::decompositions, unicode::decomposition_count};
}

std::uint8_t combining_class(char32_t code) {
    const std::span<const unicode::CombiningClass> table{unicode::combining_classes, unicode::combining_class_count};
    const auto it = std::lower_bound(table.begin(), table.end(), code,
                                     [](const unicode::CombiningClass& entry, char32_t c) { return entry.code < c; });
    return it != table.end() && it->code == code ? it->value : 0;
}

void decompose(char32_t code, std::u32string& out, int depth) {
    if (code >= hangul_base && code < hangul_base + hangul_count) {
        const char32_t index = code - hangul_base;
        out.push_back(static_cast<char32_t>(hangul_l_base + index / hangul_n_count));
        out.push_back(static_cast<char32_t>(hangul_v_base + (index % hangul_n_count) / hangul_t_count));
        if (index % hangul_t_count != 0) out.push_back(static_cast<char32_t>(hangul_t_base + index % hangul_t_count));
        return;
    }
    const auto table = decomposition_table();
    const auto it = std::lower_bound(table.begin(), table.end(), code,
                                     [](const unicode::Decomposition& entry, char32_t c) { return entry.code < c; });
    if (it == table.end() || it->code != code || depth > 32) {
        out += code;
        return;
    }
    for (std::uint8_t i = 0; i < it->length; ++i)
        decompose(unicode::decomposition_pool[it->offset + i], out, depth + 1);
}

Result<std::u32string> decode_utf8(std::string_view text) {
    std::u32string codes;
    std::size_t i = 0;
    const auto invalid = [&] {
        return make_error(Errc::invalid_argument, "the password is not valid UTF-8 (byte " + std::to_string(i) + ")");
    };
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        char32_t code = 0;
        if (lead < 0x80) {
            length = 1;
            code = lead;
        } else if ((lead & 0xE0U) == 0xC0) {
            length = 2;
            code = lead & 0x1FU;
        } else if ((lead & 0xF0U) == 0xE0) {
            length = 3;
            code = lead & 0x0FU;
        } else if ((lead & 0xF8U) == 0xF0) {
            length = 4;
            code = lead & 0x07U;
        } else {
            return invalid();
        }
        if (i + length > text.size()) return invalid();
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0U) != 0x80) return invalid();
            code = (code << 6U) | (next & 0x3FU);
        }
        static constexpr char32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};  // NOLINT(modernize-avoid-c-arrays)
        if (code < minimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return invalid();
        codes += code;
        i += length;
    }
    return codes;
}

void append_utf8(char32_t code, std::vector<std::uint8_t>& out) {
    if (code < 0x80) {
        out.push_back(static_cast<std::uint8_t>(code));
    } else if (code < 0x800) {
        out.push_back(static_cast<std::uint8_t>(0xC0U | (code >> 6U)));
        out.push_back(static_cast<std::uint8_t>(0x80U | (code & 0x3FU)));
    } else if (code < 0x10000) {
        out.push_back(static_cast<std::uint8_t>(0xE0U | (code >> 12U)));
        out.push_back(static_cast<std::uint8_t>(0x80U | ((code >> 6U) & 0x3FU)));
        out.push_back(static_cast<std::uint8_t>(0x80U | (code & 0x3FU)));
    } else {
        out.push_back(static_cast<std::uint8_t>(0xF0U | (code >> 18U)));
        out.push_back(static_cast<std::uint8_t>(0x80U | ((code >> 12U) & 0x3FU)));
        out.push_back(static_cast<std::uint8_t>(0x80U | ((code >> 6U) & 0x3FU)));
        out.push_back(static_cast<std::uint8_t>(0x80U | (code & 0x3FU)));
    }
}

bool is_control(char32_t code) {
    return code <= 0x1F || (code >= 0x7F && code <= 0x9F);
}

}  // namespace

Result<std::u32string> nfkd(std::string_view utf8) {
    auto codes = decode_utf8(utf8);
    if (!codes) return codes.error();
    std::u32string decomposed;
    for (const char32_t code : *codes) decompose(code, decomposed, 0);
    // Canonical ordering: within each run of combining marks, a stable sort by combining class.
    for (std::size_t start = 0; start < decomposed.size();) {
        if (combining_class(decomposed[start]) == 0) {
            ++start;
            continue;
        }
        std::size_t end = start;
        while (end < decomposed.size() && combining_class(decomposed[end]) != 0) ++end;
        std::stable_sort(decomposed.begin() + static_cast<std::ptrdiff_t>(start),
                         decomposed.begin() + static_cast<std::ptrdiff_t>(end),
                         [](char32_t a, char32_t b) { return combining_class(a) < combining_class(b); });
        start = end;
    }
    return decomposed;
}

namespace {

Result<std::vector<std::uint8_t>> encode_normalised(std::string_view utf8, bool keep_combining_marks) {
    auto normalised = nfkd(utf8);
    if (!normalised) return normalised.error();
    std::vector<std::uint8_t> encoded;
    encoded.reserve(utf8.size());
    for (const char32_t code : *normalised) {
        if (is_control(code)) continue;
        if (!keep_combining_marks && combining_class(code) != 0) continue;
        append_utf8(code, encoded);
    }
    return encoded;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_password(std::string_view utf8) {
    return encode_normalised(utf8, true);
}

Result<std::vector<std::uint8_t>> encode_password_ethdo_legacy(std::string_view utf8) {
    return encode_normalised(utf8, false);
}

}  // namespace ephemery::keys
