#include "test_support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace ephemery::test {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ephemery-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = buffer.data();
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& relative, const std::string& contents) const {
    auto target = path_ / relative;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream(target, std::ios::binary) << contents;
    return target;
}

}  // namespace ephemery::test
