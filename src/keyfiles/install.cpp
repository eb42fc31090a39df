#include "keyfiles/install.hpp"

#include "infra/files.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace ephemery::keyfiles {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t max_key_file_bytes = std::size_t{4} << 20U;

struct Placement {
    fs::path keystore;
    fs::path password_file;
};

Placement placement_for(Layout target, const fs::path& data_dir, const std::string& pubkey, const std::string& stem) {
    switch (target) {
        case Layout::lighthouse:
            return {data_dir / "validators" / pubkey / "voting-keystore.json", data_dir / "secrets" / pubkey};
        case Layout::teku: return {data_dir / "keys" / (stem + ".json"), data_dir / "passwords" / (stem + ".txt")};
        case Layout::nimbus: return {data_dir / "validators" / pubkey / "keystore.json", data_dir / "secrets" / pubkey};
        case Layout::lodestar:
            return {data_dir / "keystores" / pubkey / "voting-keystore.json", data_dir / "secrets" / pubkey};
        case Layout::prysm:
        case Layout::generic: break;
    }
    return {data_dir / "keystores" / (stem + ".json"), data_dir / "passwords" / (stem + ".txt")};
}

Status make_private_directory(const fs::path& directory) {
    std::error_code error;
    fs::create_directories(directory, error);
    if (error)
        return make_error(Errc::io_error, fmt::format("cannot create {}: {}", directory.string(), error.message()));
    return {};
}

// Appends Lighthouse definitions for the new keys, keeping every existing entry.
Status add_lighthouse_definitions(const fs::path& data_dir, const std::vector<ImportedKey>& imported) {
    const fs::path path = data_dir / "validators" / "validator_definitions.yml";
    YAML::Node definitions(YAML::NodeType::Sequence);
    std::error_code error;
    if (fs::exists(path, error)) {
        auto text = infra::read_file(path, max_key_file_bytes);
        if (!text) return text.error();
        try {
            definitions = YAML::Load(*text);
        } catch (const YAML::Exception& parse_error) {
            return make_error(Errc::parse_error,
                              fmt::format("{}:{}: not valid YAML ({}); fix it before importing", path.string(),
                                          parse_error.mark.line + 1, parse_error.msg));
        }
        if (definitions.IsNull()) definitions = YAML::Node(YAML::NodeType::Sequence);
        if (!definitions.IsSequence()) {
            return make_error(Errc::parse_error,
                              fmt::format("{}: expected a list of validator definitions", path.string()));
        }
    }
    for (const auto& key : imported) {
        bool listed = false;
        for (const auto& entry : definitions) {
            listed = listed || (entry.IsMap() && entry["voting_public_key"] &&
                                entry["voting_public_key"].as<std::string>() == key.pubkey);
        }
        if (listed) continue;
        YAML::Node entry;
        entry["enabled"] = true;
        entry["voting_public_key"] = key.pubkey;
        entry["description"] = "imported by ephemery";
        entry["type"] = "local_keystore";
        entry["voting_keystore_path"] = key.keystore.string();
        entry["voting_keystore_password_path"] = key.password_file.string();
        definitions.push_back(entry);
    }
    YAML::Emitter out;
    out << definitions;
    return infra::write_file_atomically(path, std::string("---\n") + out.c_str() + "\n", infra::owner_only);
}

}  // namespace

Status can_import_into(Layout target) {
    if (target == Layout::prysm) {
        return make_error(Errc::unsupported,
                          "Prysm keeps imported keys in its own wallet: import them with `prysm "
                          "validator accounts import --keys-dir=...` or through the Keymanager API");
    }
    return {};
}

Result<std::vector<ImportedKey>> import_keys(const Discovery& source, const std::vector<std::string>& pubkeys,
                                             Layout target, const fs::path& given_data_dir) {
    if (auto status = can_import_into(target); !status) return status.error();
    // Absolute: Lighthouse's validator_definitions.yml keeps these paths, and neither Lighthouse nor `keys check`
    // runs from the directory the import was run from.
    std::error_code cwd_error;
    const fs::path data_dir = fs::absolute(given_data_dir, cwd_error).lexically_normal();
    if (cwd_error) {
        return make_error(Errc::io_error, fmt::format("cannot make {} an absolute path: {}", given_data_dir.string(),
                                                      cwd_error.message()));
    }
    if (pubkeys.size() != source.candidates.size()) {
        return make_error(Errc::invalid_argument, "every keystore must be checked before it is imported");
    }
    // Plan everything first: a conflict anywhere means nothing is written.
    std::vector<ImportedKey> plan;
    for (std::size_t i = 0; i < source.candidates.size(); ++i) {
        const auto& candidate = source.candidates[i];
        if (!candidate.password || pubkeys[i].empty()) {
            return make_error(Errc::invalid_argument, fmt::format("{} did not pass the check; it cannot be imported",
                                                                  candidate.keystore_label));
        }
        const std::string stem = fs::path(candidate.keystore_label).stem().string();
        const auto [keystore, password_file] = placement_for(target, data_dir, pubkeys[i], stem);
        ImportedKey key{pubkeys[i], keystore, password_file, false};
        std::error_code error;
        if (fs::exists(keystore, error)) {
            auto existing = infra::read_file(keystore, max_key_file_bytes);
            if (!existing || *existing != candidate.keystore_json) {
                return make_error(Errc::invalid_argument,
                                  fmt::format("{} already holds a different keystore for {}; remove it first if it "
                                              "should be replaced (nothing was imported)",
                                              keystore.string(), pubkeys[i]));
            }
            key.already_present = true;
        }
        plan.push_back(std::move(key));
    }
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& key = plan[i];
        if (key.already_present) continue;
        for (const auto& directory : {key.keystore.parent_path(), key.password_file.parent_path()}) {
            if (auto status = make_private_directory(directory); !status) return status.error();
        }
        if (auto status = infra::write_file_atomically(key.password_file, source.candidates[i].password->reveal(),
                                                       infra::owner_only);
            !status) {
            return status.error();
        }
        if (auto status =
                infra::write_file_atomically(key.keystore, source.candidates[i].keystore_json, infra::owner_only);
            !status) {
            return status.error();
        }
    }
    if (target == Layout::lighthouse) {
        if (auto status = add_lighthouse_definitions(data_dir, plan); !status) return status.error();
    }
    return plan;
}

}  // namespace ephemery::keyfiles
