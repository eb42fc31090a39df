#include "keyfiles/discover.hpp"

#include "core/text.hpp"
#include "infra/files.hpp"
#include "keyfiles/definitions.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <thread>

namespace ephemery::keyfiles {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t max_keystore_bytes = std::size_t{4} << 20U;
constexpr std::size_t max_password_bytes = std::size_t{64} << 10U;

constexpr std::array<std::pair<Layout, std::string_view>, 6> layout_table{{{Layout::lighthouse, "lighthouse"},
                                                                           {Layout::teku, "teku"},
                                                                           {Layout::nimbus, "nimbus"},
                                                                           {Layout::lodestar, "lodestar"},
                                                                           {Layout::prysm, "prysm"},
                                                                           {Layout::generic, "generic"}}};

keys::Finding finding(keys::Severity severity, std::string problem, std::string fix) {
    return keys::Finding{severity, std::move(problem), std::move(fix)};
}

std::vector<fs::path> sorted_entries(const fs::path& directory) {
    std::vector<fs::path> entries;
    std::error_code error;
    for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
        entries.push_back(it->path());
    }
    std::sort(entries.begin(), entries.end());
    return entries;
}

bool directory_exists(const fs::path& path) {
    std::error_code error;
    return fs::is_directory(path, error);
}
bool file_exists(const fs::path& path) {
    std::error_code error;
    return fs::is_regular_file(path, error);
}

// A password file others can read leaks the key; Nimbus refuses to start with one.
void check_permissions(const fs::path& path, bool secret, Layout layout, std::vector<keys::Finding>& findings) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return;
    const auto mode = static_cast<unsigned>(info.st_mode) & 0777U;
    if (secret && (mode & 0077U) != 0) {
        findings.push_back(finding(layout == Layout::nimbus ? keys::Severity::failure : keys::Severity::warning,
                                   fmt::format("{} is readable by other users (mode {:04o}){}", path.string(), mode,
                                               layout == Layout::nimbus ? ": Nimbus refuses to start" : ""),
                                   fmt::format("chmod 600 {}", path.string())));
    } else if ((mode & 0002U) != 0) {
        findings.push_back(finding(keys::Severity::warning,
                                   fmt::format("{} is writable by every user (mode {:04o})", path.string(), mode),
                                   fmt::format("chmod 600 {}", path.string())));
    }
}

// Reads a keystore into a new candidate; an unreadable file becomes its failure.
keys::KeyCandidate read_keystore(const fs::path& path, Layout layout) {
    keys::KeyCandidate candidate;
    candidate.keystore_label = path.string();
    auto contents = infra::read_file(path, max_keystore_bytes);
    if (!contents) {
        candidate.findings.push_back(finding(keys::Severity::failure, contents.error().message,
                                             "restore the keystore, or remove its entry from the layout"));
        return candidate;
    }
    candidate.keystore_json = std::move(contents).value();
    check_permissions(path, false, layout, candidate.findings);
    return candidate;
}

void attach_password_file(keys::KeyCandidate& candidate, const fs::path& path, Layout layout) {
    candidate.password_label = path.string();
    candidate.password_label_is_file = true;
    auto contents = infra::read_file(path, max_password_bytes);
    if (!contents) {
        candidate.findings.push_back(
            finding(keys::Severity::failure,
                    fmt::format("the password file {} cannot be read: {}", path.string(), contents.error().message),
                    "create it with the keystore's password (mode 0600)"));
        return;
    }
    const std::string as_read = password_from_file_contents(*contents, layout);
    const std::string without_line_ending = password_from_file_contents(*contents, Layout::generic);
    if (as_read != without_line_ending) candidate.password_unstripped = SecretString(without_line_ending);
    candidate.password = SecretString(as_read);
    check_permissions(path, true, layout, candidate.findings);
}

void missing_password(keys::KeyCandidate& candidate, const std::vector<fs::path>& looked_at, std::string_view fix) {
    std::vector<std::string> places;
    places.reserve(looked_at.size());
    for (const auto& path : looked_at) places.push_back(path.string());
    candidate.findings.push_back(finding(
        keys::Severity::failure, fmt::format("no password file for this keystore (looked for {})", join(places, ", ")),
        std::string(fix)));
}

// The pubkey a keystore claims, read without validating the rest (the check does that).
std::string claimed_pubkey(const std::string& keystore_json) {
    const auto json = nlohmann::json::parse(keystore_json, nullptr, false);
    if (!json.is_object() || !json.contains("pubkey") || !json["pubkey"].is_string()) return {};
    std::string pubkey = to_lower(json["pubkey"].get<std::string>());
    if (!pubkey.starts_with("0x")) pubkey.insert(0, "0x");
    return pubkey;
}

Discovery discover_with_one_password(const std::vector<fs::path>& keystores, const fs::path& password_file,
                                     Layout layout) {
    Discovery discovery;
    discovery.layout = layout;
    for (const auto& path : keystores) {
        auto candidate = read_keystore(path, layout);
        attach_password_file(candidate, password_file, layout);
        discovery.candidates.push_back(std::move(candidate));
    }
    return discovery;
}

bool is_keystore_file(const fs::path& path) {
    const std::string name = path.filename().string();
    return path.extension() == ".json" && file_exists(path) && !name.starts_with("deposit_data") &&
           !name.starts_with(".");
}

std::vector<fs::path> keystore_files_in(const fs::path& directory) {
    std::vector<fs::path> keystores;
    for (const auto& path : sorted_entries(directory)) {
        if (is_keystore_file(path)) keystores.push_back(path);
    }
    return keystores;
}

// <dir>/0x<pubkey>/<file> + <secrets>/0x<pubkey>: Lighthouse's, Nimbus's and Lodestar's per-key directories.
Discovery discover_pubkey_directories(const fs::path& keys_dir, std::string_view keystore_name,
                                      const fs::path& secrets_dir, Layout layout) {
    Discovery discovery;
    discovery.layout = layout;
    for (const auto& entry : sorted_entries(keys_dir)) {
        const std::string name = entry.filename().string();
        if (!directory_exists(entry) || !name.starts_with("0x")) continue;
        const fs::path keystore_path = entry / keystore_name;
        if (!file_exists(keystore_path)) {
            if (file_exists(entry / "remote_keystore.json")) {
                discovery.notes.push_back(fmt::format("{}: a remote signer key, not checked", entry.string()));
            }
            continue;
        }
        auto candidate = read_keystore(keystore_path, layout);
        candidate.expected_pubkey = name;
        candidate.expected_pubkey_label = fmt::format("the directory name {}", entry.string());
        const fs::path secret = secrets_dir / name;
        if (file_exists(secret)) {
            attach_password_file(candidate, secret, layout);
        } else {
            missing_password(candidate, {secret},
                             fmt::format("write the keystore's password to {} (mode 0600)", secret.string()));
        }
        discovery.candidates.push_back(std::move(candidate));
    }
    return discovery;
}

Result<Discovery> discover_lighthouse(const fs::path& data_or_validators_dir,
                                      const std::optional<fs::path>& password_file) {
    // Lighthouse's data directory holds validators/ and secrets/; either it or validators/ may be given.
    const fs::path root = file_exists(data_or_validators_dir / "validators" / "validator_definitions.yml")
                              ? data_or_validators_dir / "validators"
                              : data_or_validators_dir;
    const fs::path definitions_path = root / "validator_definitions.yml";
    if (!file_exists(definitions_path)) {
        return discover_pubkey_directories(root, "voting-keystore.json", root.parent_path() / "secrets",
                                           Layout::lighthouse);
    }
    auto text = infra::read_file(definitions_path, max_keystore_bytes);
    if (!text) return text.error();
    auto definitions = parse_validator_definitions(*text, definitions_path.string());
    if (!definitions) return definitions.error();
    Discovery discovery;
    discovery.layout = Layout::lighthouse;
    const auto resolve = [&](const std::string& path) {
        return fs::path(path).is_absolute() ? fs::path(path) : root / path;
    };
    for (const auto& definition : *definitions) {
        const std::string& where = definition.location;
        if (!definition.enabled) {
            discovery.notes.push_back(fmt::format("{}: disabled, not checked", where));
            continue;
        }
        if (definition.type != "local_keystore") {
            discovery.notes.push_back(
                fmt::format("{}: type \"{}\" holds no local keystore, not checked", where, definition.type));
            continue;
        }
        if (definition.voting_keystore_path.empty()) {
            keys::KeyCandidate candidate;
            candidate.keystore_label = where;
            candidate.findings.push_back(
                finding(keys::Severity::failure, "voting_keystore_path is missing", "set it to the keystore's path"));
            discovery.candidates.push_back(std::move(candidate));
            continue;
        }
        auto candidate = read_keystore(resolve(definition.voting_keystore_path), Layout::lighthouse);
        if (!definition.voting_public_key.empty()) {
            candidate.expected_pubkey = definition.voting_public_key;
            candidate.expected_pubkey_label = fmt::format("{} voting_public_key", where);
        }
        if (password_file) {
            attach_password_file(candidate, *password_file, Layout::lighthouse);
        } else if (definition.voting_keystore_password) {
            // Inline passwords are used verbatim by Lighthouse.
            candidate.password = definition.voting_keystore_password;
            candidate.password_label = fmt::format("{} voting_keystore_password", where);
        } else if (!definition.voting_keystore_password_path.empty()) {
            attach_password_file(candidate, resolve(definition.voting_keystore_password_path), Layout::lighthouse);
        } else {
            const std::string pubkey = claimed_pubkey(candidate.keystore_json);
            const fs::path secret = root.parent_path() / "secrets" / pubkey;
            if (!pubkey.empty() && file_exists(secret)) {
                attach_password_file(candidate, secret, Layout::lighthouse);
            } else {
                missing_password(candidate, {secret}, fmt::format("add voting_keystore_password_path to {}", where));
            }
        }
        discovery.candidates.push_back(std::move(candidate));
    }
    return discovery;
}

Discovery discover_teku(const fs::path& root) {
    Discovery discovery;
    discovery.layout = Layout::teku;
    for (const auto& path : keystore_files_in(root / "keys")) {
        auto candidate = read_keystore(path, Layout::teku);
        const fs::path password = root / "passwords" / (path.stem().string() + ".txt");
        if (file_exists(password)) {
            attach_password_file(candidate, password, Layout::teku);
        } else {
            missing_password(candidate, {password},
                             fmt::format("write the password to {} (Teku pairs keys/<name>.json with "
                                         "passwords/<name>.txt)",
                                         password.string()));
        }
        discovery.candidates.push_back(std::move(candidate));
    }
    return discovery;
}

Discovery discover_generic(const fs::path& root, const std::optional<fs::path>& passwords_dir) {
    // `ephemery keys new` writes keystores/ and passwords/ side by side.
    const fs::path keystore_dir = directory_exists(root / "keystores") ? root / "keystores" : root;
    Discovery discovery;
    discovery.layout = Layout::generic;
    for (const auto& path : keystore_files_in(keystore_dir)) {
        auto candidate = read_keystore(path, Layout::generic);
        const std::string stem = path.stem().string();
        const std::string pubkey = claimed_pubkey(candidate.keystore_json);
        std::vector<fs::path> places;
        if (passwords_dir) places.push_back(*passwords_dir / (stem + ".txt"));
        places.insert(
            places.end(),
            {keystore_dir / (stem + ".txt"), keystore_dir.parent_path() / "passwords" / (stem + ".txt"),
             keystore_dir.parent_path() / "secrets" / (stem + ".txt"), keystore_dir.parent_path() / "secrets" / stem});
        if (!pubkey.empty()) places.push_back(keystore_dir.parent_path() / "secrets" / pubkey);
        const auto found = std::find_if(places.begin(), places.end(), file_exists);
        if (found != places.end()) {
            attach_password_file(candidate, *found, Layout::generic);
        } else {
            missing_password(candidate, places,
                             "give one password for all keys with --password-file, or write "
                             "<name>.txt beside each keystore");
        }
        discovery.candidates.push_back(std::move(candidate));
    }
    return discovery;
}

}  // namespace

std::string_view layout_name(Layout layout) {
    for (const auto& [value, name] : layout_table) {
        if (value == layout) return name;
    }
    return "generic";
}

std::optional<Layout> parse_layout(std::string_view name) {
    for (const auto& [value, known] : layout_table) {
        if (known == name) return value;
    }
    return std::nullopt;
}

const std::vector<std::string>& layout_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all;
        all.reserve(layout_table.size());
        for (const auto& entry : layout_table) all.emplace_back(entry.second);
        return all;
    }();
    return names;
}

std::string password_from_file_contents(std::string_view contents, Layout layout) {
    if (layout == Layout::lodestar) return std::string(trim(contents));
    // Teku reads the first line only.
    if (layout == Layout::teku) contents = contents.substr(0, contents.find('\n'));
    while (!contents.empty() && (contents.back() == '\n' || contents.back() == '\r')) contents.remove_suffix(1);
    return std::string(contents);
}

std::uint64_t available_memory_bytes() {
    constexpr std::uint64_t fallback = std::uint64_t{1} << 30U;
    auto meminfo = infra::read_file("/proc/meminfo", max_password_bytes);
    if (!meminfo) return fallback;
    const auto position = meminfo->find("MemAvailable:");
    if (position == std::string::npos) return fallback;
    std::uint64_t kibibytes = 0;
    std::string_view rest = trim(std::string_view(*meminfo).substr(position + 13));
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), kibibytes);
    if (error != std::errc{} || end == rest.data()) return fallback;
    return kibibytes * 1024;
}

keys::CheckOptions machine_check_options(unsigned threads) {
    keys::CheckOptions options;
    options.threads = threads != 0 ? threads : std::max(1U, std::thread::hardware_concurrency());
    options.memory_budget_bytes = available_memory_bytes() / 4 * 3;
    return options;
}

Layout detect_layout(const fs::path& root) {
    if (file_exists(root / "validator_definitions.yml") ||
        file_exists(root / "validators" / "validator_definitions.yml")) {
        return Layout::lighthouse;
    }
    if (file_exists(root / "direct" / "accounts" / "all-accounts.keystore.json")) return Layout::prysm;
    if (directory_exists(root / "keys") && directory_exists(root / "passwords")) return Layout::teku;
    if (directory_exists(root / "validators") && directory_exists(root / "secrets")) return Layout::nimbus;
    if (directory_exists(root / "keystores") && directory_exists(root / "secrets")) return Layout::lodestar;
    return Layout::generic;
}

Result<Discovery> discover(const DiscoverRequest& request) {
    const fs::path& root = request.root;
    if (!directory_exists(root)) {
        return make_error(Errc::not_found, fmt::format("{} is not a directory", root.string()));
    }
    if (request.password_file && directory_exists(*request.password_file)) {
        return make_error(Errc::invalid_argument,
                          fmt::format("--password-file {} is a directory, not a file: pass the password file itself "
                                      "(one password for every keystore); per-key passwords are found without it in "
                                      "the client's own layout",
                                      request.password_file->string()));
    }
    if (request.password_file && !file_exists(*request.password_file)) {
        return make_error(Errc::not_found,
                          fmt::format("--password-file {} does not exist", request.password_file->string()));
    }
    const Layout layout = request.layout.value_or(detect_layout(root));
    switch (layout) {
        case Layout::lighthouse: return discover_lighthouse(root, request.password_file);
        case Layout::teku:
            // Teku (26.8 on) also pairs a keys directory with one password file.
            if (request.password_file) {
                const auto keystores = keystore_files_in(root / "keys");
                return discover_with_one_password(keystores, *request.password_file, layout);
            }
            return discover_teku(root);
        case Layout::nimbus:
            return discover_pubkey_directories(root / "validators", "keystore.json", root / "secrets", Layout::nimbus);
        case Layout::lodestar: {
            if (request.password_file) {
                const auto keystores = keystore_files_in(root);
                if (!keystores.empty()) return discover_with_one_password(keystores, *request.password_file, layout);
            }
            return discover_pubkey_directories(root / "keystores", "voting-keystore.json", root / "secrets",
                                               Layout::lodestar);
        }
        case Layout::prysm: {
            const fs::path wallet = root / "direct" / "accounts" / "all-accounts.keystore.json";
            Discovery discovery;
            discovery.layout = Layout::prysm;
            auto candidate = read_keystore(wallet, Layout::prysm);
            candidate.kind = keys::KeystoreKind::prysm_wallet;
            if (request.password_file) {
                attach_password_file(candidate, *request.password_file, Layout::prysm);
            } else {
                candidate.findings.push_back(
                    finding(keys::Severity::failure, "Prysm's wallet password is not kept in the wallet",
                            "give the file Prysm reads with --wallet-password-file as --password-file"));
            }
            discovery.candidates.push_back(std::move(candidate));
            return discovery;
        }
        case Layout::generic: break;
    }
    if (request.password_file) {
        const fs::path keystore_dir = directory_exists(root / "keystores") ? root / "keystores" : root;
        const auto keystores = keystore_files_in(keystore_dir);
        return discover_with_one_password(keystores, *request.password_file, Layout::generic);
    }
    return discover_generic(root, request.passwords_dir);
}

}  // namespace ephemery::keyfiles
