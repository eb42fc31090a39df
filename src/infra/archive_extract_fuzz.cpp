// libFuzzer target: extracts each input as a release archive into a real directory, then checks the disk, not the
// paths: nothing may appear beside the destination and nothing inside it may be a link (the write-anywhere class).
// The work directory is on /dev/shm when there is one, so the extractor's fsyncs stay cheap.
#include "infra/archive.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path& work_dir() {
    static const fs::path dir = [] {
        const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        std::string pattern = (base / "ephemery-extract-fuzz.XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) __builtin_trap();
        return fs::path(pattern);
    }();
    return dir;
}

void fail(const char* what, const fs::path& path) {
    std::fprintf(stderr, "archive_extract_fuzz: %s: %s\n", what, path.c_str());
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fs::path& root = work_dir();
    const fs::path destination = root / "release";
    const fs::path archive = root / "input.tar.gz";
    std::error_code error;
    fs::remove_all(destination, error);
    fs::create_directory(destination, error);
    {
        std::ofstream out(archive, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
                  static_cast<std::streamsize>(size));
    }
    ephemery::infra::ExtractLimits limits;
    limits.max_entries = 256;
    limits.max_entry_bytes = std::uint64_t{4} << 20U;
    limits.max_total_bytes = std::uint64_t{16} << 20U;
    const auto extracted = ephemery::infra::extract_tar_gz(archive, destination, limits);
    static_cast<void>(extracted);  // refused or not, the disk must look the same way

    for (const auto& entry : fs::directory_iterator(root)) {
        if (entry.path() != destination && entry.path() != archive)
            fail("written beside the destination", entry.path());
    }
    for (const auto& entry : fs::recursive_directory_iterator(destination)) {
        if (entry.is_symlink()) fail("a link inside the destination", entry.path());
    }
    return 0;
}
