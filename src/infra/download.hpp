#pragma once

#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace ephemery::infra {

struct DownloadSettings {
    std::chrono::milliseconds connect_timeout{std::chrono::seconds{15}};
    std::chrono::milliseconds total_timeout{std::chrono::minutes{10}};  // one attempt
    // A transfer slower than low_speed_bytes_per_second for a whole low_speed_window is cut and retried: a server
    // that sends its headers and then nothing would otherwise hold an attempt until total_timeout.
    std::uint64_t low_speed_bytes_per_second{1024};
    std::chrono::seconds low_speed_window{30};
    // Every attempt and every pause between attempts ends by this deadline (the caller may hold a lock meanwhile).
    std::chrono::milliseconds deadline{std::chrono::minutes{20}};
    int attempts{5};
    std::chrono::milliseconds backoff_initial{std::chrono::seconds{1}};  // doubled per retry, with jitter
    std::chrono::milliseconds backoff_max{std::chrono::seconds{30}};
    std::uint64_t max_bytes{std::uint64_t{2} << 30};
    bool progress{false};  // a progress bar on stderr
};

struct Downloaded {
    std::string url;  // where the bytes came from: the last URL of any redirects (CURLINFO_EFFECTIVE_URL)
    std::uint64_t bytes{0};
    std::string sha256;  // lower-case hex
    int attempts{0};
    bool resumed{false};  // a later attempt continued a partial download with a Range request
};

// Downloads url (http, https or file) to `destination`. Bytes arrive in `destination`.part, which a later call
// resumes; the final name appears only when the download is complete. 404/410 fail at once with
// Errc::not_found; server errors, timeouts and cut-off bodies are retried with exponential backoff. A URL whose
// scheme is not http, https or file is Errc::invalid_argument (the caller's mistake); a redirect to a scheme that
// is not followed (file:, or anything but https once on https) is Errc::io_error without a retry (the server's).
[[nodiscard]] Result<Downloaded> download_file(const std::string& url, const std::filesystem::path& destination,
                                               const DownloadSettings& settings);

// SHA-256 of bytes, lower-case hex.
[[nodiscard]] std::string sha256_of(std::string_view bytes);

// SHA-256 of a file, lower-case hex.
[[nodiscard]] Result<std::string> sha256_of_file(const std::filesystem::path& path);

}  // namespace ephemery::infra
