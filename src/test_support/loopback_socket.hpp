#pragma once
// A raw client connection to a server under test on 127.0.0.1, for requests an HTTP client library will not send:
// half a request, a body announced and never sent, many idle connections.

#include <chrono>
#include <string>
#include <string_view>

namespace ephemery::test {

class LoopbackConnection {
  public:
    explicit LoopbackConnection(int port);  // a failed connect fails the current test
    LoopbackConnection(const LoopbackConnection&) = delete;
    LoopbackConnection& operator=(const LoopbackConnection&) = delete;
    LoopbackConnection(LoopbackConnection&& other) noexcept;
    LoopbackConnection& operator=(LoopbackConnection&&) = delete;
    ~LoopbackConnection();

    bool send(std::string_view bytes) const;
    // What the server sends until it closes the connection, or until `patience` passes without a byte.
    std::string read_until_closed(std::chrono::milliseconds patience = std::chrono::seconds(10));
    // Whether the server has sent something or closed the connection within `wait`.
    bool server_acted_within(std::chrono::milliseconds wait);

  private:
    int socket_{-1};
};

// Sends `head` (a request line and headers, no body) on a new connection and returns what the server answers
// before it closes the connection (or within 10 s).
std::string raw_exchange(int port, std::string_view head);

}  // namespace ephemery::test
