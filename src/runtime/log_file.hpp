#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace ephemery::runtime {

// A client's output file, rotated by size: `<path>` is written, `<path>.1` is the newest rotated file and
// `<path>.<files_kept>` the oldest; older ones are dropped. Files are cut at line ends: an unfinished line waits
// (up to 64 KiB) for its end or a flush(), and a line starts a new file when it does not fit in the current one,
// so only a line longer than that is split. The supervisor writes it from the client's pipe, so rotation works
// for every client, whatever it does with its own file handles.
class LogFile {
  public:
    // Opens (creating, or appending to) `path`. max_bytes 0: never rotate. files_kept 0: a full file is dropped.
    [[nodiscard]] static Result<LogFile> open(std::filesystem::path path, std::uint64_t max_bytes, int files_kept);

    LogFile(const LogFile&) = delete;
    LogFile& operator=(const LogFile&) = delete;
    LogFile(LogFile&& other) noexcept;
    LogFile& operator=(LogFile&& other) noexcept;
    ~LogFile();

    // Appends bytes as they are, rotating first when they would make the file larger than max_bytes. A failed
    // write (disk full) loses those bytes and says so; the next write tries again.
    [[nodiscard]] Status write(std::string_view bytes);
    // Writes an unfinished last line held back by write(): when the writer has paused or ended.
    [[nodiscard]] Status flush();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::uint64_t size() const { return size_; }

  private:
    LogFile(std::filesystem::path path, int fd, std::uint64_t size, bool at_line_start, std::uint64_t max_bytes,
            int files_kept);
    [[nodiscard]] Status put(std::string_view bytes);
    [[nodiscard]] Status append(std::string_view bytes);
    [[nodiscard]] Status rotate();
    [[nodiscard]] Status reopen();

    std::filesystem::path path_;
    int fd_{-1};
    std::uint64_t size_{0};
    bool at_line_start_{true};  // the file is empty or its last byte ends a line
    std::uint64_t max_bytes_{0};
    int files_kept_{0};
    std::string pending_;  // an unfinished line
};

}  // namespace ephemery::runtime
