#include "config/diagnostic.hpp"

#include <algorithm>

namespace ephemery::config {

std::string to_string(const Diagnostic& diagnostic) {
    std::string text = diagnostic.where;
    text += diagnostic.severity == Diagnostic::Severity::error ? ": error: " : ": warning: ";
    if (!diagnostic.key.empty()) text += diagnostic.key + ": ";
    text += diagnostic.message;
    return text;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::error; });
}

}  // namespace ephemery::config
