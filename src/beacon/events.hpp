#pragma once
// The Beacon API event stream (GET /eth/v1/events, Server-Sent Events): a parser for the wire format (pure,
// fuzzed) and a subscription that reconnects with backoff until asked to stop.

#include "beacon/http.hpp"
#include "beacon/types.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::beacon {

struct Event {
    std::string topic;  // the `event:` field ("head", "finalized_checkpoint", ...)
    std::string data;   // the `data:` lines joined with '\n' (JSON for the beacon API)
};

// Server-Sent Events framing (html.spec.whatwg.org, "event stream interpretation"): lines end with LF, CR or
// CRLF; a blank line dispatches the event; lines starting with ':' are comments (keep-alives). Bytes may arrive
// split anywhere. A line longer than max_line_bytes is dropped with its event (a hostile server cannot grow
// memory without bound).
class SseParser {
  public:
    using Handler = std::function<void(const Event&)>;
    explicit SseParser(Handler handler, std::size_t max_line_bytes = std::size_t{1} << 20);
    void feed(std::string_view bytes);
    // Forgets a half-received event (the connection dropped): it is never dispatched.
    void reset();

  private:
    void line(std::string_view text);

    Handler handler_;
    std::size_t max_line_bytes_;
    std::string pending_;  // an unterminated line
    bool skip_to_line_end_{false};
    bool last_was_cr_{false};
    bool event_broken_{false};
    std::string topic_;
    std::string data_;
    bool has_data_{false};
};

struct EventStreamSettings {
    std::chrono::milliseconds connect_timeout{std::chrono::seconds{5}};
    // No byte (events or the server's keep-alive comments) for this long: the connection is dropped and made again.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds{60}};
    std::chrono::milliseconds reconnect_initial{std::chrono::seconds{1}};
    std::chrono::milliseconds reconnect_max{std::chrono::seconds{30}};
    ArrayStyle topics_style{ArrayStyle::comma};
};

struct EventStreamStats {
    std::uint64_t events{0};
    std::uint64_t connects{0};  // connections that answered 200
    std::uint64_t failures{0};  // connections that failed or dropped
    std::string last_error;
};

// Which form of `topics` a node takes: Lodestar before 1.7 accepts the comma form and then sends nothing, so it
// gets the repeated one; everyone else the comma form the spec shows. `version` is /eth/v1/node/version's.
[[nodiscard]] ArrayStyle event_topics_style(std::string_view version);

// Streams events from base_url until `stop` is set, calling on_event for each (on this thread); reconnects after
// errors, server closes and idle timeouts, with exponential backoff reset by every connection that delivers.
EventStreamStats stream_events(const std::string& base_url, const std::vector<std::string>& topics,
                               const std::function<void(const Event&)>& on_event, const std::atomic<bool>& stop,
                               const EventStreamSettings& settings);

}  // namespace ephemery::beacon
