#include "release/vars.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ephemery::release {
namespace {

bool is_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

}  // namespace

Result<std::map<std::string, std::string>> parse_vars(std::string_view text, std::string_view file_label) {
    std::map<std::string, std::string> values;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto end = text.find('\n');
        std::string_view line = trim(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty() || line.front() == '#') continue;

        const auto fail = [&](std::string_view why) {
            return make_error(Errc::parse_error, fmt::format("{}:{}: {}", file_label, line_number, why));
        };
        if (line.starts_with("export ")) line = trim(line.substr(7));
        const auto equals = line.find('=');
        if (equals == std::string_view::npos) return fail("expected KEY=\"value\"");
        const std::string_view name = line.substr(0, equals);
        if (!is_name(name)) return fail(fmt::format("\"{}\" is not a variable name", name));
        std::string_view value = line.substr(equals + 1);
        if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
            const char quote = value.front();
            const auto close = value.find(quote, 1);
            if (close == std::string_view::npos) return fail("the quoted value is not closed");
            const std::string_view rest = trim(value.substr(close + 1));
            if (!rest.empty() && rest.front() != '#') return fail("unexpected text after the quoted value");
            value = value.substr(1, close - 1);
        } else {
            const auto comment = value.find(" #");
            value = trim(value.substr(0, comment));
            if (value.find_first_of(" \t\"'`$") != std::string_view::npos) {
                return fail("an unquoted value may not contain blanks, quotes, $ or `");
            }
        }
        if (!values.emplace(std::string(name), std::string(value)).second) {
            return fail(fmt::format("{} is set twice", name));
        }
    }
    return values;
}

}  // namespace ephemery::release
