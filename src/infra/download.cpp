#include "infra/download.hpp"

#include "core/text.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace ephemery::infra {
namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
    std::FILE* file{nullptr};
    std::uint64_t offset{0};   // bytes already in the .part file when this attempt began
    std::uint64_t written{0};  // bytes this attempt wrote
    std::uint64_t max_bytes{0};
    bool too_large{false};
    std::string label;
    bool progress{false};
    std::chrono::steady_clock::time_point last_draw;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t bytes = size * count;
    if (transfer->offset + transfer->written + bytes > transfer->max_bytes) {
        transfer->too_large = true;
        return 0;
    }
    const std::size_t stored = std::fwrite(data, 1, bytes, transfer->file);
    transfer->written += stored;
    return stored;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto* transfer = static_cast<Transfer*>(user);
    const auto clock = std::chrono::steady_clock::now();
    if (!transfer->progress || clock - transfer->last_draw < std::chrono::milliseconds(200)) return 0;
    transfer->last_draw = clock;
    const double done = static_cast<double>(transfer->offset) + static_cast<double>(now);
    const double size = static_cast<double>(transfer->offset) + static_cast<double>(total);
    constexpr int width = 30;
    const int filled = total > 0 ? static_cast<int>(width * done / size) : 0;
    (void)std::fprintf(stderr, "\r%s [%-*s] %.1f / %.1f MiB", transfer->label.c_str(), width,
                       std::string(static_cast<std::size_t>(std::clamp(filled, 0, width)), '#').c_str(),
                       done / 1048576.0, size / 1048576.0);
    return 0;
}

void remove_if_empty(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error) && std::filesystem::file_size(path, error) == 0 && !error) {
        std::filesystem::remove(path, error);
    }
}

enum class Outcome { done, retry, fail };

struct AttemptResult {
    Outcome outcome;
    Error error;
};

AttemptResult attempt(const std::string& url, const std::filesystem::path& part, const DownloadSettings& settings,
                      bool& resumed, std::string& effective_url) {
    std::error_code ignored;
    const std::uint64_t offset = std::filesystem::exists(part, ignored) ? std::filesystem::file_size(part, ignored) : 0;
    std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(part.c_str(), offset > 0 ? "ab" : "wb"),
                                                            &std::fclose);
    if (!file) {
        return {Outcome::fail, make_error(Errc::io_error, fmt::format("cannot write {}", part.string()))};
    }
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    Transfer transfer{file.get(),         offset, 0,
                      settings.max_bytes, false,  part.filename().replace_extension("").string(),
                      settings.progress,  {}};
    std::array<char, CURL_ERROR_SIZE> error_text{};
    CURL* handle = curl.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https,file");
    // Once a URL is https, a redirect may not drop to plain http (or to anything but https).
    curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, url.starts_with("https://") ? "https" : "http,https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(handle, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.total_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(settings.low_speed_bytes_per_second));
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, static_cast<long>(settings.low_speed_window.count()));
    curl_easy_setopt(handle, CURLOPT_USERAGENT, "ephemery/0.1");
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text.data());
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, settings.progress ? 0L : 1L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
    if (offset > 0) curl_easy_setopt(handle, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(offset));

    const CURLcode code = curl_easy_perform(handle);
    if (settings.progress) (void)std::fputc('\n', stderr);
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    long redirects = 0;
    curl_easy_getinfo(handle, CURLINFO_REDIRECT_COUNT, &redirects);
    const char* last_url = nullptr;
    curl_easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &last_url);
    effective_url = last_url != nullptr ? last_url : url;
    if (std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0) {
        return {Outcome::fail, make_error(Errc::io_error, fmt::format("cannot flush {}", part.string()))};
    }
    if (offset > 0 && transfer.written > 0) resumed = true;

    if (code == CURLE_OK) {
        // A resume that brought nothing new means curl took our partial file as complete; it may be a stale
        // file from another version of the resource, so start over rather than trust it.
        if (offset > 0 && transfer.written == 0) {
            std::filesystem::remove(part, ignored);
            resumed = false;
            return {Outcome::retry, make_error(Errc::io_error, fmt::format("{}: resuming brought no new data", url))};
        }
        return {Outcome::done, {}};
    }
    const std::string detail = error_text[0] != '\0' ? error_text.data() : curl_easy_strerror(code);
    if (transfer.too_large) {
        std::filesystem::remove(part, ignored);
        return {Outcome::fail,
                make_error(Errc::verification_failed,
                           fmt::format("{} is larger than the limit of {} bytes", url, settings.max_bytes))};
    }
    if (code == CURLE_HTTP_RETURNED_ERROR) {
        if (status == 404 || status == 410) {
            return {Outcome::fail,
                    make_error(Errc::not_found, fmt::format("{} answered HTTP {}: not found", url, status))};
        }
        if (status == 416) {  // our partial file is not a prefix of this resource: start over
            std::filesystem::remove(part, ignored);
            return {Outcome::retry, make_error(Errc::io_error, fmt::format("{} refused the resume range", url))};
        }
        const bool transient = status == 408 || status == 429 || status >= 500;
        return {transient ? Outcome::retry : Outcome::fail,
                make_error(Errc::io_error, fmt::format("{} answered HTTP {}", url, status))};
    }
    if (code == CURLE_RANGE_ERROR) {  // the server cannot resume: start over from the first byte
        std::filesystem::remove(part, ignored);
        resumed = false;
        return {Outcome::retry, make_error(Errc::io_error, fmt::format("{}: {}", url, detail))};
    }
    if (code == CURLE_FILE_COULDNT_READ_FILE || code == CURLE_REMOTE_FILE_NOT_FOUND) {
        return {Outcome::fail, make_error(Errc::not_found, fmt::format("{}: {}", url, detail))};
    }
    if ((code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) && redirects > 0) {
        // The URL asked for was fine; the server sent us somewhere we do not go. Its fault, and not transient.
        return {Outcome::fail,
                make_error(Errc::io_error,
                           fmt::format("{} redirected to {}, which is not followed: redirects go to http or https "
                                       "only, and from https to https only ({}); point the source at a server "
                                       "that serves the file itself",
                                       url, effective_url, detail))};
    }
    if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) {
        return {Outcome::fail, make_error(Errc::invalid_argument, fmt::format("{}: {}", url, detail))};
    }
    return {Outcome::retry, make_error(Errc::io_error, fmt::format("{}: {}", url, detail))};
}

}  // namespace

Result<Downloaded> download_file(const std::string& url, const std::filesystem::path& destination,
                                 const DownloadSettings& settings) {
    global_init();
    const std::filesystem::path part = destination.string() + ".part";
    std::mt19937_64 random{std::random_device{}()};
    Downloaded downloaded;
    Error last_error;
    const auto started = std::chrono::steady_clock::now();
    const auto remaining = [&] {
        return settings.deadline -
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    };
    bool out_of_time = false;
    for (int number = 1; number <= std::max(settings.attempts, 1); ++number) {
        downloaded.attempts = number;
        DownloadSettings this_attempt = settings;
        this_attempt.total_timeout =
            std::max(std::min(settings.total_timeout, remaining()), std::chrono::milliseconds{1});
        auto result = attempt(url, part, this_attempt, downloaded.resumed, downloaded.url);
        if (result.outcome == Outcome::done) {
            std::error_code error;
            std::filesystem::rename(part, destination, error);
            if (error)
                return make_error(Errc::io_error, fmt::format("cannot rename {}: {}", part.string(), error.message()));
            downloaded.bytes = std::filesystem::file_size(destination, error);
            auto digest = sha256_of_file(destination);
            if (!digest) return digest.error();
            downloaded.sha256 = std::move(digest).value();
            return downloaded;
        }
        if (result.outcome == Outcome::fail) {
            remove_if_empty(part);
            return result.error;
        }
        last_error = result.error;
        if (number == settings.attempts) break;
        // Exponential backoff with jitter, so many nodes restarting at a reset do not retry in lockstep.
        const auto ceiling =
            std::min(settings.backoff_max, settings.backoff_initial * (std::int64_t{1} << std::min(number - 1, 20)));
        std::uniform_int_distribution<std::int64_t> jitter(ceiling.count() / 2,
                                                           std::max<std::int64_t>(ceiling.count(), 1));
        const std::chrono::milliseconds pause{jitter(random)};
        if (pause >= remaining()) {
            out_of_time = true;
            break;
        }
        spdlog::warn("download attempt {}/{} failed: {}; retrying in {} ms", number, settings.attempts,
                     result.error.message, pause.count());
        std::this_thread::sleep_for(pause);
    }
    remove_if_empty(part);  // a partial download worth resuming is kept; an empty one is litter
    if (out_of_time || remaining() <= std::chrono::milliseconds{0}) {
        return make_error(
            last_error.code,
            fmt::format("{} (gave up after {} attempts: the download's deadline of {:g} s passed)", last_error.message,
                        downloaded.attempts, std::chrono::duration<double>(settings.deadline).count()));
    }
    return make_error(last_error.code,
                      fmt::format("{} (gave up after {} attempts)", last_error.message, downloaded.attempts));
}

std::string sha256_of(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return to_hex({digest.data(), length});
}

Result<std::string> sha256_of_file(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream) return make_error(Errc::io_error, fmt::format("cannot read {}", path.string()));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
    std::array<char, 65536> buffer{};
    while (stream) {
        stream.read(buffer.data(), buffer.size());
        EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(stream.gcount()));
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(context.get(), digest.data(), &length);
    return to_hex({digest.data(), length});
}

}  // namespace ephemery::infra
