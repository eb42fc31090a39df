#include "infra/archive.hpp"

#include "infra/descriptor.hpp"
#include "infra/files.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <system_error>
#include <utility>

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
};

class DiscardSink final : public EntrySink {
  public:
    Status directory(const std::string&) override { return {}; }
    Status begin_file(const std::string&) override { return {}; }
    Status data(const char*, std::size_t) override { return {}; }
    Status end_file() override { return {}; }
};

Error io_error(std::string_view action, const std::filesystem::path& path, int error_number) {
    return make_error(Errc::io_error, fmt::format("cannot {} {}: {}", action, path.string(),
                                                  std::error_code(error_number, std::generic_category()).message()));
}

// Writes beneath one directory and nowhere else. Every component of every path is opened from the directory
// above it with O_NOFOLLOW (directories with O_DIRECTORY as well), so a link met on the way, whoever made it, is
// an error rather than a way out; files are created with O_EXCL, so nothing already there is overwritten.
class DiskSink final : public EntrySink {
  public:
    explicit DiskSink(std::filesystem::path root) : root_(std::move(root)) {}

    Status open_root() {
        root_fd_ = Descriptor(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (root_fd_.get() < 0) return io_error("open", root_, errno);
        return {};
    }
    Status directory(const std::string& path) override {
        auto opened = open_directory(path);
        if (!opened) return opened.error();
        return {};
    }
    Status begin_file(const std::string& path) override {
        const auto slash = path.rfind('/');
        auto parent = open_directory(slash == std::string::npos ? std::string() : path.substr(0, slash));
        if (!parent) return parent.error();
        const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
        current_ = root_ / path;
        file_ = Descriptor(
            ::openat(parent->get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (file_.get() < 0) {
            if (errno == EEXIST) {
                return make_error(Errc::verification_failed, fmt::format("entry \"{}\" appears twice", path));
            }
            return io_error("create", current_, errno);
        }
        return {};
    }
    Status data(const char* bytes, std::size_t size) override {
        while (size > 0) {
            const ssize_t written = ::write(file_.get(), bytes, size);
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
        const int result = ::fsync(file_.get());
        const int saved = errno;
        file_.reset();
        if (result != 0) return io_error("flush", current_, saved);
        return {};
    }

  private:
    // The directory at `path` (relative, normalised; empty: the root), each missing component created.
    Result<Descriptor> open_directory(const std::string& path) {
        Descriptor current(::dup(root_fd_.get()));
        if (current.get() < 0) return io_error("open", root_, errno);
        std::filesystem::path walked = root_;
        for (const auto& part : split_components(path)) {
            if (part.empty()) continue;
            walked /= part;
            if (::mkdirat(current.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
                return io_error("create", walked, errno);
            }
            Descriptor next(::openat(current.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (next.get() < 0) {
                if (errno == ELOOP || errno == ENOTDIR) {
                    return make_error(Errc::verification_failed,
                                      fmt::format("{} is not a directory of the archive (a link or a file is in the "
                                                  "way); nothing is written through it",
                                                  walked.string()));
                }
                return io_error("open", walked, errno);
            }
            current = std::move(next);
        }
        return current;
    }

    std::filesystem::path root_;
    Descriptor root_fd_;
    std::filesystem::path current_;
    Descriptor file_;
};

// Inflates the whole gzip stream, every member of it, so that zlib checks each member's CRC-32 and length trailer.
// libarchive stops reading at the tar end-of-archive blocks and does not check the trailer, so a flipped bit in
// the compressed data would otherwise reach the disk as a corrupted config.yaml or genesis.ssz.
// `read` fills the buffer and returns how much it put there, 0 at the end. Past `stop_after_bytes` of output the
// check ends without a verdict: walk() refuses such an archive anyway, with the size cap that it broke.
Status verify_gzip(std::string_view label, std::uint64_t stop_after_bytes,
                   const std::function<Result<std::size_t>(std::span<unsigned char>)>& read) {
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {  // 16: the gzip wrapper, whose trailer zlib checks
        return make_error(Errc::io_error, fmt::format("cannot check archive {}: zlib would not start", label));
    }
    const std::unique_ptr<z_stream, decltype(&inflateEnd)> end(&stream, &inflateEnd);
    const auto corrupt = [&](std::string_view why) {
        return make_error(Errc::parse_error, fmt::format("archive {} is truncated or corrupt: gzip's integrity check "
                                                         "failed ({}); nothing was extracted",
                                                         label, why));
    };
    std::vector<unsigned char> input(std::size_t{1} << 16U);
    std::vector<unsigned char> output(std::size_t{1} << 16U);
    bool inside_member = false;
    bool any_member = false;
    while (true) {
        if (stream.avail_in == 0) {
            auto got = read(input);
            if (!got) return got.error();
            if (*got == 0) break;
            stream.next_in = input.data();
            stream.avail_in = static_cast<uInt>(*got);
        }
        if (!inside_member) {  // a member starts here (gzip allows several in a row)
            if (any_member && inflateReset(&stream) != Z_OK) return corrupt("zlib reset failed");
            inside_member = true;
            any_member = true;
        }
        stream.next_out = output.data();
        stream.avail_out = static_cast<uInt>(output.size());
        const int result = inflate(&stream, Z_NO_FLUSH);
        if (stream.total_out > stop_after_bytes) return {};
        if (result == Z_STREAM_END) {
            inside_member = false;  // its CRC-32 and length matched
        } else if (result != Z_OK) {
            return corrupt(stream.msg != nullptr ? stream.msg : "bad data");
        }
    }
    if (!any_member) return corrupt("the file is empty");
    if (inside_member) return corrupt("it ends before its trailer: truncated");
    return {};
}

// How much a gzip check inflates before it leaves the archive to walk()'s size caps: what they allow, plus the tar
// headers and padding of every entry they allow.
std::uint64_t gzip_check_budget(std::uint64_t archive_bytes, const ExtractLimits& limits) {
    const std::uint64_t by_ratio = std::max(limits.ratio_floor_bytes, archive_bytes * limits.max_ratio);
    return std::min(limits.max_total_bytes, by_ratio) + (limits.max_entries + 1) * 1024 + 20480;
}

Status verify_gzip_file(const std::filesystem::path& path, std::uint64_t stop_after_bytes) {
    const Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) return io_error("open", path, errno);
    return verify_gzip(path.filename().string(), stop_after_bytes,
                       [&](std::span<unsigned char> buffer) -> Result<std::size_t> {
                           while (true) {
                               const ssize_t got = ::read(file.get(), buffer.data(), buffer.size());
                               if (got >= 0) return static_cast<std::size_t>(got);
                               if (errno != EINTR) return io_error("read", path, errno);
                           }
                       });
}

Status verify_gzip_bytes(std::string_view bytes, std::string_view label, std::uint64_t stop_after_bytes) {
    std::size_t offset = 0;
    return verify_gzip(label, stop_after_bytes, [&](std::span<unsigned char> buffer) -> Result<std::size_t> {
        const std::size_t count = std::min(buffer.size(), bytes.size() - offset);
        std::memcpy(buffer.data(), bytes.data() + offset, count);
        offset += count;
        return count;
    });
}

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
    // The sink's refusals (an entry twice, a link in the way) name the entry; this adds which archive.
    const auto with_archive = [&](Error error) {
        if (error.code == Errc::verification_failed)
            error.message = fmt::format("archive {}: {}", label, error.message);
        return error;
    };
    std::vector<ExtractedFile> files;
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

        // Releases are files and directories. A link, even one pointing inside, would let a later entry (or the
        // node, reading the release) reach a place the archive's author chose; none is extracted.
        if (const char* link = archive_entry_hardlink(entry); link != nullptr) {
            return refuse(raw, fmt::format("is a hard link (to \"{}\"); releases hold only files and directories, "
                                           "and no link is extracted",
                                           link));
        }
        switch (archive_entry_filetype(entry)) {
            case AE_IFDIR:
                if (auto status = sink.directory(*path); !status) return with_archive(status.error());
                continue;
            case AE_IFLNK: {
                const char* target = archive_entry_symlink(entry);
                return refuse(raw, fmt::format("is a symbolic link (to \"{}\"); releases hold only files and "
                                               "directories, and no link is extracted",
                                               target != nullptr ? target : ""));
            }
            case AE_IFREG: break;
            default: return refuse(raw, "is a device file, FIFO or socket; releases hold only files and directories");
        }

        const auto declared = archive_entry_size(entry);
        if (declared < 0 || static_cast<std::uint64_t>(declared) > limits.max_entry_bytes) {
            return refuse(raw,
                          fmt::format("is {} bytes; the limit for one file is {}", declared, limits.max_entry_bytes));
        }
        std::uint64_t entry_cap = limits.max_entry_bytes;
        if (limits.admit_file) {
            auto admitted = limits.admit_file(*path, static_cast<std::uint64_t>(declared));
            if (!admitted) return refuse(raw, admitted.error().message);
            entry_cap = std::min(entry_cap, *admitted);
        }
        if (auto status = sink.begin_file(*path); !status) return with_archive(status.error());
        std::uint64_t written = 0;
        while (true) {
            const la_ssize_t got = archive_read_data(reader, buffer.data(), buffer.size());
            if (got == 0) break;
            if (got < 0) return corrupt();
            written += static_cast<std::uint64_t>(got);
            total += static_cast<std::uint64_t>(got);
            if (written > entry_cap) {
                return refuse(raw, fmt::format("holds more than {} bytes", entry_cap));
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
    if (auto status = verify_gzip_file(archive_path, gzip_check_budget(archive_bytes, limits)); !status) {
        return status.error();
    }
    auto reader = new_reader();
    if (archive_read_open_filename(reader.get(), archive_path.c_str(), 65536) != ARCHIVE_OK) {
        return make_error(Errc::parse_error,
                          fmt::format("archive {} is truncated or corrupt: {}", archive_path.filename().string(),
                                      archive_error(reader.get())));
    }
    DiskSink sink(destination);
    if (auto status = sink.open_root(); !status) return status.error();
    return walk(reader.get(), archive_path.filename().string(), archive_bytes, limits, sink);
}

Result<std::vector<ExtractedFile>> scan_tar_gz(std::string_view bytes, std::string_view label,
                                               const ExtractLimits& limits) {
    if (auto status = verify_gzip_bytes(bytes, label, gzip_check_budget(bytes.size(), limits)); !status) {
        return status.error();
    }
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
