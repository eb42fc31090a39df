#pragma once
// A network's consensus config.yaml (the one clients take with --paramsFile / --testnet-dir) as key -> text,
// the same shape as the Beacon API's /eth/v1/config/spec, so both feed the same fork and preset lookups.

#include "core/result.hpp"

#include <map>
#include <string>
#include <string_view>

namespace ephemery::release {

using ConsensusConfig = std::map<std::string, std::string, std::less<>>;

// Top-level scalar keys; nested values (BLOB_SCHEDULE) are kept as their YAML flow text. Errors name the
// line. `file_label` names the file in messages.
[[nodiscard]] Result<ConsensusConfig> parse_consensus_config(std::string_view yaml_text, std::string_view file_label);

}  // namespace ephemery::release
