#pragma once
// An HTTP server on threads of its own: the control API and `checkpoint serve` are both one. httplib parses and
// routes; this class accepts, and keeps slow or hostile clients away from the threads that answer.
//
// httplib's own loop gives each connection a pool thread from accept on, so a few clients that send their headers a
// byte at a time hold every thread and the daemon stops answering `ephemery status`. Here one thread accepts and
// reads every connection's request head without blocking; only a complete head reaches a worker, so workers never
// wait on a client. A head that is not complete within the deadline, or grows past the cap, is answered 408 or 431
// and closed. Connections still sending their head are capped per peer address and in all: the oldest is dropped
// to make room, so a flood ages out its own connections while a client that sends its request at once is answered.

#include "core/result.hpp"

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ephemery::infra {

struct HttpLimits {
    // From accept to the end of the request's head; a loopback client needs milliseconds.
    std::chrono::milliseconds head_deadline{5000};
    // A response write that makes no progress for this long is abandoned (a reader that stopped reading).
    std::chrono::milliseconds write_stall{10000};
    std::size_t max_head_bytes{std::size_t{16} * 1024};
    std::size_t max_receiving{256};          // connections still sending their head
    std::size_t max_receiving_per_peer{32};  // the same, from one address
    std::size_t workers{4};
    std::size_t max_waiting{64};  // complete requests waiting for a worker; beyond, 503
};

// Where a request's head ends (the index just past the blank line), or 0 while it has not ended.
[[nodiscard]] std::size_t request_head_end(std::string_view received);

class HttpService {
  public:
    explicit HttpService(HttpLimits limits = {});
    HttpService(const HttpService&) = delete;
    HttpService& operator=(const HttpService&) = delete;
    HttpService(HttpService&&) = delete;
    HttpService& operator=(HttpService&&) = delete;
    ~HttpService();

    // Register routes here before listen().
    [[nodiscard]] httplib::Server& server() noexcept;

    // Binds address:port (0: any free port) with SO_REUSEADDR only (no SO_REUSEPORT, which would let a second
    // process share the port) and serves on threads of its own. The error names the address and port and ends with
    // `hint` (the setting or flag that changes the port).
    [[nodiscard]] Status listen(const std::string& address, std::uint16_t port, std::string_view hint);

    [[nodiscard]] int port() const noexcept;
    // Stops accepting, closes the connections still sending, lets answers in progress finish; idempotent.
    void stop();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// Whether another socket already listens on this TCP port (on any address): a client planned there would fail to
// start with the port's error buried in its own log.
[[nodiscard]] bool tcp_port_taken(std::uint16_t port);

}  // namespace ephemery::infra
