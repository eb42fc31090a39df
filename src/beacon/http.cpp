#include "beacon/http.hpp"

#include "core/text.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace ephemery::beacon {
namespace {

using Clock = std::chrono::steady_clock;

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct FileCloser {
    void operator()(std::FILE* file) const noexcept { (void)std::fclose(file); }
};

// One transfer of a batch: the easy handle and everything its callbacks write into.
struct Transfer {
    const HttpRequest* request{nullptr};
    CURL* easy{nullptr};
    curl_slist* headers{nullptr};
    std::unique_ptr<std::FILE, FileCloser> file;
    std::uint64_t limit{0};
    bool over_limit{false};
    bool write_failed{false};
    bool done{false};
    std::array<char, CURL_ERROR_SIZE> error_text{};
    Clock::time_point started{};
    HttpResponse response;

    Transfer() = default;
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;
    Transfer(Transfer&&) = delete;
    Transfer& operator=(Transfer&&) = delete;
    ~Transfer() {
        if (easy != nullptr) curl_easy_cleanup(easy);
        if (headers != nullptr) curl_slist_free_all(headers);
    }
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    const std::size_t length = size * count;
    if (transfer.response.bytes + length > transfer.limit) {
        transfer.over_limit = true;
        return 0;  // aborts the transfer
    }
    if (transfer.file) {
        if (std::fwrite(data, 1, length, transfer.file.get()) != length) {
            transfer.write_failed = true;
            return 0;
        }
    } else {
        transfer.response.body.append(data, length);
    }
    transfer.response.bytes += length;
    return length;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    const std::string_view line(data, size * count);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        const std::string name = to_lower(trim(line.substr(0, colon)));
        const std::string_view value = trim(line.substr(colon + 1));
        if (name == "content-type") transfer.response.content_type = std::string(value);
        if (name == "eth-consensus-version") transfer.response.consensus_version = to_lower(value);
    }
    return size * count;
}

Status start(Transfer& transfer, const HttpSettings& settings) {
    const HttpRequest& request = *transfer.request;
    transfer.easy = curl_easy_init();
    if (transfer.easy == nullptr) return make_error(Errc::io_error, "libcurl could not create a transfer");
    CURL* easy = transfer.easy;
    const bool to_file = !request.to_file.empty();
    if (to_file) {
        transfer.file.reset(std::fopen(request.to_file.c_str(), "wb"));
        if (!transfer.file) {
            return make_error(Errc::io_error, fmt::format("cannot write {}", request.to_file.string()));
        }
    }
    transfer.limit = to_file ? settings.max_download_bytes : settings.max_body_bytes;
    transfer.headers = curl_slist_append(transfer.headers, ("Accept: " + request.accept).c_str());
    if (request.method == "POST") {
        transfer.headers = curl_slist_append(transfer.headers, ("Content-Type: " + request.content_type).c_str());
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // any encoding libcurl can decode
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer.headers);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
    const auto timeout = to_file ? settings.download_timeout : settings.request_timeout;
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<std::int64_t>(
                         1, std::chrono::duration_cast<std::chrono::seconds>(settings.stall_timeout).count())));
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "ephemery/0.1");
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error_text.data());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfer);
    transfer.started = Clock::now();
    return {};
}

void finish(Transfer& transfer, CURLcode code, const HttpSettings& settings) {
    auto& response = transfer.response;
    response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - transfer.started);
    curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &response.status);
    if (transfer.file) {
        const bool flushed = std::fflush(transfer.file.get()) == 0 && ::fsync(fileno(transfer.file.get())) == 0;
        transfer.file.reset();
        if (!flushed && code == CURLE_OK) response.error = "could not write the body to disk";
    }
    if (transfer.over_limit) {
        response.error = fmt::format(
            "body larger than the {} MiB allowed",
            (transfer.request->to_file.empty() ? settings.max_body_bytes : settings.max_download_bytes) >> 20U);
    } else if (transfer.write_failed) {
        response.error = "could not write the body to disk";
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        response.error = fmt::format("timed out after {} ms", response.elapsed.count());
    } else if (code != CURLE_OK) {
        const std::string detail = transfer.error_text[0] != '\0' ? std::string(transfer.error_text.data())
                                                                  : std::string(curl_easy_strerror(code));
        response.error = detail;
    }
    transfer.done = true;
}

// Runs the transfers; `on_done` sees each finished one and returns true to cancel everything still running.
void run(std::span<const HttpRequest> requests, const HttpSettings& settings, std::vector<HttpResponse>& responses,
         const std::function<bool(std::size_t, const HttpResponse&)>& on_done) {
    init_curl_once();
    responses.assign(requests.size(), HttpResponse{});
    std::vector<std::unique_ptr<Transfer>> transfers;
    transfers.reserve(requests.size());
    CURLM* multi = curl_multi_init();
    if (multi == nullptr) {
        for (auto& response : responses) response.error = "libcurl could not start";
        return;
    }
    std::size_t running_count = 0;
    for (const auto& request : requests) {
        auto transfer = std::make_unique<Transfer>();
        transfer->request = &request;
        if (auto started = start(*transfer, settings); !started) {
            transfer->response.error = started.error().message;
            transfer->done = true;
        } else {
            curl_multi_add_handle(multi, transfer->easy);
            ++running_count;
        }
        transfers.push_back(std::move(transfer));
    }
    for (std::size_t i = 0; i < transfers.size(); ++i) {
        if (transfers[i]->done && on_done) (void)on_done(i, transfers[i]->response);
    }
    bool cancel_rest = false;
    while (running_count > 0 && !cancel_rest) {
        int still_running = 0;
        curl_multi_perform(multi, &still_running);
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
            if (message->msg != CURLMSG_DONE) continue;
            Transfer* transfer = nullptr;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
            const CURLcode code = message->data.result;
            curl_multi_remove_handle(multi, message->easy_handle);
            --running_count;
            finish(*transfer, code, settings);
            const auto index = static_cast<std::size_t>(transfer->request - requests.data());
            if (on_done && on_done(index, transfer->response)) {
                cancel_rest = true;
                break;
            }
        }
        if (running_count > 0 && !cancel_rest) curl_multi_poll(multi, nullptr, 0, 200, nullptr);
    }
    for (auto& transfer : transfers) {
        if (!transfer->done && transfer->easy != nullptr) {
            curl_multi_remove_handle(multi, transfer->easy);
            transfer->file.reset();
            transfer->response.cancelled = true;
            transfer->response.error = "cancelled: another server answered first";
        }
    }
    curl_multi_cleanup(multi);
    for (std::size_t i = 0; i < transfers.size(); ++i) responses[i] = std::move(transfers[i]->response);
}

bool retryable(const HttpResponse& response) {
    return response.transport_failed() || response.status >= 500 || response.status == 429;
}

}  // namespace

HttpRequest get_request(std::string url) {
    HttpRequest request;
    request.url = std::move(url);
    return request;
}

HttpRequest post_request(std::string url, std::string json_body) {
    HttpRequest request;
    request.url = std::move(url);
    request.method = "POST";
    request.body = std::move(json_body);
    return request;
}

HttpRequest ssz_download_request(std::string url, std::filesystem::path destination) {
    HttpRequest request;
    request.url = std::move(url);
    request.accept = "application/octet-stream";
    request.to_file = std::move(destination);
    return request;
}

std::string HttpResponse::describe_failure() const {
    if (!error.empty()) return error;
    if (status == 0) return "no answer";
    return fmt::format("HTTP {}", status);
}

std::vector<HttpResponse> perform_all(std::span<const HttpRequest> requests, const HttpSettings& settings) {
    std::vector<HttpResponse> responses;
    run(requests, settings, responses, {});
    return responses;
}

HttpResponse perform(const HttpRequest& request, const HttpSettings& settings) {
    std::mt19937 jitter_source(std::random_device{}());
    auto backoff = settings.backoff_initial;
    HttpResponse response;
    for (int attempt = 1; attempt <= std::max(1, settings.attempts); ++attempt) {
        response = std::move(perform_all(std::span(&request, 1), settings).front());
        if (!retryable(response) || attempt == settings.attempts) break;
        std::uniform_int_distribution<std::int64_t> jitter(0, backoff.count() / 2);
        std::this_thread::sleep_for(backoff + std::chrono::milliseconds(jitter(jitter_source)));
        backoff = std::min(backoff * 2, settings.backoff_max);
    }
    return response;
}

RaceOutcome race(std::span<const HttpRequest> requests, const HttpSettings& settings, const RaceJudge& judge) {
    RaceOutcome outcome;
    outcome.rejections.assign(requests.size(), std::string{});
    run(requests, settings, outcome.responses, [&](std::size_t index, const HttpResponse& response) {
        if (response.transport_failed() || response.status != 200) {
            outcome.rejections[index] = response.describe_failure();
            return false;
        }
        if (auto verdict = judge(index, response); !verdict) {
            outcome.rejections[index] = verdict.error().message;
            return false;
        }
        outcome.winner = index;
        return true;
    });
    return outcome;
}

}  // namespace ephemery::beacon
