#pragma once

#include "core/result.hpp"

#include <map>
#include <string>
#include <string_view>

namespace ephemery::release {

// Parses the KEY="value" files of a release: retention.vars (`export K="v"`) and nodevars_env.txt (`K="v"`).
// Accepts an optional `export `, double, single or no quotes, blank lines and # comments; anything else
// is an error naming file and line. Nothing is expanded or executed: these files are data, not shell.
[[nodiscard]] Result<std::map<std::string, std::string>> parse_vars(std::string_view text, std::string_view file_label);

}  // namespace ephemery::release
