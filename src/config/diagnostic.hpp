#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ephemery::config {

struct Diagnostic {
    enum class Severity { error, warning };
    Severity severity{Severity::error};
    std::string where;    // "ephemery.yaml:12:5", "environment variable EPHEMERY_API_PORT", "--data-dir"
    std::string key;      // dotted path of the setting ("network.genesis_interval"); empty when none applies
    std::string message;  // the bad value, what is allowed, and a hint; never a secret
    std::size_t line{0};  // 1-based position in the file, 0 when the problem is not in the file
    std::size_t column{0};
};

// File problems in file order first, then the others (environment, flags) in the order found.
void sort_by_position(std::vector<Diagnostic>& diagnostics);

// "ephemery.yaml:12:5: error: network.genesis_interval: "abc" is not a whole number (allowed: 60 to 31622400)",
// with control and bidirectional characters escaped (printable).
[[nodiscard]] std::string to_string(const Diagnostic& diagnostic);

[[nodiscard]] bool has_errors(const std::vector<Diagnostic>& diagnostics);

}  // namespace ephemery::config
