#include "test_support/fixtures.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ephemery::test {

std::filesystem::path fixtures_dir() {
    return EPHEMERY_FIXTURES_DIR;
}

std::string read_fixture(const std::string& relative) {
    const auto path = fixtures_dir() / relative;
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        (void)std::fprintf(stderr, "missing fixture %s\n", path.c_str());
        std::abort();
    }
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

}  // namespace ephemery::test
