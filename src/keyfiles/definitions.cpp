#include "keyfiles/definitions.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace ephemery::keyfiles {

Result<std::vector<ValidatorDefinition>> parse_validator_definitions(std::string_view yaml, std::string_view label) {
    YAML::Node definitions;
    try {
        definitions = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& error) {
        return make_error(Errc::parse_error, fmt::format("{}:{}:{}: not valid YAML: {}", label, error.mark.line + 1,
                                                         error.mark.column + 1, error.msg));
    }
    if (!definitions.IsSequence()) {
        return make_error(Errc::parse_error, fmt::format("{}: expected a list of validator definitions", label));
    }
    std::vector<ValidatorDefinition> parsed;
    for (std::size_t i = 0; i < definitions.size(); ++i) {
        const YAML::Node entry = definitions[i];
        ValidatorDefinition definition;
        definition.location = fmt::format("{}:{} (entry {})", label, entry.Mark().line + 1, i + 1);
        const auto scalar = [&entry](const char* key) -> std::optional<std::string> {
            if (!entry.IsMap() || !entry[key] || !entry[key].IsScalar()) return std::nullopt;
            return entry[key].Scalar();
        };
        definition.enabled = scalar("enabled") != "false";
        definition.type = scalar("type").value_or("");
        definition.voting_public_key = scalar("voting_public_key").value_or("");
        definition.voting_keystore_path = scalar("voting_keystore_path").value_or("");
        definition.voting_keystore_password_path = scalar("voting_keystore_password_path").value_or("");
        if (auto password = scalar("voting_keystore_password")) {
            definition.voting_keystore_password = SecretString(std::move(*password));
        }
        parsed.push_back(std::move(definition));
    }
    return parsed;
}

}  // namespace ephemery::keyfiles
