#include "genesis/store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>  // renameat2 (glibc, _GNU_SOURCE)
#include <fstream>
#include <system_error>

namespace ephemery::genesis {
namespace {

namespace fs = std::filesystem;

std::optional<std::uint64_t> iteration_of(const std::string& name) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), value);
    if (name.empty() || error != std::errc{} || end != name.data() + name.size()) return std::nullopt;
    return value;
}

Error os_error(std::string_view action, const fs::path& path, int error_number) {
    return make_error(Errc::io_error, fmt::format("cannot {} {}: {}", action, path.string(),
                                                  std::error_code(error_number, std::generic_category()).message()));
}

Status fsync_directory(const fs::path& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error("open", directory, errno);
    const int result = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (result != 0) return os_error("flush", directory, saved);
    return {};
}

// fsync every directory of a tree, deepest first, so its entries are durable before it is published.
Status fsync_tree(const fs::path& root) {
    std::vector<fs::path> directories{root};
    std::error_code error;
    for (const auto& entry : fs::recursive_directory_iterator(root, error)) {
        if (entry.is_directory(error) && !entry.is_symlink(error)) directories.push_back(entry.path());
    }
    std::reverse(directories.begin(), directories.end());
    for (const auto& directory : directories) {
        if (auto status = fsync_directory(directory); !status) return status;
    }
    return {};
}

}  // namespace

ReleaseStore::ReleaseStore(const fs::path& data_dir) : root_(data_dir / "testnet") {}

ReleaseStore::~ReleaseStore() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

fs::path ReleaseStore::release_dir(std::uint64_t iteration) const {
    return root_ / std::to_string(iteration);
}

Status ReleaseStore::open_for_writing() {
    std::error_code error;
    fs::create_directories(root_, error);
    if (error) return make_error(Errc::io_error, fmt::format("cannot create {}: {}", root_.string(), error.message()));
    const fs::path lock = root_ / ".lock";
    lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) return os_error("open", lock, errno);
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        return make_error(Errc::io_error,
                          fmt::format("another ephemery is installing a release in {} (lock {} is held)",
                                      root_.string(), lock.string()));
    }
    return {};
}

std::optional<std::uint64_t> ReleaseStore::current() const {
    std::error_code error;
    const fs::path target = fs::read_symlink(root_ / "current", error);
    if (error) return std::nullopt;
    return iteration_of(target.filename().string());
}

Result<std::vector<InstalledRelease>> ReleaseStore::list() const {
    std::vector<InstalledRelease> releases;
    std::error_code error;
    if (!fs::exists(root_, error)) return releases;
    const auto current_iteration = current();
    for (const auto& entry : fs::directory_iterator(root_, error)) {
        const auto iteration = iteration_of(entry.path().filename().string());
        if (!iteration || !entry.is_directory(error) || entry.is_symlink(error)) continue;
        InstalledRelease release{*iteration, entry.path(), "", "", current_iteration == iteration};
        std::ifstream manifest_file(entry.path() / "manifest.json");
        const auto manifest = nlohmann::json::parse(manifest_file, nullptr, false);
        if (!manifest.is_discarded() && manifest.is_object()) {
            release.tag = manifest.value("tag", "");
            release.layout = manifest.value("layout", "");
        }
        releases.push_back(std::move(release));
    }
    if (error) return make_error(Errc::io_error, fmt::format("cannot list {}: {}", root_.string(), error.message()));
    std::sort(releases.begin(), releases.end(), [](const auto& a, const auto& b) { return a.iteration < b.iteration; });
    return releases;
}

Result<fs::path> ReleaseStore::make_staging_dir(const std::string& tag) const {
    std::string pattern = (root_ / (".staging-" + tag + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) return os_error("create a staging directory in", root_, errno);
    return fs::path(pattern);
}

void ReleaseStore::remove_stale_staging() const {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(root_, error)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with(".staging-")) {
            spdlog::info("removing {} left by an interrupted run", entry.path().string());
            fs::remove_all(entry.path(), error);
        }
    }
}

Result<std::vector<std::uint64_t>> ReleaseStore::install(const fs::path& staged_release, std::uint64_t iteration,
                                                         bool replace, bool activate) {
    const fs::path target = release_dir(iteration);
    if (auto status = fsync_tree(staged_release); !status) return status.error();
    std::error_code error;
    if (fs::exists(target, error)) {
        if (!replace) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} is already installed; pass --force to replace it", target.string()));
        }
        // Swap in one step: <N> is never missing, even for a moment.
        if (::renameat2(AT_FDCWD, staged_release.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
            return os_error("replace", target, errno);
        }
        fs::remove_all(staged_release, error);  // it now holds the replaced files
    } else if (::rename(staged_release.c_str(), target.c_str()) != 0) {
        return os_error("install", target, errno);
    }
    if (auto status = fsync_directory(root_); !status) return status.error();
    if (!activate) return std::vector<std::uint64_t>{};
    return this->activate(iteration);
}

Result<std::vector<std::uint64_t>> ReleaseStore::activate(std::uint64_t iteration) {
    std::error_code error;
    if (!fs::is_directory(release_dir(iteration), error)) {
        return make_error(Errc::not_found, fmt::format("{} is not installed", release_dir(iteration).string()));
    }
    // Switch `current` by renaming a new symlink over the old one.
    const auto previous = current();
    if (previous == iteration) return std::vector<std::uint64_t>{};
    const fs::path link = root_ / "current";
    const fs::path temporary_link = root_ / ".current.tmp";
    fs::remove(temporary_link, error);
    if (::symlink(std::to_string(iteration).c_str(), temporary_link.c_str()) != 0) {
        return os_error("create", temporary_link, errno);
    }
    if (::rename(temporary_link.c_str(), link.c_str()) != 0) return os_error("switch", link, errno);
    if (auto status = fsync_directory(root_); !status) return status.error();

    // Keep the new release and the one it replaced; older ones go.
    std::vector<std::uint64_t> pruned;
    auto releases = list();
    if (!releases) return releases.error();
    for (const auto& release : *releases) {
        if (release.iteration == iteration || (previous && release.iteration == *previous)) continue;
        fs::remove_all(release.path, error);
        if (error) {
            spdlog::warn("could not prune {}: {}", release.path.string(), error.message());
            continue;
        }
        pruned.push_back(release.iteration);
    }
    return pruned;
}

}  // namespace ephemery::genesis
