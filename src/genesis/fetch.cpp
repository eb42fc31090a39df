#include "genesis/fetch.hpp"

#include "core/text.hpp"
#include "genesis/store.hpp"
#include "infra/clock.hpp"
#include "infra/files.hpp"
#include "release/vars.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <tuple>

namespace ephemery::genesis {
namespace {

namespace fs = std::filesystem;

constexpr fs::perms readable_by_all =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

// Removes a directory tree when the fetch leaves early.
class RemoveOnExit {
  public:
    explicit RemoveOnExit(fs::path path) : path_(std::move(path)) {}
    RemoveOnExit(const RemoveOnExit&) = delete;
    RemoveOnExit& operator=(const RemoveOnExit&) = delete;
    ~RemoveOnExit() {
        std::error_code ignored;
        if (!path_.empty()) fs::remove_all(path_, ignored);
    }

  private:
    fs::path path_;
};

std::string verification_message(const std::string& tag, const release::VerificationReport& report) {
    std::string message = fmt::format("release {} failed verification; nothing was installed", tag);
    for (const auto& failure : report.failures) message += fmt::format("\n  {}: {}", failure.check, failure.message);
    return message;
}

// The names clients read from a testnet dir that the network-config layout spells differently: an alias is
// written as a copy of the first source the release has (Lighthouse: deploy_block.txt, boot_enr.yaml; Prysm
// and Nimbus: boot_enr.yaml; older scripts: boot_enr.txt, boot_enode.txt, bootnode.txt).
struct LegacyAlias {
    std::string_view alias;
    std::string_view source;
};
constexpr std::array<LegacyAlias, 5> legacy_aliases{{
    {"deploy_block.txt", "deposit_contract_block.txt"},
    {"boot_enr.yaml", "bootstrap_nodes.yaml"},
    {"boot_enr.txt", "bootstrap_nodes.txt"},
    {"boot_enode.txt", "enodes.txt"},
    {"bootnode.txt", "enodes.txt"},
}};

// An ENR in its text form ("enr:" and base64url): safe as a plain YAML scalar, so nothing needs quoting.
bool is_enr_text(std::string_view text) {
    constexpr std::string_view prefix = "enr:";
    return text.size() > prefix.size() && text.starts_with(prefix) &&
           std::all_of(text.begin() + static_cast<std::ptrdiff_t>(prefix.size()), text.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '=';
           });
}

// "- enr:..." lines for the valid ENRs of a list.
std::string enr_yaml_list(const std::vector<std::string>& items) {
    std::string yaml;
    for (const std::string& item : items) {
        if (is_enr_text(item)) yaml += fmt::format("- {}\n", item);
    }
    return yaml;
}

// boot_enr.yaml from the release's bootnode list when it has no bootstrap_nodes.yaml: nodevars
// BOOTNODE_ENR_LIST (comma separated), else the ENR lines of bootstrap_nodes.txt. Returns the text and where it
// came from; the text is empty when neither names a valid ENR.
std::pair<std::string, std::string> boot_enr_yaml(const release::ReleaseFiles& release,
                                                  const std::map<std::string, std::string>& nodevars) {
    if (const auto list = nodevars.find("BOOTNODE_ENR_LIST"); list != nodevars.end()) {
        if (std::string yaml = enr_yaml_list(split_list(list->second, ',')); !yaml.empty()) {
            return {std::move(yaml), "nodevars_env.txt BOOTNODE_ENR_LIST"};
        }
    }
    std::string from = release::path_of(release.layout, "bootstrap_nodes.txt");
    const auto text = release.files.find(from);
    if (text == release.files.end()) return {};
    return {enr_yaml_list(split_list(text->second, '\n')), std::move(from)};
}

// Writes each missing legacy alias into the staged release (regular files, copies of their sources) and adds
// it to `release` and `files`, so the manifest records and later checks verify it like an extracted file.
// Returns what was generated, as {path, from} pairs for the manifest.
Result<std::vector<std::pair<std::string, std::string>>> add_legacy_aliases(const fs::path& staged,
                                                                            release::ReleaseFiles& release,
                                                                            std::vector<infra::ExtractedFile>& files) {
    std::map<std::string, std::string> nodevars;
    if (const auto text = release.files.find(release::path_of(release.layout, "nodevars_env.txt"));
        text != release.files.end()) {
        if (auto parsed = release::parse_vars(text->second, "nodevars_env.txt")) nodevars = std::move(parsed).value();
    }
    std::vector<std::pair<std::string, std::string>> generated;
    for (const auto& [alias_name, source_name] : legacy_aliases) {
        const std::string alias = release::path_of(release.layout, alias_name);
        if (release.files.contains(alias)) continue;
        std::string source = release::path_of(release.layout, source_name);
        std::string contents;
        if (const auto found = release.files.find(source); found != release.files.end() && !found->second.empty()) {
            contents = found->second;
        } else if (alias_name == "boot_enr.yaml") {
            std::tie(contents, source) = boot_enr_yaml(release, nodevars);
        }
        if (contents.empty()) continue;
        std::error_code error;
        if (fs::exists(fs::symlink_status(staged / alias, error))) {
            return make_error(Errc::verification_failed,
                              fmt::format("the release has {} but not as a regular file", alias));
        }
        if (auto status = infra::write_file_atomically(staged / alias, contents, readable_by_all); !status) {
            return status.error();
        }
        files.push_back({.path = alias, .bytes = contents.size()});
        release.files.emplace(alias, std::move(contents));
        generated.emplace_back(alias, std::move(source));
    }
    return generated;
}

nlohmann::ordered_json manifest(const FetchOutcome& outcome, const std::string& source,
                                const std::vector<infra::ExtractedFile>& files, const release::ReleaseFiles& release,
                                const std::vector<std::pair<std::string, std::string>>& generated) {
    nlohmann::ordered_json doc;
    doc["tag"] = outcome.tag;
    doc["iteration"] = outcome.iteration;
    doc["layout"] = outcome.layout;
    doc["source"] = source;
    doc["asset"] = {{"name", outcome.asset},
                    {"url", outcome.url},
                    {"requested_url", outcome.requested_url},
                    {"bytes", outcome.bytes},
                    {"sha256", outcome.sha256}};
    doc["installed_at"] = infra::unix_now();
    auto entries = nlohmann::ordered_json::array();
    for (const auto& file : files) {
        const auto it = release.files.find(file.path);
        entries.push_back({{"path", file.path},
                           {"bytes", file.bytes},
                           {"sha256", it != release.files.end() ? infra::sha256_of(it->second) : ""}});
    }
    doc["files"] = std::move(entries);
    // Files ephemery added (legacy aliases), not in the archive; their SHA-256 is in "files" too.
    auto added = nlohmann::ordered_json::array();
    for (const auto& [path, from] : generated) added.push_back({{"path", path}, {"from", from}});
    doc["generated"] = std::move(added);
    doc["checks_passed"] = outcome.checks_passed;
    return doc;
}

}  // namespace

std::string asset_url(const std::string& source, const std::string& tag, std::string_view asset) {
    std::string base = source;
    // Anything without a scheme is a directory, relative ones to the working directory (`--source ./mirror`):
    // given to curl as it is, "./mirror" would be taken for a host name.
    if (!base.empty() && base.find("://") == std::string::npos) {
        std::error_code ignored;  // without a working directory the path stays as given, and the download names it
        base = "file://" + std::filesystem::absolute(base, ignored).lexically_normal().string();
    }
    while (base.ends_with('/')) base.pop_back();
    return fmt::format("{}/{}/{}", base, tag, asset);
}

Result<release::ReleaseFiles> load_release_dir(const fs::path& dir) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
        return make_error(Errc::not_found, fmt::format("{} is not a directory", dir.string()));
    }
    // Sizes first: the layout decides which files a release has and how large each may be, and nothing is read
    // before every file has been admitted.
    std::map<std::string, std::uint64_t> sizes;
    for (const auto& entry : fs::recursive_directory_iterator(dir, error)) {
        if (!entry.is_regular_file(error)) continue;
        std::string path = fs::relative(entry.path(), dir, error).generic_string();
        if (path == "manifest.json") continue;
        sizes.emplace(std::move(path), entry.file_size(error));
    }
    if (error) return make_error(Errc::io_error, fmt::format("cannot read {}: {}", dir.string(), error.message()));
    std::set<std::string> paths;
    for (const auto& [path, bytes] : sizes) paths.insert(path);
    const auto layout = release::detect_layout(paths);
    if (!layout) {
        return make_error(Errc::verification_failed,
                          fmt::format("{} is not an Ephemery release: neither metadata/genesis.json "
                                      "(network-config layout) nor genesis.json (testnet-all layout) is there",
                                      dir.string()));
    }
    release::ReleaseFileAdmission admission(*layout);
    std::map<std::string, std::uint64_t> caps;
    for (const auto& [path, bytes] : sizes) {
        auto cap = admission.admit(path, bytes);
        if (!cap) {
            return make_error(Errc::verification_failed,
                              fmt::format("{}: \"{}\" {}", dir.string(), path, cap.error().message));
        }
        caps.emplace(path, *cap);
    }
    release::ReleaseFiles release;
    release.layout = *layout;
    for (const auto& [path, cap] : caps) {
        auto contents = infra::read_file(dir / path, static_cast<std::size_t>(cap));
        if (!contents) return contents.error();
        release.files.emplace(path, std::move(contents).value());
    }
    return release;
}

Result<FetchOutcome> fetch_release(const FetchRequest& request) {
    ReleaseStore store(request.data_dir);
    if (auto status = store.open_for_writing(); !status) return status.error();
    store.remove_stale_staging();

    FetchOutcome outcome;
    outcome.iteration = request.iteration;
    outcome.tag = request.tag;
    outcome.path = store.release_dir(request.iteration);
    std::error_code error;
    if (fs::exists(outcome.path / "manifest.json", error) && !request.replace) {
        outcome.already_installed = true;
        if (request.activate && store.current() != request.iteration) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} is installed but not current; pass --force to fetch, verify and switch "
                                          "to it again",
                                          request.tag));
        }
        return outcome;
    }

    // Download: the preferred archive first; a 404 moves on to the legacy one.
    const fs::path downloads = store.root() / ".downloads" / request.tag;
    fs::create_directories(downloads, error);
    if (error)
        return make_error(Errc::io_error, fmt::format("cannot create {}: {}", downloads.string(), error.message()));
    fs::path archive;
    release::Layout archive_layout = release::Layout::network_config;
    std::string tried;
    for (const auto& candidate : release::archive_assets) {
        const std::string url = asset_url(request.source, request.tag, candidate.asset);
        spdlog::info("downloading {}", url);
        auto downloaded = infra::download_file(url, downloads / candidate.asset, request.download);
        if (!downloaded) {
            if (downloaded.error().code == Errc::not_found) {
                tried += fmt::format("\n  {}", downloaded.error().message);
                continue;
            }
            return downloaded.error();
        }
        archive = downloads / candidate.asset;
        archive_layout = candidate.layout;
        outcome.asset = std::string(candidate.asset);
        outcome.url = downloaded->url;
        outcome.requested_url = url;
        outcome.bytes = downloaded->bytes;
        outcome.sha256 = downloaded->sha256;
        outcome.attempts = downloaded->attempts;
        break;
    }
    if (archive.empty()) {
        return make_error(Errc::not_found,
                          fmt::format("release {} has no archive at {}:{}\nIs the tag right, and has the release job "
                                      "published it yet?",
                                      request.tag, request.source, tried));
    }

    // Extract and verify in staging: nothing the node uses is touched until the rename.
    auto staging = store.make_staging_dir(request.tag);
    if (!staging) return staging.error();
    const RemoveOnExit cleanup(*staging);
    const fs::path staged = *staging / "release";
    fs::create_directory(staged, error);
    // Only the files a release of the archive's layout has, each within its size, reach the disk.
    release::ReleaseFileAdmission admission(archive_layout);
    infra::ExtractLimits limits = request.limits;
    limits.admit_file = [&admission](const std::string& path, std::uint64_t bytes) {
        return admission.admit(path, bytes);
    };
    auto files = infra::extract_tar_gz(archive, staged, limits);
    if (!files) {
        fs::remove(archive, error);  // a bad archive is not worth resuming
        return files.error();
    }
    auto release = load_release_dir(staged);
    if (!release) return release.error();
    const auto report = release::verify_release(*release, request.expectation);
    if (!report.ok()) {
        fs::remove(archive, error);
        return make_error(Errc::verification_failed, verification_message(request.tag, report));
    }
    outcome.layout = std::string(release::layout_name(release->layout));
    outcome.checks_passed = report.passed;
    // Clients read the release as a "testnet dir" under the legacy names too; they are added after the
    // verification of what was published and before the manifest, which records them with the rest.
    auto generated = add_legacy_aliases(staged, *release, *files);
    if (!generated) return generated.error();
    if (auto status = infra::write_file_atomically(
            staged / "manifest.json", manifest(outcome, request.source, *files, *release, *generated).dump(2) + "\n",
            readable_by_all);
        !status) {
        return status.error();
    }

    auto pruned = store.install(staged, request.iteration, request.replace, request.activate);
    if (!pruned) return pruned.error();
    outcome.pruned = std::move(pruned).value();
    outcome.activated = request.activate;
    fs::remove_all(downloads, error);
    return outcome;
}

}  // namespace ephemery::genesis
