#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Lighthouse's validator_definitions.yml: the list of keys a Lighthouse validator client loads.
namespace ephemery::keyfiles {

struct ValidatorDefinition {
    std::string location;  // "<label>:<line> (entry <n>)", for messages
    bool enabled{true};
    std::string type;  // local_keystore, web3signer
    std::string voting_public_key;
    std::string voting_keystore_path;
    std::string voting_keystore_password_path;
    std::optional<SecretString> voting_keystore_password;  // inline
};

// Errc::parse_error naming `label`, line and column when the text is not YAML or not a list.
[[nodiscard]] Result<std::vector<ValidatorDefinition>> parse_validator_definitions(std::string_view yaml,
                                                                                   std::string_view label);

}  // namespace ephemery::keyfiles
