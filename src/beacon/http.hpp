#pragma once
// HTTP for the Beacon API and execution JSON-RPC clients: many requests at once over one libcurl multi handle.
// Bodies land in memory (capped) or stream to a file; a race runs the same download from several servers and
// keeps the first one its caller accepts, cancelling the rest.

#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ephemery::beacon {

struct HttpSettings {
    std::chrono::milliseconds connect_timeout{std::chrono::seconds{5}};
    std::chrono::milliseconds request_timeout{std::chrono::seconds{30}};   // an in-memory request
    std::chrono::milliseconds download_timeout{std::chrono::minutes{10}};  // a body streamed to a file
    // A stalled download (under 1 KiB/s for this long) is cut off, so a slow provider loses a race quickly.
    std::chrono::milliseconds stall_timeout{std::chrono::seconds{20}};
    int attempts{3};  // transport errors and 5xx are retried (typed calls, not races)
    std::chrono::milliseconds backoff_initial{std::chrono::milliseconds{250}};
    std::chrono::milliseconds backoff_max{std::chrono::seconds{4}};
    std::uint64_t max_body_bytes{std::uint64_t{64} << 20};     // JSON answers
    std::uint64_t max_download_bytes{std::uint64_t{4} << 30};  // SSZ states and blocks
};

struct HttpRequest {
    std::string url;
    std::string method{"GET"};  // GET or POST
    std::string body;           // POST body
    std::string content_type{"application/json"};
    std::string accept{"application/json"};
    std::filesystem::path to_file;  // empty: the body is kept in memory
};

// Request builders (a designated initializer would have to name every field).
[[nodiscard]] HttpRequest get_request(std::string url);
[[nodiscard]] HttpRequest post_request(std::string url, std::string json_body);
// GET with Accept: application/octet-stream, the body streamed to `destination`.
[[nodiscard]] HttpRequest ssz_download_request(std::string url, std::filesystem::path destination);

struct HttpResponse {
    long status{0};          // 0 when no HTTP answer arrived
    std::string error;       // transport failure (timeout, refused, cut off, too big); empty otherwise
    std::string body;        // in-memory requests
    std::uint64_t bytes{0};  // body size
    std::string content_type;
    std::string consensus_version;  // the Eth-Consensus-Version header, lower case
    std::chrono::milliseconds elapsed{0};
    bool cancelled{false};  // stopped because another transfer of a race won

    [[nodiscard]] bool transport_failed() const noexcept { return !error.empty(); }
    // A status or transport error in one line, for reports ("HTTP 500", "timed out after 5000 ms").
    [[nodiscard]] std::string describe_failure() const;
};

// Runs every request concurrently; one response per request, in order. Never throws.
[[nodiscard]] std::vector<HttpResponse> perform_all(std::span<const HttpRequest> requests,
                                                    const HttpSettings& settings);

// One request, retried with exponential backoff on transport errors and 5xx.
[[nodiscard]] HttpResponse perform(const HttpRequest& request, const HttpSettings& settings);

// The caller's verdict on a finished transfer of a race: ok keeps it and cancels the others.
using RaceJudge = std::function<Status(std::size_t index, const HttpResponse& response)>;

struct RaceOutcome {
    std::optional<std::size_t> winner;
    std::vector<HttpResponse> responses;  // per request (cancelled ones marked)
    std::vector<std::string> rejections;  // per request: why it did not win ("" for the winner/cancelled)
};

// Downloads all requests concurrently (usually the same resource from several servers); each one that
// finishes with HTTP 200 is judged; the first accepted wins and the rest are cancelled. Losers' files are
// left for the caller to remove.
[[nodiscard]] RaceOutcome race(std::span<const HttpRequest> requests, const HttpSettings& settings,
                               const RaceJudge& judge);

}  // namespace ephemery::beacon
