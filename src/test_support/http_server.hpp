#pragma once

#include <httplib.h>

#include <functional>
#include <string>
#include <thread>

namespace ephemery::test {

// An HTTP server on 127.0.0.1 and a free port, running on its own thread for the life of the object.
class HttpTestServer {
  public:
    explicit HttpTestServer(const std::function<void(httplib::Server&)>& routes);
    HttpTestServer(const HttpTestServer&) = delete;
    HttpTestServer& operator=(const HttpTestServer&) = delete;
    ~HttpTestServer();

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    httplib::Server server_;
    int port_{0};
    std::thread thread_;
};

}  // namespace ephemery::test
