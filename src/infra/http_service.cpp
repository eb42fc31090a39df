#include "infra/http_service.hpp"

#include "infra/descriptor.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace ephemery::infra {

// Named, not anonymous: HttpService::State holds these, and a member of an anonymous-namespace type would give State
// internal linkage in all but name (GCC's -Wsubobject-linkage).
namespace connections {

using Clock = std::chrono::steady_clock;

// httplib's parsing and routing, reached through the hook it leaves subclasses; the connections are ours.
class RequestHandler final : public httplib::Server {
  public:
    void answer(httplib::Stream& stream) {
        bool connection_closed = true;
        // Every connection carries one request: bytes after it are never parsed as another.
        (void)process_request(stream, /*close_connection=*/true, connection_closed, nullptr);
    }
    // httplib cuts a streamed response short while its own listening socket is unset (it takes that for shutting
    // down), so it is given ours while we serve, and none once we stop.
    void set_serving(socket_t listener) { svr_sock_ = listener; }
    void set_stopping() { svr_sock_ = INVALID_SOCKET; }
};

struct Endpoint {
    std::string ip;
    int port{0};
};

struct Connection {
    Descriptor socket;
    Endpoint peer;
    Clock::time_point deadline;  // for the request's head; once handed to a worker, for reading anything more
    std::string received;
};

}  // namespace connections

namespace {

using connections::Clock;
using connections::Connection;
using connections::Endpoint;
using connections::RequestHandler;

Endpoint endpoint_of(const sockaddr_storage& address) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    Endpoint endpoint;
    if (address.ss_family == AF_INET) {
        const auto& ipv4 = reinterpret_cast<const sockaddr_in&>(address);  // NOLINT: the sockets API
        ::inet_ntop(AF_INET, &ipv4.sin_addr, text.data(), text.size());
        endpoint.port = ntohs(ipv4.sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto& ipv6 = reinterpret_cast<const sockaddr_in6&>(address);  // NOLINT: the sockets API
        ::inet_ntop(AF_INET6, &ipv6.sin6_addr, text.data(), text.size());
        endpoint.port = ntohs(ipv6.sin6_port);
    }
    endpoint.ip = text.data();
    return endpoint;
}

// Waits until the socket is ready for `events`, at most `timeout`; false on timeout or error.
bool wait_for(int socket, short events, std::chrono::milliseconds timeout) {
    pollfd polled{socket, events, 0};
    const auto until = Clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        const int ready = ::poll(&polled, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
        if (ready > 0) return true;
        if (ready == 0 || errno != EINTR) return false;
    }
}

// A best-effort answer to a connection that is being closed before its request is handled.
void refuse(const Connection& connection, std::string_view status_line) {
    const std::string text = fmt::format("HTTP/1.1 {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", status_line);
    (void)::send(connection.socket.get(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

// The connection as httplib reads and writes it: first the head the accepting thread already received, then the
// socket, never past the connection's deadline; a write waits at most `write_stall` for room.
class ConnectionStream final : public httplib::Stream {
  public:
    ConnectionStream(const Connection& connection, std::chrono::milliseconds write_stall)
        : connection_(connection), write_stall_(write_stall) {}

    bool is_readable() const override {
        return consumed_ < connection_.received.size() || wait_for(connection_.socket.get(), POLLIN, time_left());
    }
    bool is_writable() const override { return wait_for(connection_.socket.get(), POLLOUT, write_stall_); }

    ssize_t read(char* destination, std::size_t size) override {
        const std::string& received = connection_.received;
        if (consumed_ < received.size()) {
            const std::size_t count = std::min(size, received.size() - consumed_);
            std::copy_n(received.begin() + static_cast<std::ptrdiff_t>(consumed_), count, destination);
            consumed_ += count;
            return static_cast<ssize_t>(count);
        }
        if (!wait_for(connection_.socket.get(), POLLIN, time_left())) return -1;
        return ::recv(connection_.socket.get(), destination, size, MSG_DONTWAIT);
    }

    ssize_t write(const char* source, std::size_t size) override {
        if (!is_writable()) return -1;
        return ::send(connection_.socket.get(), source, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        ip = connection_.peer.ip;
        port = connection_.peer.port;
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        sockaddr_storage address{};
        socklen_t length = sizeof(address);
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        if (::getsockname(connection_.socket.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) return;
        const Endpoint local = endpoint_of(address);
        ip = local.ip;
        port = local.port;
    }
    socket_t socket() const override { return connection_.socket.get(); }

  private:
    std::chrono::milliseconds time_left() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(connection_.deadline - Clock::now());
    }

    const Connection& connection_;
    std::chrono::milliseconds write_stall_;
    std::size_t consumed_{0};
};

enum class Received { more, complete, closed };

}  // namespace

std::size_t request_head_end(std::string_view received) {
    const std::size_t crlf = received.find("\r\n\r\n");
    const std::size_t lf = received.find("\n\n");
    if (crlf == std::string_view::npos && lf == std::string_view::npos) return 0;
    if (lf == std::string_view::npos || (crlf != std::string_view::npos && crlf < lf)) return crlf + 4;
    return lf + 2;
}

struct HttpService::State {
    explicit State(HttpLimits chosen) : limits(chosen) {}

    HttpLimits limits;
    RequestHandler handler;
    Descriptor listener;
    Descriptor wake;  // an eventfd: stop() ends the accepting thread's poll through it
    int port{0};
    std::atomic<bool> stopping{false};
    std::thread acceptor;
    std::vector<std::thread> workers;

    std::mutex mutex;
    std::condition_variable work_arrived;
    std::deque<Connection> waiting;  // complete requests, guarded by mutex

    // The accepting thread's own: connections still sending their head, oldest first.
    std::vector<Connection> receiving;
    std::size_t dropped_since_warning{0};
    Clock::time_point last_warning{};

    void accept_loop();
    void work_loop();
    void accept_all(Clock::time_point now);
    void make_room_for(const std::string& ip);
    Received receive(Connection& connection) const;
    void hand_off(Connection connection);
    void expire(Clock::time_point now);
    void note_dropped(Clock::time_point now);
};

void HttpService::State::accept_loop() {
    std::vector<pollfd> polled;
    while (!stopping.load()) {
        polled.clear();
        polled.push_back({wake.get(), POLLIN, 0});
        polled.push_back({listener.get(), POLLIN, 0});
        for (const Connection& connection : receiving) polled.push_back({connection.socket.get(), POLLIN, 0});
        int timeout_ms = -1;
        if (!receiving.empty()) {
            const auto left = receiving.front().deadline - Clock::now();
            timeout_ms =
                static_cast<int>(std::max<std::int64_t>(std::chrono::ceil<std::chrono::milliseconds>(left).count(), 0));
        }
        if (::poll(polled.data(), polled.size(), timeout_ms) < 0 && errno != EINTR) {
            spdlog::error("the HTTP server on port {} stopped accepting: poll failed ({})", port,
                          std::generic_category().message(errno));
            break;
        }
        if (polled[0].revents != 0) break;
        // Backwards, so that erasing a connection leaves the ones before it where `polled` has them.
        for (std::size_t index = receiving.size(); index-- > 0;) {
            if (polled[index + 2].revents == 0) continue;
            const Received outcome = receive(receiving[index]);
            if (outcome == Received::more) continue;
            if (outcome == Received::complete) hand_off(std::move(receiving[index]));
            receiving.erase(receiving.begin() + static_cast<std::ptrdiff_t>(index));
        }
        const auto now = Clock::now();
        expire(now);
        if ((polled[1].revents & POLLIN) != 0) accept_all(now);
    }
    receiving.clear();
}

void HttpService::State::accept_all(Clock::time_point now) {
    for (;;) {
        sockaddr_storage address{};
        socklen_t length = sizeof(address);
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        const int socket =
            ::accept4(listener.get(), reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (socket < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                spdlog::warn("the HTTP server on port {} cannot accept a connection: {}", port,
                             std::generic_category().message(errno));
            }
            return;
        }
        Connection connection{Descriptor(socket), endpoint_of(address), now + limits.head_deadline, {}};
        make_room_for(connection.peer.ip);
        receiving.push_back(std::move(connection));
    }
}

// The oldest connection of the same peer goes when the peer is at its cap, else the oldest of all when everyone is.
void HttpService::State::make_room_for(const std::string& ip) {
    const auto same_peer = [&ip](const Connection& connection) { return connection.peer.ip == ip; };
    auto victim = receiving.end();
    if (static_cast<std::size_t>(std::count_if(receiving.begin(), receiving.end(), same_peer)) >=
        limits.max_receiving_per_peer) {
        victim = std::find_if(receiving.begin(), receiving.end(), same_peer);
    } else if (receiving.size() >= limits.max_receiving) {
        victim = receiving.begin();
    }
    if (victim == receiving.end()) return;
    refuse(*victim, "503 Service Unavailable");
    receiving.erase(victim);
    note_dropped(Clock::now());
}

Received HttpService::State::receive(Connection& connection) const {
    std::array<char, 4096> buffer{};
    const ssize_t got = ::recv(connection.socket.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? Received::more : Received::closed;
    if (got == 0) return Received::closed;
    // Only the new bytes and the three before them can complete the blank line.
    const std::size_t search_from = connection.received.size() > 3 ? connection.received.size() - 3 : 0;
    connection.received.append(buffer.data(), static_cast<std::size_t>(got));
    if (request_head_end(std::string_view(connection.received).substr(search_from)) != 0) return Received::complete;
    if (connection.received.size() > limits.max_head_bytes) {
        refuse(connection, "431 Request Header Fields Too Large");
        return Received::closed;
    }
    return Received::more;
}

void HttpService::State::hand_off(Connection connection) {
    connection.deadline = Clock::now() + limits.head_deadline;
    const std::lock_guard lock(mutex);
    if (waiting.size() >= limits.max_waiting) {
        refuse(connection, "503 Service Unavailable");
        return;
    }
    waiting.push_back(std::move(connection));
    work_arrived.notify_one();
}

void HttpService::State::expire(Clock::time_point now) {
    const auto before = receiving.size();
    std::erase_if(receiving, [now](const Connection& connection) {
        if (connection.deadline > now) return false;
        refuse(connection, "408 Request Timeout");
        return true;
    });
    if (receiving.size() != before) note_dropped(now);
}

void HttpService::State::note_dropped(Clock::time_point now) {
    ++dropped_since_warning;
    if (now - last_warning < std::chrono::minutes(1)) return;
    spdlog::warn(
        "the HTTP server on port {} closed {} connection(s) that sent no complete request within {} ms or "
        "exceeded {} waiting per address: a client opens connections without using them",
        port, dropped_since_warning, limits.head_deadline.count(), limits.max_receiving_per_peer);
    dropped_since_warning = 0;
    last_warning = now;
}

void HttpService::State::work_loop() {
    for (;;) {
        Connection connection;
        {
            std::unique_lock lock(mutex);
            work_arrived.wait(lock, [this] { return stopping.load() || !waiting.empty(); });
            if (waiting.empty()) return;
            connection = std::move(waiting.front());
            waiting.pop_front();
        }
        ConnectionStream stream(connection, limits.write_stall);
        handler.answer(stream);
        ::shutdown(connection.socket.get(), SHUT_RDWR);
    }
}

HttpService::HttpService(HttpLimits limits) : state_(std::make_unique<State>(limits)) {}

HttpService::~HttpService() {
    stop();
}

httplib::Server& HttpService::server() noexcept {
    return state_->handler;
}

int HttpService::port() const noexcept {
    return state_->port;
}

Status HttpService::listen(const std::string& address, std::uint16_t port, std::string_view hint) {
    State& state = *state_;
    const auto refused = [&](std::string_view reason) {
        return make_error(Errc::io_error, fmt::format("cannot listen on {}:{}: {} ({})", address, port, reason, hint));
    };
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int failure = ::getaddrinfo(address.c_str(), service.c_str(), &hints, &found); failure != 0) {
        return refused(::gai_strerror(failure));
    }
    const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    int last_error = 0;
    for (const addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
        Descriptor socket(::socket(candidate->ai_family, candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                   candidate->ai_protocol));
        const int yes = 1;
        if (!socket.valid() || ::setsockopt(socket.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) != 0 ||
            ::bind(socket.get(), candidate->ai_addr, candidate->ai_addrlen) != 0 || ::listen(socket.get(), 128) != 0) {
            last_error = errno;
            continue;
        }
        state.listener = std::move(socket);
        break;
    }
    if (!state.listener.valid()) return refused(std::generic_category().message(last_error));
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    ::getsockname(state.listener.get(), reinterpret_cast<sockaddr*>(&bound), &length);
    state.port = endpoint_of(bound).port;
    state.wake = Descriptor(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!state.wake.valid()) return refused(std::generic_category().message(errno));

    state.handler.set_serving(state.listener.get());
    state.acceptor = std::thread([&state] { state.accept_loop(); });
    for (std::size_t index = 0; index < std::max<std::size_t>(state.limits.workers, 1); ++index) {
        state.workers.emplace_back([&state] { state.work_loop(); });
    }
    return {};
}

void HttpService::stop() {
    State& state = *state_;
    if (!state.acceptor.joinable()) return;
    state.stopping.store(true);
    state.handler.set_stopping();
    const std::uint64_t one = 1;
    (void)::write(state.wake.get(), &one, sizeof(one));
    state.acceptor.join();
    {
        const std::lock_guard lock(state.mutex);
        state.work_arrived.notify_all();
    }
    for (std::thread& worker : state.workers) worker.join();
    state.workers.clear();
    state.listener.reset();
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

}  // namespace ephemery::infra
