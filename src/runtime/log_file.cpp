#include "runtime/log_file.hpp"
#include "runtime/posix_helpers.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

namespace ephemery::runtime {

namespace {

namespace fs = std::filesystem;

constexpr mode_t log_mode = 0640;
constexpr std::size_t longest_held_line = std::size_t{64} * 1024;

fs::path numbered(const fs::path& path, int number) {
    fs::path result = path;
    result += fmt::format(".{}", number);
    return result;
}

int open_for_append(const fs::path& path) {
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, log_mode);
}

}  // namespace

Result<LogFile> LogFile::open(fs::path path, std::uint64_t max_bytes, int files_kept) {
    if (files_kept < 0) return make_error(Errc::invalid_argument, "log_files_kept must be 0 or more");
    const int fd = open_for_append(path);
    if (fd < 0) {
        return make_error(Errc::io_error, fmt::format("cannot open the log {}: {}", path.string(), error_text(errno)));
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int error_number = errno;
        ::close(fd);
        return make_error(Errc::io_error,
                          fmt::format("cannot stat the log {}: {}", path.string(), error_text(error_number)));
    }
    const auto size = static_cast<std::uint64_t>(info.st_size);
    bool at_line_start = true;
    if (size > 0) {
        char last = '\n';
        at_line_start = ::pread(fd, &last, 1, info.st_size - 1) == 1 && last == '\n';
    }
    return LogFile(std::move(path), fd, size, at_line_start, max_bytes, files_kept);
}

LogFile::LogFile(fs::path path, int fd, std::uint64_t size, bool at_line_start, std::uint64_t max_bytes, int files_kept)
    : path_(std::move(path)),
      fd_(fd),
      size_(size),
      at_line_start_(at_line_start),
      max_bytes_(max_bytes),
      files_kept_(files_kept) {}

LogFile::LogFile(LogFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      at_line_start_(other.at_line_start_),
      max_bytes_(other.max_bytes_),
      files_kept_(other.files_kept_),
      pending_(std::move(other.pending_)) {}

LogFile& LogFile::operator=(LogFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = other.size_;
        at_line_start_ = other.at_line_start_;
        max_bytes_ = other.max_bytes_;
        files_kept_ = other.files_kept_;
        pending_ = std::move(other.pending_);
    }
    return *this;
}

LogFile::~LogFile() {
    if (!pending_.empty()) (void)flush();
    if (fd_ >= 0) ::close(fd_);
}

Status LogFile::write(std::string_view bytes) {
    if (max_bytes_ == 0) return append(bytes);  // never rotated: nothing to keep whole
    pending_.append(bytes);
    const std::size_t complete = pending_.rfind('\n') + 1;  // 0 when there is no line end
    Status written = put(std::string_view(pending_).substr(0, complete));
    pending_.erase(0, complete);
    if (pending_.size() >= std::min<std::uint64_t>(max_bytes_, longest_held_line)) {
        Status rest = flush();  // too long to hold back: it will be split anyway
        if (written) written = std::move(rest);
    }
    return written;
}

Status LogFile::flush() {
    Status written = put(pending_);
    pending_.clear();
    return written;
}

Status LogFile::put(std::string_view bytes) {
    // On a failed rotation the rest is kept rather than lost: the file grows past its bound until rotation works.
    const auto rotate_or_keep = [this, &bytes]() -> Status {
        Status rotated = rotate();
        if (!rotated) (void)append(bytes);
        return rotated;
    };
    while (!bytes.empty()) {
        if (max_bytes_ == 0) return append(bytes);
        if (size_ >= max_bytes_) {
            if (Status rotated = rotate_or_keep(); !rotated) return rotated;
            continue;
        }
        const std::uint64_t room = max_bytes_ - size_;
        if (bytes.size() <= room) return append(bytes);
        const std::string_view head = bytes.substr(0, static_cast<std::size_t>(room));
        const std::size_t last_newline = head.rfind('\n');
        std::size_t cut = head.size();
        if (last_newline != std::string_view::npos) {
            cut = last_newline + 1;
        } else if (size_ > 0 && at_line_start_) {
            // The next line does not fit: it starts the next file instead of being split.
            if (Status rotated = rotate_or_keep(); !rotated) return rotated;
            continue;
        }
        // Whole lines up to the cut, or a line too long for any file (or already begun in this one): split it.
        if (Status written = append(bytes.substr(0, cut)); !written) return written;
        bytes.remove_prefix(cut);
        if (Status rotated = rotate_or_keep(); !rotated) return rotated;
    }
    return {};
}

Status LogFile::append(std::string_view bytes) {
    if (fd_ < 0) {
        if (Status reopened = reopen(); !reopened) return reopened;
    }
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) {
            return make_error(Errc::io_error, fmt::format("cannot write the log {}: {}; {} bytes of output lost",
                                                          path_.string(), error_text(errno), bytes.size()));
        }
        const auto length = static_cast<std::size_t>(written);
        at_line_start_ = bytes[length - 1] == '\n';
        size_ += length;
        bytes.remove_prefix(length);
    }
    return {};
}

Status LogFile::rotate() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    std::error_code error;
    if (files_kept_ == 0) {
        fs::remove(path_, error);
    } else {
        fs::remove(numbered(path_, files_kept_), error);
        for (int number = files_kept_ - 1; number >= 1 && !error; --number) {
            const fs::path from = numbered(path_, number);
            if (fs::exists(from, error)) fs::rename(from, numbered(path_, number + 1), error);
        }
        if (!error) fs::rename(path_, numbered(path_, 1), error);
    }
    Status reopened = reopen();
    if (error) {
        return make_error(Errc::io_error, fmt::format("cannot rotate the log {}: {}", path_.string(), error.message()));
    }
    return reopened;
}

Status LogFile::reopen() {
    fd_ = open_for_append(path_);
    if (fd_ < 0) {
        return make_error(Errc::io_error, fmt::format("cannot open the log {}: {}", path_.string(), error_text(errno)));
    }
    struct stat info {};
    size_ = ::fstat(fd_, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
    at_line_start_ = true;
    return {};
}

}  // namespace ephemery::runtime
