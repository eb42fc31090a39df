// libFuzzer target: the archive reader takes downloads from the network; whatever the bytes, it must not
// crash, and every accepted path must be relative and free of "..".
#include "infra/archive.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ephemery::infra::ExtractLimits limits;
    limits.max_total_bytes = std::uint64_t{64} << 20U;
    const std::string_view bytes(reinterpret_cast<const char*>(data),
                                 size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    const auto files = ephemery::infra::scan_tar_gz(bytes, "fuzz.tar.gz", limits);
    if (files) {
        for (const auto& file : *files) {
            const std::string wrapped = "/" + file.path + "/";
            if (file.path.empty() || file.path.front() == '/' || wrapped.find("/../") != std::string::npos) {
                __builtin_trap();
            }
        }
    }
    return 0;
}
