#include "test_support/shared_dir.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ephemery::test {

std::filesystem::path shared_dir() {
    const char* dir = std::getenv("EPHEMERY_SHARED_DIR");  // NOLINT(concurrency-mt-unsafe): read before threads start
    if (dir == nullptr || !std::filesystem::is_directory(dir)) {
        (void)std::fprintf(stderr, "EPHEMERY_SHARED_DIR does not name ../shared; run the tests through ctest\n");
        std::abort();
    }
    return dir;
}

std::string read_shared(const std::string& relative) {
    const auto path = shared_dir() / relative;
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
