#include "runtime/jwt.hpp"

#include "core/text.hpp"
#include "infra/files.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace ephemery::runtime {

namespace {
namespace fs = std::filesystem;

bool is_hex_secret(std::string_view text) {
    if (text.starts_with("0x")) text.remove_prefix(2);
    return text.size() == 64 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}
}  // namespace

Status ensure_jwt_secret(const fs::path& file) {
    std::error_code error;
    if (fs::exists(file, error)) {
        struct stat info {};
        if (::stat(file.c_str(), &info) != 0)
            return make_error(Errc::io_error, fmt::format("cannot inspect {}", file.string()));
        if ((info.st_mode & 077U) != 0) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} (the Engine API secret) can be read by other users: run chmod 600 {}",
                                          file.string(), file.string()));
        }
        auto text = infra::read_file(file, 1024);
        if (!text) return text.error();
        if (!is_hex_secret(trim(*text))) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} is not a JWT secret (64 hex digits); delete it and ephemery writes a "
                                          "new one, then restart the execution and consensus clients together",
                                          file.string()));
        }
        return {};
    }
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return make_error(Errc::io_error, "the system random number generator failed");
    }
    std::string hex = to_hex(bytes);
    bytes.fill(0);
    fs::create_directories(file.parent_path(), error);
    auto status = infra::write_file_atomically(file, hex + "\n", infra::owner_only);
    std::fill(hex.begin(), hex.end(), '\0');
    return status;
}

}  // namespace ephemery::runtime
