#include "genesis/fetch.hpp"

#include "genesis/store.hpp"
#include "infra/files.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

namespace ephemery::genesis {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_release_file_bytes = std::size_t{1} << 30U;

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

nlohmann::ordered_json manifest(const FetchOutcome& outcome, const std::string& source,
                                const std::vector<infra::ExtractedFile>& files, const release::ReleaseFiles& release) {
    nlohmann::ordered_json doc;
    doc["tag"] = outcome.tag;
    doc["iteration"] = outcome.iteration;
    doc["layout"] = outcome.layout;
    doc["source"] = source;
    doc["asset"] = {
        {"name", outcome.asset}, {"url", outcome.url}, {"bytes", outcome.bytes}, {"sha256", outcome.sha256}};
    doc["installed_at"] =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto entries = nlohmann::ordered_json::array();
    for (const auto& file : files) {
        const auto it = release.files.find(file.path);
        entries.push_back({{"path", file.path},
                           {"bytes", file.bytes},
                           {"sha256", it != release.files.end() ? infra::sha256_of(it->second) : ""}});
    }
    doc["files"] = std::move(entries);
    doc["checks_passed"] = outcome.checks_passed;
    return doc;
}

}  // namespace

std::string asset_url(const std::string& source, const std::string& tag, std::string_view asset) {
    std::string base = source;
    if (!base.empty() && base.front() == '/') base = "file://" + base;
    while (base.ends_with('/')) base.pop_back();
    return fmt::format("{}/{}/{}", base, tag, asset);
}

Result<release::ReleaseFiles> load_release_dir(const fs::path& dir) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
        return make_error(Errc::not_found, fmt::format("{} is not a directory", dir.string()));
    }
    release::ReleaseFiles release;
    std::set<std::string> paths;
    for (const auto& entry : fs::recursive_directory_iterator(dir, error)) {
        if (!entry.is_regular_file(error)) continue;
        const std::string path = fs::relative(entry.path(), dir, error).generic_string();
        if (path == "manifest.json") continue;
        auto contents = infra::read_file(entry.path(), max_release_file_bytes);
        if (!contents) return contents.error();
        release.files.emplace(path, std::move(contents).value());
        paths.insert(path);
    }
    if (error) return make_error(Errc::io_error, fmt::format("cannot read {}: {}", dir.string(), error.message()));
    const auto layout = release::detect_layout(paths);
    if (!layout) {
        return make_error(Errc::verification_failed,
                          fmt::format("{} is not an Ephemery release: neither metadata/genesis.json "
                                      "(network-config layout) nor genesis.json (testnet-all layout) is there",
                                      dir.string()));
    }
    release.layout = *layout;
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
        outcome.asset = std::string(candidate.asset);
        outcome.url = url;
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
    auto files = infra::extract_tar_gz(archive, staged, request.limits);
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
    if (auto status = infra::write_file_atomically(
            staged / "manifest.json", manifest(outcome, request.source, *files, *release).dump(2) + "\n",
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
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
