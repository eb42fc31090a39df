#include "reset/tree.hpp"

#include "core/text.hpp"
#include "infra/descriptor.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
#include <system_error>
#include <utility>

namespace ephemery::reset {

namespace {

namespace fs = std::filesystem;

constexpr int max_depth = 512;

using infra::Descriptor;

Error os_error(std::string_view action, std::string_view path, int error_number) {
    return make_error(Errc::io_error, fmt::format("cannot {} {}: {}", action, path,
                                                  std::error_code(error_number, std::generic_category()).message()));
}

std::string join_path(std::string_view base, std::string_view name) {
    if (base.empty() || base == ".") return std::string(name);
    return fmt::format("{}/{}", base, name);
}

Descriptor open_directory_at(int parent, const char* name) {
    return Descriptor(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

struct Child {
    std::string name;
    unsigned char type{DT_UNKNOWN};
};

Result<std::vector<Child>> children_of(int directory, std::string_view path) {
    const int duplicate = ::fcntl(directory, F_DUPFD_CLOEXEC, 0);
    if (duplicate < 0) return os_error("read", path, errno);
    DIR* stream = ::fdopendir(duplicate);
    if (stream == nullptr) {
        const int saved = errno;
        ::close(duplicate);
        return os_error("read", path, saved);
    }
    std::vector<Child> children;
    errno = 0;
    while (const dirent* entry = ::readdir(stream)) {  // NOLINT(concurrency-mt-unsafe): one stream per call
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") children.push_back({std::string(name), entry->d_type});
    }
    const int saved = errno;
    ::closedir(stream);
    if (saved != 0) return os_error("read", path, saved);
    return children;
}

bool is_directory_at(int parent, const Child& child) {
    if (child.type != DT_UNKNOWN) return child.type == DT_DIR;
    struct stat status {};
    return ::fstatat(parent, child.name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(status.st_mode);
}

Status remove_contents(int directory, std::string_view path, int depth);

// Removes one entry of `parent`: a directory with everything in it, anything else (symlinks included) itself.
Status remove_entry(int parent, const Child& child, std::string_view path, int depth) {
    if (is_directory_at(parent, child)) {
        const Descriptor directory = open_directory_at(parent, child.name.c_str());
        if (!directory.valid()) {
            if (errno == ENOENT) return {};
            if (errno != ENOTDIR && errno != ELOOP) return os_error("open", path, errno);
        } else {
            if (auto status = remove_contents(directory.get(), path, depth + 1); !status) return status;
            if (::unlinkat(parent, child.name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
                return os_error("remove", path, errno);
            }
            return {};
        }
    }
    if (::unlinkat(parent, child.name.c_str(), 0) != 0 && errno != ENOENT) {
        if (errno == EISDIR) return remove_entry(parent, {child.name, DT_DIR}, path, depth);
        return os_error("remove", path, errno);
    }
    return {};
}

Status remove_contents(int directory, std::string_view path, int depth) {
    if (depth > max_depth) return make_error(Errc::unsupported, fmt::format("{} is nested too deeply", path));
    auto children = children_of(directory, path);
    if (!children) return children.error();
    for (const Child& child : *children) {
        if (auto status = remove_entry(directory, child, join_path(path, child.name), depth); !status) return status;
    }
    return {};
}

void add_usage_of(int parent, const Child& child, TreeUsage& usage, int depth) {
    struct stat status {};
    if (::fstatat(parent, child.name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) return;
    usage.entries += 1;
    if (!S_ISDIR(status.st_mode)) {
        usage.bytes += static_cast<std::uint64_t>(status.st_size);
        return;
    }
    if (depth > max_depth) return;
    const Descriptor directory = open_directory_at(parent, child.name.c_str());
    if (!directory.valid()) return;
    auto children = children_of(directory.get(), child.name);
    if (!children) return;
    for (const Child& grandchild : *children) add_usage_of(directory.get(), grandchild, usage, depth + 1);
}

bool is_symlink_at(int parent, const std::string& name) {
    struct stat status {};
    return ::fstatat(parent, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(status.st_mode);
}

std::string link_target_at(int parent, const std::string& name) {
    std::array<char, 4096> buffer{};
    const ssize_t length = ::readlinkat(parent, name.c_str(), buffer.data(), buffer.size() - 1);
    if (length < 0) return "an unreadable target";
    return {buffer.data(), static_cast<std::size_t>(length)};
}

// A symlink in the way of a wipe: deleting only the link would leave what the new chain needs wiped.
std::string blocking_link_message(const fs::path& link, const std::string& target, const fs::path& beyond) {
    return fmt::format(
        "{} is a symlink to {}, and {} lies beyond it: a reset never deletes through a symlink, so the old data "
        "there would survive it. Replace the link by a real directory (move the data back, or mount the other "
        "disk at {}: a mount point is a real directory), or put the client's whole data dir on the other disk "
        "(clients.<role>.data_dir); then run the reset again",
        link.string(), target, beyond.string(), link.string());
}

// Where a target sits: an open directory and the target's name in it (empty: the directory itself is the
// target, which happens for the data dir). Nullopt when the target does not exist or a component on the way
// is not a real directory (then `report` says which: a symlink blocks, anything else is a note).
struct Location {
    Descriptor parent;
    std::string name;
    std::string relative;  // the target relative to the data dir ("." for the data dir)
};

Result<std::optional<Location>> locate(const fs::path& data_dir, const fs::path& target, WipePreview& report) {
    const fs::path relative = target.lexically_normal().lexically_relative(data_dir.lexically_normal());
    if (relative.empty() || relative.is_absolute() || *relative.begin() == "..") {
        return make_error(Errc::invalid_argument, fmt::format("{} is outside the data dir {}; refusing to touch it",
                                                              target.string(), data_dir.string()));
    }
    Descriptor current(::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!current.valid()) {
        if (errno == ENOENT) return std::optional<Location>{};
        return os_error("open", data_dir.string(), errno);
    }
    std::vector<std::string> parts;
    for (const auto& part : relative) {
        if (part != ".") parts.push_back(part.string());
    }
    if (parts.empty()) return std::optional<Location>{Location{std::move(current), {}, "."}};
    std::string walked;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        walked = join_path(walked, parts[i]);
        Descriptor next = open_directory_at(current.get(), parts[i].c_str());
        if (!next.valid()) {
            const int error_number = errno;
            if (is_symlink_at(current.get(), parts[i])) {
                report.blocked.push_back(
                    blocking_link_message(data_dir / walked, link_target_at(current.get(), parts[i]), target));
            } else if (error_number == ENOTDIR) {
                report.notes.push_back(fmt::format("{} is not a directory; nothing beyond it is touched", walked));
            } else if (error_number != ENOENT) {
                return os_error("open", (data_dir / walked).string(), error_number);
            }
            return std::optional<Location>{};
        }
        current = std::move(next);
    }
    struct stat status {};
    if (::fstatat(current.get(), parts.back().c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return std::optional<Location>{};
        return os_error("inspect", target.string(), errno);
    }
    return std::optional<Location>{Location{std::move(current), parts.back(), relative.generic_string()}};
}

// Splits kept paths by their first component: "a/b" under "a" becomes "b"; "a" itself becomes "".
std::vector<std::string> keeps_below(const std::vector<std::string>& keep, std::string_view name) {
    std::vector<std::string> below;
    for (const std::string& path : keep) {
        if (path == name) {
            below.emplace_back();
        } else if (path.size() > name.size() && path.compare(0, name.size(), name) == 0 && path[name.size()] == '/') {
            below.push_back(path.substr(name.size() + 1));
        }
    }
    return below;
}

// Visits what a wipe deletes: `remove(parent, child, relative)` for each topmost entry to delete.
class WipeWalker {
  public:
    using Remove = std::function<Status(int, const Child&, const std::string&)>;
    WipeWalker(fs::path data_dir, WipePreview& preview, Remove remove)
        : data_dir_(std::move(data_dir)), preview_(preview), remove_(std::move(remove)) {}

    // Everything in `directory` except the kept paths.
    Status walk_directory(int directory, const std::string& relative, const std::vector<std::string>& keep, int depth) {
        if (depth > max_depth) return make_error(Errc::unsupported, fmt::format("{} is nested too deeply", relative));
        auto children = children_of(directory, relative);
        if (!children) return children.error();
        std::sort(children->begin(), children->end(), [](const Child& a, const Child& b) { return a.name < b.name; });
        for (const Child& child : *children) {
            if (auto status =
                    walk_entry(directory, child, join_path(relative, child.name), keeps_below(keep, child.name), depth);
                !status) {
                return status;
            }
        }
        return {};
    }

    Status walk_entry(int parent, const Child& child, const std::string& relative, const std::vector<std::string>& keep,
                      int depth) {
        if (keep.empty()) return remove_(parent, child, relative);
        if (std::find(keep.begin(), keep.end(), std::string{}) != keep.end()) {
            preview_.kept.push_back(relative);
            return {};
        }
        // A kept path lies below: descend, but only into a real directory.
        const Descriptor directory = open_directory_at(parent, child.name.c_str());
        if (!directory.valid()) {
            const int error_number = errno;
            const std::string beyond = join_path(relative, keep.front());
            if (is_symlink_at(parent, child.name)) {
                preview_.blocked.push_back(blocking_link_message(
                    data_dir_ / relative, link_target_at(parent, child.name), data_dir_ / beyond));
            } else if (error_number == ENOTDIR) {
                preview_.notes.push_back(
                    fmt::format("{} is not a directory, and {} lies beyond it: left alone", relative, beyond));
            } else if (error_number != ENOENT) {
                return os_error("open", (data_dir_ / relative).string(), error_number);
            }
            return {};
        }
        return walk_directory(directory.get(), relative, keep, depth + 1);
    }

  private:
    fs::path data_dir_;
    WipePreview& preview_;
    Remove remove_;
};

Status walk_wipe(const fs::path& data_dir, const fs::path& target, const std::vector<std::string>& keep,
                 WipePreview& preview, const WipeWalker::Remove& remove) {
    auto location = locate(data_dir, target, preview);
    if (!location) return location.error();
    if (!location->has_value()) return {};
    Location& where = **location;
    WipeWalker walker(data_dir, preview, remove);
    if (where.name.empty())
        return walker.walk_directory(where.parent.get(), ".", keep, 0);  // the data dir itself stays
    return walker.walk_entry(where.parent.get(), {where.name, DT_UNKNOWN}, where.relative, keep, 0);
}

}  // namespace

Result<fs::path> checked_data_dir(const fs::path& directory, std::string_view what) {
    if (directory.empty()) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} is empty; refusing to reset without a data dir", what));
    }
    if (directory.is_relative()) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} ({}) is relative; a reset needs an absolute path", what, directory.string()));
    }
    std::error_code error;
    const fs::path resolved = fs::weakly_canonical(directory, error);
    if (error) return os_error("resolve", directory.string(), error.value());
    if (resolved == resolved.root_path()) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("{} ({}) is the root directory; refusing to delete anything there", what, directory.string()));
    }
    return resolved;
}

Result<WipePreview> preview_wipe(const fs::path& data_dir, const fs::path& target,
                                 const std::vector<std::string>& keep) {
    WipePreview preview;
    const auto measure = [&preview](int parent, const Child& child, const std::string& relative) -> Status {
        PlannedDeletion deletion{relative, child.type == DT_LNK, {}};
        struct stat status {};
        if (::fstatat(parent, child.name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0) {
            deletion.symlink = S_ISLNK(status.st_mode);
        }
        add_usage_of(parent, child, deletion.usage, 0);
        preview.deletions.push_back(std::move(deletion));
        return {};
    };
    if (auto status = walk_wipe(data_dir, target, keep, preview, measure); !status) return status.error();
    return preview;
}

Result<std::vector<std::string>> wipe_obstacles(const fs::path& data_dir, const fs::path& target,
                                                const std::vector<std::string>& keep) {
    WipePreview preview;
    const auto look = [](int, const Child&, const std::string&) -> Status { return {}; };
    if (auto status = walk_wipe(data_dir, target, keep, preview, look); !status) return status.error();
    return std::move(preview.blocked);
}

Result<TreeUsage> wipe(const fs::path& data_dir, const fs::path& target, const std::vector<std::string>& keep,
                       const std::function<void()>& after_each) {
    // First only look: a wipe that cannot finish must fail before it deletes anything.
    auto obstacles = wipe_obstacles(data_dir, target, keep);
    if (!obstacles) return obstacles.error();
    if (!obstacles->empty()) return make_error(Errc::unsupported, join(*obstacles, "; "));
    WipePreview ignored;
    TreeUsage removed;
    const auto remove = [&](int parent, const Child& child, const std::string& relative) -> Status {
        if (auto status = remove_entry(parent, child, (data_dir / relative).string(), 0); !status) return status;
        removed.entries += 1;
        if (after_each) after_each();
        return {};
    };
    if (auto status = walk_wipe(data_dir, target, keep, ignored, remove); !status) return status.error();
    return removed;
}

TreeUsage usage_within(const fs::path& data_dir, const fs::path& target) {
    TreeUsage usage;
    WipePreview ignored;
    auto location = locate(data_dir, target, ignored);
    if (!location || !location->has_value()) return usage;
    Location& where = **location;
    if (where.name.empty()) {
        auto children = children_of(where.parent.get(), ".");
        if (children) {
            for (const Child& child : *children) add_usage_of(where.parent.get(), child, usage, 0);
        }
        return usage;
    }
    add_usage_of(where.parent.get(), {where.name, DT_UNKNOWN}, usage, 0);
    return usage;
}

}  // namespace ephemery::reset
