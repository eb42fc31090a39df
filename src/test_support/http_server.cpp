#include "test_support/http_server.hpp"

#include <chrono>
#include <stdexcept>

namespace ephemery::test {

HttpTestServer::HttpTestServer(const std::function<void(httplib::Server&)>& routes) {
    routes(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port for the test server");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

HttpTestServer::~HttpTestServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace ephemery::test
