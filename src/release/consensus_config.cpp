#include "release/consensus_config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace ephemery::release {

Result<ConsensusConfig> parse_consensus_config(std::string_view yaml_text, std::string_view file_label) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::Exception& error) {  // yaml-cpp reports malformed input only by throwing
        return make_error(Errc::parse_error, fmt::format("{}:{}: {}", file_label, error.mark.line + 1, error.msg));
    }
    if (!root.IsMap()) {
        return make_error(
            Errc::parse_error,
            fmt::format("{} is not a map of KEY: value lines (is it a network config.yaml?)", file_label));
    }
    ConsensusConfig config;
    for (const auto& entry : root) {
        if (!entry.first.IsScalar()) continue;
        const auto& value = entry.second;
        if (value.IsScalar()) {
            config.emplace(entry.first.Scalar(), value.Scalar());
        } else if (!value.IsNull()) {
            YAML::Emitter flow;
            flow << YAML::Flow << value;
            config.emplace(entry.first.Scalar(), flow.c_str());
        }
    }
    return config;
}

}  // namespace ephemery::release
