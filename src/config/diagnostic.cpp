#include "config/diagnostic.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace ephemery::config {

std::string to_string(const Diagnostic& diagnostic) {
    std::string text = diagnostic.where;
    text += diagnostic.severity == Diagnostic::Severity::error ? ": error: " : ": warning: ";
    if (!diagnostic.key.empty()) text += diagnostic.key + ": ";
    text += diagnostic.message;
    return printable(text);  // keys and values come from the file: a control character there must not reach a terminal
}

void sort_by_position(std::vector<Diagnostic>& diagnostics) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
        const auto rank = [](const Diagnostic& d) {
            return d.line == 0 ? std::pair{SIZE_MAX, SIZE_MAX} : std::pair{d.line, d.column};
        };
        return rank(a) < rank(b);
    });
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::error; });
}

}  // namespace ephemery::config
