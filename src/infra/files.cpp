#include "infra/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>
#include <vector>

namespace ephemery::infra {
namespace {

Error os_error(std::string_view action, const std::filesystem::path& path, int error_number) {
    return make_error(Errc::io_error, fmt::format("cannot {} {}: {}", action, path.string(),
                                                  std::error_code(error_number, std::generic_category()).message()));
}

// Closes a descriptor on every path out of a function.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

Status write_all(int fd, std::string_view contents, const std::filesystem::path& path) {
    while (!contents.empty()) {
        const ssize_t written = ::write(fd, contents.data(), contents.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return os_error("write", path, errno);
        }
        contents.remove_prefix(static_cast<std::size_t>(written));
    }
    return {};
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                             std::filesystem::perms mode) {
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
    // Hidden, and unique per writer: ".<name>.tmp-XXXXXX" beside the target, so rename stays atomic.
    std::string temp_leaf = ".";
    temp_leaf += path.filename().string();
    temp_leaf += ".tmp-XXXXXX";
    const std::string temp_name = (directory / temp_leaf).string();
    std::vector<char> temp_buffer(temp_name.begin(), temp_name.end());
    temp_buffer.push_back('\0');
    FileDescriptor file{::mkstemp(temp_buffer.data())};
    if (file.get() < 0) return os_error("create a temporary file in", directory, errno);
    const std::filesystem::path temp_path{temp_buffer.data()};

    auto fail = [&](Error error) -> Status {
        ::unlink(temp_path.c_str());
        return error;
    };
    if (::fchmod(file.get(), static_cast<mode_t>(mode)) != 0)
        return fail(os_error("set permissions on", temp_path, errno));
    if (auto status = write_all(file.get(), contents, temp_path); !status) return fail(status.error());
    if (::fsync(file.get()) != 0) return fail(os_error("flush", temp_path, errno));
    if (::close(file.release()) != 0) return fail(os_error("close", temp_path, errno));
    if (::rename(temp_path.c_str(), path.c_str()) != 0) return fail(os_error("replace", path, errno));
    return sync_directory(directory);
}

Status sync_directory(const std::filesystem::path& directory) {
    // A rename is durable only once the directory entry is on disk.
    const FileDescriptor dir{::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (dir.get() < 0 || ::fsync(dir.get()) != 0) return os_error("flush directory", directory, errno);
    return {};
}

Status rename_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) return os_error(fmt::format("rename {} to", from.string()), to, errno);
    return sync_directory(to.has_parent_path() ? to.parent_path() : ".");
}

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) {
        return make_error(error == std::errc::no_such_file_or_directory ? Errc::not_found : Errc::io_error,
                          fmt::format("cannot read {}: {}", path.string(), error.message()));
    }
    if (size > max_bytes) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} is {} bytes; the limit is {} bytes", path.string(), size, max_bytes));
    }
    std::ifstream stream(path, std::ios::binary);
    if (!stream) return os_error("open", path, errno);
    std::string contents(static_cast<std::size_t>(size), '\0');
    stream.read(contents.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(stream.gcount()) != size) return os_error("read", path, errno);
    return contents;
}

Status create_private_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        if (errno == EEXIST) return {};
        return make_error(Errc::io_error, fmt::format("cannot create {}: {}", path.string(),
                                                      std::error_code(errno, std::generic_category()).message()));
    }
    const bool private_mode = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;  // whatever the umask
    ::close(fd);
    if (!private_mode)
        return make_error(Errc::io_error, fmt::format("cannot make {} private (mode 0600)", path.string()));
    return {};
}

}  // namespace ephemery::infra
