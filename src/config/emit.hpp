#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ephemery::config {

// Renders the effective config (as built by load_config) as YAML, keys in schema order.
[[nodiscard]] std::string to_yaml(const nlohmann::ordered_json& tree);

}  // namespace ephemery::config
