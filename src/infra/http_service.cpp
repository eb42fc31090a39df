#include "infra/http_service.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>

namespace ephemery::infra {

Status HttpService::listen(const std::string& address, std::uint16_t port, std::string_view hint) {
    server_.set_socket_options([](socket_t socket) {
        const int yes = 1;
        ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    if (port == 0) {
        port_ = server_.bind_to_any_port(address);
    } else if (server_.bind_to_port(address, static_cast<int>(port))) {
        port_ = static_cast<int>(port);
    }
    if (port_ <= 0) {
        port_ = 0;
        return make_error(Errc::io_error, fmt::format("cannot listen on {}:{} (in use? {})", address, port, hint));
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Until the loop runs, Server::stop() would be lost and the thread never end: wait for it.
    for (int attempt = 0; attempt < 500 && !server_.is_running(); ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {};
}

bool tcp_port_taken(std::uint16_t port) {
    const int socket = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (socket < 0) return false;  // cannot tell: let the client try
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));  // TIME_WAIT leftovers do not count
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    const bool taken = ::bind(socket, reinterpret_cast<const sockaddr*>(&address),  // NOLINT: the sockets API
                              sizeof(address)) != 0 &&
                       errno == EADDRINUSE;
    ::close(socket);
    return taken;
}

void HttpService::stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace ephemery::infra
