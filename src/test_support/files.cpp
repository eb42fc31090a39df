#include "test_support/files.hpp"

#include <fstream>
#include <iterator>

namespace ephemery::test {

std::string contents_of(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

}  // namespace ephemery::test
