#pragma once

#include <filesystem>
#include <string>

namespace ephemery::test {

// A fresh directory under $TMPDIR, removed with everything in it when the object goes away.
class TempDir {
  public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // Writes a file relative to the directory (creating parents) and returns its path.
    std::filesystem::path write(const std::string& relative, const std::string& contents) const;

  private:
    std::filesystem::path path_;
};

}  // namespace ephemery::test
