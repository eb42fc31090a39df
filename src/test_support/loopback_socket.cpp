#include "test_support/loopback_socket.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <utility>

namespace ephemery::test {

LoopbackConnection::LoopbackConnection(int port) : socket_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    EXPECT_GE(socket_, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(socket_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);  // NOLINT
}

LoopbackConnection::LoopbackConnection(LoopbackConnection&& other) noexcept
    : socket_(std::exchange(other.socket_, -1)) {}

LoopbackConnection::~LoopbackConnection() {
    if (socket_ >= 0) ::close(socket_);
}

bool LoopbackConnection::send(std::string_view bytes) const {
    return ::send(socket_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

std::string LoopbackConnection::read_until_closed(std::chrono::milliseconds patience) {
    std::string answer;
    std::array<char, 4096> buffer{};
    while (server_acted_within(patience)) {
        const ssize_t got = ::recv(socket_, buffer.data(), buffer.size(), 0);
        if (got <= 0) break;
        answer.append(buffer.data(), static_cast<std::size_t>(got));
    }
    return answer;
}

bool LoopbackConnection::server_acted_within(std::chrono::milliseconds wait) {
    pollfd polled{socket_, POLLIN, 0};
    return ::poll(&polled, 1, static_cast<int>(wait.count())) > 0;
}

std::string raw_exchange(int port, std::string_view head) {
    LoopbackConnection connection(port);
    EXPECT_TRUE(connection.send(head));
    return connection.read_until_closed();
}

}  // namespace ephemery::test
