#include "keyfiles/rotate.hpp"

#include "bls/bls.hpp"
#include "core/text.hpp"
#include "infra/files.hpp"
#include "keys/keystore.hpp"
#include "keys/password.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <thread>

namespace ephemery::keyfiles {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t max_rotation_file_bytes = std::size_t{4} << 20U;
constexpr std::string_view staged_suffix = ".rotating";

// One keystore on its way to the new password.
struct Rotation {
    fs::path keystore;
    fs::path password_file;
    fs::perms keystore_mode{fs::perms::owner_read | fs::perms::owner_write};
    keys::Keystore parsed;
    std::optional<SecretBytes> secret;
    std::string pubkey;
    std::string new_keystore_json;
    std::optional<Error> error;
};

fs::path staged(const fs::path& path) {
    return {path.string() + std::string(staged_suffix)};
}

// Runs body(i) for i in [0, count) on up to `threads` threads.
template <typename Body>
void parallel_for(std::size_t count, unsigned threads, Body body) {
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
        for (std::size_t i = next++; i < count; i = next++) body(i);
    };
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < std::min<std::size_t>(std::max(threads, 1U), count); ++i) pool.emplace_back(worker);
    worker();
}

// Decrypts with the current password, checks the key, and encrypts under the new password with fresh salt and IV.
void prepare(Rotation& rotation, const keys::KeyCandidate& candidate, const std::vector<std::uint8_t>& new_password) {
    auto parsed = keys::parse_keystore(candidate.keystore_json, candidate.keystore_label);
    if (!parsed) {
        rotation.error = parsed.error();
        return;
    }
    rotation.parsed = std::move(parsed).value();
    auto current = keys::encode_password(candidate.password->reveal());
    if (!current) {
        rotation.error = current.error();
        return;
    }
    auto secret = keys::decrypt(rotation.parsed, *current);
    if (!secret) {
        rotation.error = make_error(Errc::verification_failed,
                                    fmt::format("{}: the current password from {} does not open it; run `ephemery "
                                                "keys check` and fix that first",
                                                rotation.keystore.string(), rotation.password_file.string()));
        return;
    }
    const auto key = bls::SecretKey::from_bytes(secret->reveal());
    if (!key) {
        rotation.error = make_error(Errc::verification_failed,
                                    fmt::format("{}: its secret is not a BLS key", rotation.keystore.string()));
        return;
    }
    rotation.pubkey = to_hex(bls::public_key(*key));
    const auto kdf = keys::standard_kdf_params(rotation.parsed.kdf.function, keys::random_bytes(32));
    auto derived = keys::derive_key(kdf, new_password);
    if (!derived) {
        rotation.error = derived.error();
        return;
    }
    keys::KeystoreFields fields;
    fields.pubkey = rotation.pubkey;  // written even when the old file lacked it
    fields.path = rotation.parsed.path;
    fields.uuid = rotation.parsed.uuid.empty() ? keys::random_uuid() : rotation.parsed.uuid;
    fields.description = rotation.parsed.description;
    auto encrypted = keys::encrypt_with_key(*secret, *derived, kdf, keys::random_bytes(16), fields);
    if (!encrypted) {
        rotation.error = encrypted.error();
        return;
    }
    rotation.new_keystore_json = keys::to_json(*encrypted);
    rotation.secret = std::move(secret).value();
}

// Reads a staged pair back from disk, as the client will, and checks it opens to the same secret.
Status verify_staged(const Rotation& rotation, Layout layout) {
    auto keystore_json = infra::read_file(staged(rotation.keystore), max_rotation_file_bytes);
    if (!keystore_json) return keystore_json.error();
    auto password_text = infra::read_file(staged(rotation.password_file), max_rotation_file_bytes);
    if (!password_text) return password_text.error();
    auto parsed = keys::parse_keystore(*keystore_json, staged(rotation.keystore).string());
    if (!parsed) return parsed.error();
    auto password = keys::encode_password(password_from_file_contents(*password_text, layout));
    if (!password) return password.error();
    auto secret = keys::decrypt(*parsed, *password);
    if (!secret || *secret != *rotation.secret) {
        return make_error(Errc::verification_failed,
                          fmt::format("{}: the re-encrypted keystore does not open to the same key; nothing was "
                                      "replaced",
                                      rotation.keystore.string()));
    }
    return {};
}

void remove_staged(const std::vector<Rotation>& rotations) {
    std::error_code ignored;
    for (const auto& rotation : rotations) {
        fs::remove(staged(rotation.keystore), ignored);
        fs::remove(staged(rotation.password_file), ignored);
    }
}

// Stages, verifies, journals and renames one group of keystores sharing a password file.
Status commit_group(std::vector<Rotation>& group, const SecretString& new_password, Layout layout) {
    const fs::path& password_file = group.front().password_file;
    for (const auto& rotation : group) {
        if (auto status = infra::write_file_atomically(staged(rotation.keystore), rotation.new_keystore_json,
                                                       rotation.keystore_mode);
            !status) {
            remove_staged(group);
            return status;
        }
    }
    if (auto status = infra::write_file_atomically(staged(password_file), new_password.reveal(), infra::owner_only);
        !status) {
        remove_staged(group);
        return status;
    }
    for (const auto& rotation : group) {
        if (auto status = verify_staged(rotation, layout); !status) {
            remove_staged(group);
            return status;
        }
    }
    nlohmann::ordered_json renames = nlohmann::ordered_json::array();
    for (const auto& rotation : group) {
        renames.push_back({staged(rotation.keystore).string(), rotation.keystore.string()});
    }
    renames.push_back({staged(password_file).string(), password_file.string()});
    const nlohmann::ordered_json journal = {{"version", 1}, {"renames", renames}};
    if (auto status =
            infra::write_file_atomically(rotation_journal(password_file), journal.dump(2) + "\n", infra::owner_only);
        !status) {
        remove_staged(group);
        return status;
    }
    return resume_rotation(rotation_journal(password_file));
}

}  // namespace

fs::path rotation_journal(const fs::path& password_file) {
    return {password_file.string() + ".rotation.json"};
}

std::vector<fs::path> interrupted_rotations(const Discovery& discovery) {
    std::vector<fs::path> journals;
    for (const auto& candidate : discovery.candidates) {
        if (!candidate.password_label_is_file) continue;
        const fs::path journal = rotation_journal(candidate.password_label);
        std::error_code error;
        if (fs::exists(journal, error) && std::find(journals.begin(), journals.end(), journal) == journals.end()) {
            journals.push_back(journal);
        }
    }
    return journals;
}

Status resume_rotation(const fs::path& journal_path) {
    auto text = infra::read_file(journal_path, max_rotation_file_bytes);
    if (!text) return text.error();
    const auto journal = nlohmann::json::parse(*text, nullptr, false);
    if (!journal.is_object() || !journal.contains("renames") || !journal["renames"].is_array()) {
        return make_error(Errc::parse_error, fmt::format("{}: not a rotation journal; compare the .rotating files "
                                                         "beside it with the originals by hand",
                                                         journal_path.string()));
    }
    for (const auto& rename : journal["renames"]) {
        if (!rename.is_array() || rename.size() != 2 || !rename[0].is_string() || !rename[1].is_string()) {
            return make_error(Errc::parse_error, fmt::format("{}: malformed rename entry", journal_path.string()));
        }
        const fs::path from = rename[0].get<std::string>();
        std::error_code error;
        if (!fs::exists(from, error)) continue;  // renamed before the interruption
        if (auto status = infra::rename_durably(from, rename[1].get<std::string>()); !status) return status;
    }
    std::error_code error;
    fs::remove(journal_path, error);
    if (error)
        return make_error(Errc::io_error, fmt::format("cannot remove {}: {}", journal_path.string(), error.message()));
    return infra::sync_directory(journal_path.parent_path());
}

Result<std::vector<RotatedKey>> rotate_passwords(const Discovery& discovery, const SecretString& new_password,
                                                 unsigned threads) {
    auto encoded = keys::encode_password(new_password.reveal());
    if (!encoded || encoded->empty()) {
        return make_error(Errc::invalid_argument, "the new password is empty or not UTF-8 text");
    }
    if (trim(new_password.reveal()) != new_password.reveal()) {
        return make_error(Errc::invalid_argument,
                          "the new password begins or ends with whitespace, which some clients trim and others "
                          "keep: choose one without");
    }
    std::vector<Rotation> rotations(discovery.candidates.size());
    for (std::size_t i = 0; i < discovery.candidates.size(); ++i) {
        const auto& candidate = discovery.candidates[i];
        if (candidate.kind == keys::KeystoreKind::prysm_wallet) {
            return make_error(Errc::unsupported, fmt::format("{}: Prysm wallets change their password with "
                                                             "`prysm validator wallet ...`, not here",
                                                             candidate.keystore_label));
        }
        if (!candidate.password || !candidate.password_label_is_file) {
            return make_error(
                Errc::unsupported,
                fmt::format("{}: its password is {} — rotation replaces password files; move the "
                            "password into a file first",
                            candidate.keystore_label,
                            candidate.password ? "inline (" + candidate.password_label + ")" : "missing"));
        }
        rotations[i].keystore = candidate.keystore_label;
        rotations[i].password_file = candidate.password_label;
        std::error_code error;
        const auto status = fs::status(rotations[i].keystore, error);
        if (!error) rotations[i].keystore_mode = status.permissions() & fs::perms::mask;
    }
    parallel_for(rotations.size(), threads != 0 ? threads : std::max(1U, std::thread::hardware_concurrency()),
                 [&](std::size_t i) { prepare(rotations[i], discovery.candidates[i], *encoded); });
    for (const auto& rotation : rotations) {
        if (rotation.error) return *rotation.error;
    }

    // One transaction per password file: every keystore reading it moves to the new password together.
    std::map<fs::path, std::vector<Rotation>> groups;
    for (auto& rotation : rotations) groups[rotation.password_file].push_back(std::move(rotation));
    std::vector<RotatedKey> rotated;
    for (auto& [password_file, group] : groups) {
        if (auto status = commit_group(group, new_password, discovery.layout); !status) return status.error();
        for (const auto& rotation : group) {
            rotated.push_back({rotation.keystore.string(), password_file.string(), "0x" + rotation.pubkey});
        }
    }
    return rotated;
}

}  // namespace ephemery::keyfiles
