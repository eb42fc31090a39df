#include "config/config.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace ephemery::config {

namespace {

// 1-based number of the first line that is not valid UTF-8, or 0 when the text is valid.
std::size_t first_invalid_utf8_line(std::string_view text) {
    if (simdjson::validate_utf8(text)) return 0;
    std::size_t line = 1;
    while (!text.empty()) {
        const auto end = text.find('\n');
        if (!simdjson::validate_utf8(text.substr(0, end))) return line;
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
        ++line;
    }
    return line;
}

// Where a scalar that yaml-cpp read as quoted has no closing quote. yaml-cpp takes such a scalar to the end of the
// file, folding the line break into a trailing space ("/var/lib/ephemery "), so the scalar is checked in the text:
// it starts at its mark with the quote, and a double-quoted one may escape with a backslash, a single-quoted one by
// doubling the quote.
std::optional<YAML::Mark> unterminated_quote(const YAML::Node& node, std::string_view text) {
    if (node.IsScalar()) {
        const YAML::Mark mark = node.Mark();
        if (node.Tag() != "!" || mark.is_null() || static_cast<std::size_t>(mark.pos) >= text.size())
            return std::nullopt;
        const char quote = text[static_cast<std::size_t>(mark.pos)];
        if (quote != '"' && quote != '\'') return std::nullopt;
        for (std::size_t at = static_cast<std::size_t>(mark.pos) + 1; at < text.size(); ++at) {
            if (quote == '"' && text[at] == '\\') {
                ++at;
            } else if (text[at] == quote) {
                if (quote == '\'' && at + 1 < text.size() && text[at + 1] == '\'') {
                    ++at;
                    continue;
                }
                return std::nullopt;
            }
        }
        return mark;
    }
    for (const auto& item : node) {
        if (node.IsMap()) {
            if (auto found = unterminated_quote(item.first, text)) return found;
            if (auto found = unterminated_quote(item.second, text)) return found;
        } else if (auto found = unterminated_quote(item, text)) {
            return found;
        }
    }
    return std::nullopt;
}

}  // namespace

LoadOutcome load_config(const LoadRequest& request) {
    LoadOutcome outcome;
    const std::string label = request.file_label.empty() ? "(built-in defaults)" : request.file_label;

    // Everything read must be UTF-8: values are echoed in messages, JSON and dumps.
    std::vector<Diagnostic> encoding_errors;
    std::map<std::string, std::string> overrides;
    for (const auto& [name, value] : request.environment) {
        if (!name.starts_with("EPHEMERY_") || name == config_path_variable) continue;
        if (!simdjson::validate_utf8(name) || !simdjson::validate_utf8(value)) {
            encoding_errors.push_back({Diagnostic::Severity::error, "the environment", "",
                                       "an EPHEMERY_* variable is not valid UTF-8; fix or unset it", 0, 0});
            continue;
        }
        overrides.emplace(name, value);
    }
    std::map<std::string, Override> flags;
    for (const auto& [key, value] : request.cli_overrides) {
        if (!simdjson::validate_utf8(value.value)) {
            encoding_errors.push_back(
                {Diagnostic::Severity::error, value.origin, key, "the value is not valid UTF-8", 0, 0});
            continue;
        }
        flags.emplace(key, value);
    }
    if (const auto line = first_invalid_utf8_line(request.yaml_text); line != 0) {
        encoding_errors.push_back({Diagnostic::Severity::error, fmt::format("{}:{}", label, line), "",
                                   "the file is not valid UTF-8 on this line; save it as UTF-8", line, 0});
    }
    if (!encoding_errors.empty()) {
        outcome.diagnostics = std::move(encoding_errors);
        return outcome;
    }
    ReadContext context(label, std::move(flags), std::move(overrides));

    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(request.yaml_text);
    } catch (const YAML::Exception& error) {  // yaml-cpp reports malformed input only by throwing
        context.error_at_mark(error.mark, "", fmt::format("YAML syntax error: {}", error.msg));
        outcome.diagnostics = std::move(context.diagnostics);
        return outcome;
    }
    // A second document would be read by nobody: settings there would silently not apply.
    if (documents.size() > 1) {
        context.error_at_mark(
            documents[1].Mark(), "",
            fmt::format("the file holds {} YAML documents (separated by `---`) and ephemery reads one: "
                        "merge the settings into the first and delete the `---` line",
                        documents.size()));
        outcome.diagnostics = std::move(context.diagnostics);
        return outcome;
    }
    const YAML::Node root = documents.empty() ? YAML::Node() : documents.front();
    if (const auto mark = unterminated_quote(root, request.yaml_text)) {
        context.error_at_mark(*mark, "",
                              "YAML syntax error: this quoted value has no closing quote (the file ends inside it): "
                              "add the closing quote");
        outcome.diagnostics = std::move(context.diagnostics);
        return outcome;
    }
    if (!root.IsNull() && !root.IsMap()) {
        context.error_at_mark(root.Mark(), "",
                              "the file must be a mapping of settings (key: value lines); see `ephemery config init`");
        outcome.diagnostics = std::move(context.diagnostics);
        return outcome;
    }

    Section top(context, root, "", outcome.effective);
    read_config(top, outcome.config, request);
    top.finish();
    context.report_unused_overrides();
    outcome.diagnostics = std::move(context.diagnostics);
    sort_by_position(outcome.diagnostics);
    return outcome;
}

}  // namespace ephemery::config
