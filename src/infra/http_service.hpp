#pragma once
// An httplib::Server listening on its own thread: the control API and `checkpoint serve` are both one.

#include "core/result.hpp"

#include <httplib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

namespace ephemery::infra {

class HttpService {
  public:
    HttpService() = default;
    HttpService(const HttpService&) = delete;
    HttpService& operator=(const HttpService&) = delete;
    HttpService(HttpService&&) = delete;
    HttpService& operator=(HttpService&&) = delete;
    ~HttpService() { stop(); }

    // Register routes here before listen().
    [[nodiscard]] httplib::Server& server() noexcept { return server_; }

    // Binds address:port (0: any free port) with SO_REUSEADDR only (httplib's default adds SO_REUSEPORT, which
    // would let a second process share the port) and serves on a new thread. The error names the address and
    // port and ends with `hint` (the setting or flag that changes the port).
    [[nodiscard]] Status listen(const std::string& address, std::uint16_t port, std::string_view hint);

    [[nodiscard]] int port() const noexcept { return port_; }
    // Stops serving and joins the thread; idempotent.
    void stop();

  private:
    httplib::Server server_;
    std::thread thread_;
    int port_{0};
};

// Whether another socket already listens on this TCP port (on any address): a client planned there would fail to
// start with the port's error buried in its own log.
[[nodiscard]] bool tcp_port_taken(std::uint16_t port);

}  // namespace ephemery::infra
