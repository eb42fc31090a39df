#include "infra/archive.hpp"

#include "infra/files.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <functional>
#include <memory>
#include <set>
#include <system_error>

namespace ephemery::infra {
namespace {

std::vector<std::string> split_components(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        parts.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

// Where a symlink at `link_path` pointing at `target` resolves, lexically; an error if outside the root.
bool symlink_stays_inside(const std::string& link_path, std::string_view target) {
    if (target.empty() || target.front() == '/') return false;
    auto parts = split_components(link_path);
    parts.pop_back();  // the link's own name
    for (const auto& part : split_components(target)) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (parts.empty()) return false;
            parts.pop_back();
        } else {
            parts.push_back(part);
        }
    }
    return true;
}

// What happens to the entries that pass the checks.
class EntrySink {
  public:
    virtual ~EntrySink() = default;
    EntrySink() = default;
    EntrySink(const EntrySink&) = delete;
    EntrySink& operator=(const EntrySink&) = delete;
    EntrySink(EntrySink&&) = delete;
    EntrySink& operator=(EntrySink&&) = delete;
    virtual Status directory(const std::string& path) = 0;
    virtual Status begin_file(const std::string& path) = 0;
    virtual Status data(const char* bytes, std::size_t size) = 0;
    virtual Status end_file() = 0;
    virtual Status symlink(const std::string& path, const std::string& target) = 0;
    virtual Status hardlink(const std::string& path, const std::string& target) = 0;
};

class DiscardSink final : public EntrySink {
  public:
    Status directory(const std::string&) override { return {}; }
    Status begin_file(const std::string&) override { return {}; }
    Status data(const char*, std::size_t) override { return {}; }
    Status end_file() override { return {}; }
    Status symlink(const std::string&, const std::string&) override { return {}; }
    Status hardlink(const std::string&, const std::string&) override { return {}; }
};

Error io_error(std::string_view action, const std::filesystem::path& path, int error_number) {
    return make_error(Errc::io_error, fmt::format("cannot {} {}: {}", action, path.string(),
                                                  std::error_code(error_number, std::generic_category()).message()));
}

class DiskSink final : public EntrySink {
  public:
    explicit DiskSink(std::filesystem::path root) : root_(std::move(root)) {}
    ~DiskSink() override {
        if (fd_ >= 0) ::close(fd_);
    }
    DiskSink(const DiskSink&) = delete;
    DiskSink& operator=(const DiskSink&) = delete;
    DiskSink(DiskSink&&) = delete;
    DiskSink& operator=(DiskSink&&) = delete;

    Status directory(const std::string& path) override {
        std::error_code error;
        std::filesystem::create_directories(root_ / path, error);
        if (error)
            return make_error(Errc::io_error,
                              fmt::format("cannot create {}: {}", (root_ / path).string(), error.message()));
        return {};
    }
    Status begin_file(const std::string& path) override {
        const auto target = root_ / path;
        if (auto status = directory(std::filesystem::path(path).parent_path().string()); !status) return status;
        current_ = target;
        fd_ = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            if (errno == EEXIST) {
                return make_error(Errc::verification_failed, fmt::format("entry \"{}\" appears twice", path));
            }
            return io_error("create", target, errno);
        }
        return {};
    }
    Status data(const char* bytes, std::size_t size) override {
        while (size > 0) {
            const ssize_t written = ::write(fd_, bytes, size);
            if (written < 0) {
                if (errno == EINTR) continue;
                return io_error("write", current_, errno);
            }
            bytes += written;
            size -= static_cast<std::size_t>(written);
        }
        return {};
    }
    Status end_file() override {
        // Durable before the release can become current.
        const int result = ::fsync(fd_);
        const int saved = errno;
        ::close(fd_);
        fd_ = -1;
        if (result != 0) return io_error("flush", current_, saved);
        return {};
    }
    Status symlink(const std::string& path, const std::string& target) override {
        if (auto status = directory(std::filesystem::path(path).parent_path().string()); !status) return status;
        if (::symlink(target.c_str(), (root_ / path).c_str()) != 0) return io_error("create link", root_ / path, errno);
        return {};
    }
    Status hardlink(const std::string& path, const std::string& target) override {
        if (auto status = directory(std::filesystem::path(path).parent_path().string()); !status) return status;
        if (::linkat(AT_FDCWD, (root_ / target).c_str(), AT_FDCWD, (root_ / path).c_str(), 0) != 0) {
            return io_error("create link", root_ / path, errno);
        }
        return {};
    }

  private:
    std::filesystem::path root_;
    std::filesystem::path current_;
    int fd_{-1};
};

// libarchive may have no message (NULL) for an error.
std::string archive_error(archive* reader) {
    const char* message = archive_error_string(reader);
    return message != nullptr ? message : "unknown error";
}

using ReaderHandle = std::unique_ptr<archive, decltype(&archive_read_free)>;

ReaderHandle new_reader() {
    ReaderHandle reader(archive_read_new(), &archive_read_free);
    archive_read_support_filter_gzip(reader.get());
    archive_read_support_format_tar(reader.get());
    return reader;
}

// Reads every entry, checks it, and hands the accepted ones to the sink.
Result<std::vector<ExtractedFile>> walk(archive* reader, std::string_view label, std::uint64_t archive_bytes,
                                        const ExtractLimits& limits, EntrySink& sink) {
    const auto refuse = [&](std::string_view entry, std::string_view why) {
        return make_error(Errc::verification_failed, fmt::format("archive {}: entry \"{}\" {}", label, entry, why));
    };
    const auto corrupt = [&]() {
        return make_error(Errc::parse_error,
                          fmt::format("archive {} is truncated or corrupt: {}", label, archive_error(reader)));
    };
    std::vector<ExtractedFile> files;
    std::set<std::string> regular_files;
    std::uint64_t total = 0;
    std::uint64_t entries = 0;
    std::array<char, 65536> buffer{};
    while (true) {
        archive_entry* entry = nullptr;
        const int header = archive_read_next_header(reader, &entry);
        if (header == ARCHIVE_EOF) break;
        if (header != ARCHIVE_OK && header != ARCHIVE_WARN) return corrupt();
        if (++entries > limits.max_entries) {
            return make_error(Errc::verification_failed,
                              fmt::format("archive {} has more than {} entries", label, limits.max_entries));
        }
        const char* raw_name = archive_entry_pathname(entry);
        const std::string raw = raw_name != nullptr ? raw_name : "";
        auto path = safe_entry_path(raw);
        if (!path) return refuse(raw, path.error().message);
        if (path->empty()) continue;  // "./": the root itself

        if (const char* link = archive_entry_hardlink(entry); link != nullptr) {
            auto target = safe_entry_path(link);
            if (!target || !regular_files.contains(*target)) {
                return refuse(raw, fmt::format("is a hard link to \"{}\", outside the extracted files", link));
            }
            if (auto status = sink.hardlink(*path, *target); !status) return status.error();
            continue;
        }
        switch (archive_entry_filetype(entry)) {
            case AE_IFDIR:
                if (auto status = sink.directory(*path); !status) return status.error();
                continue;
            case AE_IFLNK: {
                const char* target = archive_entry_symlink(entry);
                if (target == nullptr || !symlink_stays_inside(*path, target)) {
                    return refuse(raw, fmt::format("is a symbolic link to \"{}\", which points outside the release",
                                                   target != nullptr ? target : ""));
                }
                if (auto status = sink.symlink(*path, target); !status) return status.error();
                continue;
            }
            case AE_IFREG: break;
            default: return refuse(raw, "is a device file, FIFO or socket; releases hold only files and directories");
        }

        const auto declared = archive_entry_size(entry);
        if (declared < 0 || static_cast<std::uint64_t>(declared) > limits.max_entry_bytes) {
            return refuse(raw,
                          fmt::format("is {} bytes; the limit for one file is {}", declared, limits.max_entry_bytes));
        }
        if (auto status = sink.begin_file(*path); !status) return status.error();
        std::uint64_t written = 0;
        while (true) {
            const la_ssize_t got = archive_read_data(reader, buffer.data(), buffer.size());
            if (got == 0) break;
            if (got < 0) return corrupt();
            written += static_cast<std::uint64_t>(got);
            total += static_cast<std::uint64_t>(got);
            if (written > limits.max_entry_bytes) {
                return refuse(raw, fmt::format("holds more than {} bytes", limits.max_entry_bytes));
            }
            if (total > limits.max_total_bytes) {
                return make_error(Errc::verification_failed, fmt::format("archive {} expands to more than {} bytes "
                                                                         "(at entry \"{}\")",
                                                                         label, limits.max_total_bytes, raw));
            }
            if (total > limits.ratio_floor_bytes &&
                total / std::max<std::uint64_t>(archive_bytes, 1) > limits.max_ratio) {
                return make_error(Errc::verification_failed,
                                  fmt::format("archive {} expands more than {} times its size (at entry \"{}\"): a "
                                              "compression bomb?",
                                              label, limits.max_ratio, raw));
            }
            if (auto status = sink.data(buffer.data(), static_cast<std::size_t>(got)); !status) return status.error();
        }
        if (auto status = sink.end_file(); !status) return status.error();
        regular_files.insert(*path);
        files.push_back({*path, written});
    }
    return files;
}

}  // namespace

Result<std::string> safe_entry_path(std::string_view raw) {
    if (raw.empty()) return make_error(Errc::verification_failed, "has an empty name");
    if (raw.front() == '/') return make_error(Errc::verification_failed, "is an absolute path");
    std::string normalised;
    for (const auto& part : split_components(raw)) {
        if (part.empty() || part == ".") continue;
        if (part == "..") return make_error(Errc::verification_failed, "climbs out of the destination with \"..\"");
        if (!normalised.empty()) normalised += '/';
        normalised += part;
    }
    return normalised;
}

Result<std::vector<ExtractedFile>> extract_tar_gz(const std::filesystem::path& archive_path,
                                                  const std::filesystem::path& destination,
                                                  const ExtractLimits& limits) {
    std::error_code error;
    const auto archive_bytes = std::filesystem::file_size(archive_path, error);
    if (error)
        return make_error(Errc::io_error, fmt::format("cannot read {}: {}", archive_path.string(), error.message()));
    auto reader = new_reader();
    if (archive_read_open_filename(reader.get(), archive_path.c_str(), 65536) != ARCHIVE_OK) {
        return make_error(Errc::parse_error,
                          fmt::format("archive {} is truncated or corrupt: {}", archive_path.filename().string(),
                                      archive_error(reader.get())));
    }
    DiskSink sink(destination);
    return walk(reader.get(), archive_path.filename().string(), archive_bytes, limits, sink);
}

Result<std::vector<ExtractedFile>> scan_tar_gz(std::string_view bytes, std::string_view label,
                                               const ExtractLimits& limits) {
    auto reader = new_reader();
    if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
        return make_error(Errc::parse_error,
                          fmt::format("archive {} is truncated or corrupt: {}", label, archive_error(reader.get())));
    }
    DiscardSink sink;
    return walk(reader.get(), label, bytes.size(), limits, sink);
}

namespace {

struct WriterDeleter {
    void operator()(archive* writer) const { archive_write_free(writer); }
};

Status write_member(archive* writer, const ArchiveMember& member) {
    std::string data = member.contents;
    if (!member.source.empty()) {
        auto contents = read_file(member.source, std::size_t{1} << 31);
        if (!contents) return contents.error();
        data = std::move(contents).value();
    }
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), member.name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0600);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(entry.get(), ::time(nullptr), 0);
    if (archive_write_header(writer, entry.get()) != ARCHIVE_OK ||
        (!data.empty() &&
         archive_write_data(writer, data.data(), data.size()) != static_cast<la_ssize_t>(data.size()))) {
        return make_error(Errc::io_error,
                          fmt::format("cannot add {} to the archive: {}", member.name, archive_error_string(writer)));
    }
    return {};
}

}  // namespace

Status write_tar_gz(const std::filesystem::path& destination, const std::vector<ArchiveMember>& members) {
    const std::filesystem::path temporary = destination.string() + ".partial";
    {
        std::unique_ptr<archive, WriterDeleter> writer(archive_write_new());
        archive_write_add_filter_gzip(writer.get());
        archive_write_set_format_pax_restricted(writer.get());
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            return make_error(Errc::io_error, fmt::format("cannot create {}: {}", temporary.string(),
                                                          std::error_code(errno, std::generic_category()).message()));
        }
        if (archive_write_open_fd(writer.get(), fd) != ARCHIVE_OK) {
            ::close(fd);
            return make_error(Errc::io_error, fmt::format("cannot write {}: {}", temporary.string(),
                                                          archive_error_string(writer.get())));
        }
        for (const ArchiveMember& member : members) {
            if (auto status = write_member(writer.get(), member); !status) {
                ::close(fd);
                return status;
            }
        }
        const bool closed = archive_write_close(writer.get()) == ARCHIVE_OK;
        const bool synced = ::fsync(fd) == 0;
        ::close(fd);
        if (!closed || !synced) {
            return make_error(Errc::io_error, fmt::format("cannot finish {}", temporary.string()));
        }
    }
    return rename_durably(temporary, destination);
}

}  // namespace ephemery::infra
