#include "beacon/events.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <mutex>
#include <thread>

namespace ephemery::beacon {

SseParser::SseParser(Handler handler, std::size_t max_line_bytes)
    : handler_(std::move(handler)), max_line_bytes_(max_line_bytes) {}

void SseParser::feed(std::string_view bytes) {
    for (const char c : bytes) {
        if (c == '\n' && last_was_cr_) {  // the LF of a CRLF: the line already ended at the CR
            last_was_cr_ = false;
            continue;
        }
        last_was_cr_ = c == '\r';
        if (c == '\n' || c == '\r') {
            if (skip_to_line_end_) {
                skip_to_line_end_ = false;
            } else {
                line(pending_);
            }
            pending_.clear();
            continue;
        }
        if (skip_to_line_end_) continue;
        if (pending_.size() >= max_line_bytes_) {
            pending_.clear();
            skip_to_line_end_ = true;
            event_broken_ = true;
            continue;
        }
        pending_.push_back(c);
    }
}

void SseParser::reset() {
    pending_.clear();
    skip_to_line_end_ = false;
    last_was_cr_ = false;
    event_broken_ = false;
    topic_.clear();
    data_.clear();
    has_data_ = false;
}

void SseParser::line(std::string_view text) {
    if (text.empty()) {  // dispatch
        if (has_data_ && !event_broken_) handler_(Event{.topic = topic_.empty() ? "message" : topic_, .data = data_});
        topic_.clear();
        data_.clear();
        has_data_ = false;
        event_broken_ = false;
        return;
    }
    if (text.front() == ':') return;  // comment / keep-alive
    const auto colon = text.find(':');
    const std::string_view field = text.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "event") {
        topic_ = value;
    } else if (field == "data") {
        if (has_data_) data_.push_back('\n');
        data_.append(value);
        has_data_ = true;
        if (data_.size() > max_line_bytes_ * 4) event_broken_ = true;  // many data lines: bounded too
    }
    // id and retry are not used by the beacon API.
}

ArrayStyle event_topics_style(std::string_view version) {
    // "Lodestar/v1.5.1/2115aa7": comma-separated topics arrive in v1.7.0 (ChainSafe/lodestar#5268).
    constexpr std::string_view prefix = "Lodestar/v";
    if (!version.starts_with(prefix)) return ArrayStyle::comma;
    const std::string_view numbers = version.substr(prefix.size());
    unsigned major = 0;
    unsigned minor = 0;
    const auto* end = numbers.data() + numbers.size();
    auto [after_major, major_error] = std::from_chars(numbers.data(), end, major);
    if (major_error != std::errc{} || after_major == end || *after_major != '.') return ArrayStyle::comma;
    auto [after_minor, minor_error] = std::from_chars(after_major + 1, end, minor);
    if (minor_error != std::errc{}) return ArrayStyle::comma;
    return major == 1 && minor < 7 ? ArrayStyle::repeated : ArrayStyle::comma;
}

namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
    SseParser* parser{nullptr};
    const std::atomic<bool>* stop{nullptr};
    Clock::time_point last_byte{};
    std::chrono::milliseconds idle_timeout{};
    bool idle{false};
    std::uint64_t events_before{0};
};

std::size_t on_bytes(char* data, std::size_t size, std::size_t count, void* user) {
    auto& connection = *static_cast<Connection*>(user);
    connection.last_byte = Clock::now();
    connection.parser->feed(std::string_view(data, size * count));
    return size * count;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto& connection = *static_cast<Connection*>(user);
    if (connection.stop->load()) return 1;
    if (Clock::now() - connection.last_byte > connection.idle_timeout) {
        connection.idle = true;
        return 1;
    }
    return 0;
}

// Sleeps up to `delay`, waking early when stop is set.
void pause(std::chrono::milliseconds delay, const std::atomic<bool>& stop) {
    const auto until = Clock::now() + delay;
    while (!stop.load() && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

EventStreamStats stream_events(const std::string& base_url, const std::vector<std::string>& topics,
                               const std::function<void(const Event&)>& on_event, const std::atomic<bool>& stop,
                               const EventStreamSettings& settings) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    EventStreamStats stats;
    std::string base = base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string url = base + "/eth/v1/events?" + array_query("topics", topics, settings.topics_style);
    SseParser parser([&](const Event& event) {
        if (stop.load()) return;  // nothing reaches the caller after it asked to stop
        ++stats.events;
        on_event(event);
    });
    auto backoff = settings.reconnect_initial;
    while (!stop.load()) {
        CURL* easy = curl_easy_init();
        if (easy == nullptr) {
            stats.last_error = "libcurl could not create a transfer";
            ++stats.failures;
            pause(backoff, stop);
            continue;
        }
        Connection connection{.parser = &parser,
                              .stop = &stop,
                              .last_byte = Clock::now(),
                              .idle_timeout = settings.idle_timeout,
                              .idle = false,
                              .events_before = stats.events};
        std::array<char, CURL_ERROR_SIZE> error_text{};
        curl_slist* headers = curl_slist_append(nullptr, "Accept: text/event-stream");
        curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_bytes);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &connection);
        curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &connection);
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text.data());
        curl_easy_setopt(easy, CURLOPT_USERAGENT, "ephemery/0.1");
        const CURLcode code = curl_easy_perform(easy);
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(headers);
        curl_easy_cleanup(easy);
        if (stop.load()) break;
        if (status == 200) ++stats.connects;
        ++stats.failures;
        if (connection.idle) {
            stats.last_error = fmt::format("no byte for {} ms: reconnecting", settings.idle_timeout.count());
        } else if (code == CURLE_OK) {
            stats.last_error = "the server closed the stream: reconnecting";
        } else {
            stats.last_error = error_text[0] != '\0' ? std::string(error_text.data()) : curl_easy_strerror(code);
        }
        parser.reset();  // a cut-off event is not dispatched half
        // A connection that delivered events was healthy: start the backoff again.
        if (stats.events > connection.events_before) backoff = settings.reconnect_initial;
        pause(backoff, stop);
        backoff = std::min(backoff * 2, settings.reconnect_max);
    }
    return stats;
}

}  // namespace ephemery::beacon
