#include "infra/http_service.hpp"

#include "test_support/loopback_socket.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <vector>

namespace ephemery::infra {
namespace {

using std::chrono::milliseconds;
using test::LoopbackConnection;
using testing::StartsWith;

TEST(RequestHeadEnd, FindsTheBlankLineAfterTheHeaders) {
    EXPECT_EQ(request_head_end(""), 0U);
    EXPECT_EQ(request_head_end("GET / HTTP/1.1\r\nHost: a\r\n"), 0U);
    EXPECT_EQ(request_head_end("GET / HTTP/1.1\r\n\r\n"), 18U);
    EXPECT_EQ(request_head_end("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\r\n\r\n"), 27U);
    EXPECT_EQ(request_head_end("GET / HTTP/1.1\nHost: a\n\n"), 24U);
}

class SlowClients : public testing::Test {
  protected:
    void start(HttpLimits limits) {
        service_ = std::make_unique<HttpService>(limits);
        service_->server().Get("/health", [](const httplib::Request&, httplib::Response& response) {
            response.set_content("ok", "text/plain");
        });
        ASSERT_TRUE(service_->listen("127.0.0.1", 0, "test").ok());
    }
    [[nodiscard]] int port() const { return service_->port(); }
    [[nodiscard]] bool answers() const {
        httplib::Client client("127.0.0.1", port());
        client.set_read_timeout(10);
        const auto response = client.Get("/health");
        return response && response->status == 200 && response->body == "ok";
    }
    static LoopbackConnection half_request(int port) {
        LoopbackConnection connection(port);
        EXPECT_TRUE(connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        return connection;
    }

    std::unique_ptr<HttpService> service_;
};

TEST_F(SlowClients, NeverHoldTheWorkers) {
    start({.workers = 2});
    std::vector<LoopbackConnection> slow;
    slow.reserve(24);
    for (int index = 0; index < 24; ++index) slow.push_back(half_request(port()));
    EXPECT_TRUE(answers());
    // Each slow client finishes its request: every one is answered.
    for (auto& connection : slow) EXPECT_TRUE(connection.send("\r\n"));
    for (auto& connection : slow) EXPECT_THAT(connection.read_until_closed(), StartsWith("HTTP/1.1 200"));
}

TEST_F(SlowClients, AHeadUnfinishedAtItsDeadlineIsAnswered408AndClosed) {
    start({.head_deadline = milliseconds(200)});
    LoopbackConnection slow = half_request(port());
    EXPECT_THAT(slow.read_until_closed(), StartsWith("HTTP/1.1 408"));
    EXPECT_TRUE(answers());
}

TEST_F(SlowClients, AnOversizedHeadIsAnswered431AndClosed) {
    start({.max_head_bytes = 1024});
    LoopbackConnection large = half_request(port());
    EXPECT_TRUE(large.send("X-Padding: " + std::string(4096, 'a')));
    EXPECT_THAT(large.read_until_closed(), StartsWith("HTTP/1.1 431"));
    EXPECT_TRUE(answers());
}

// A peer at its cap loses its own oldest waiting connection to each new one; requests sent whole still get through.
TEST_F(SlowClients, APeerOverItsCapLosesItsOldestConnections) {
    start({.max_receiving_per_peer = 4});
    std::vector<LoopbackConnection> idle;
    idle.reserve(6);
    for (int index = 0; index < 6; ++index) idle.push_back(half_request(port()));
    EXPECT_THAT(idle[0].read_until_closed(), StartsWith("HTTP/1.1 503"));
    EXPECT_THAT(idle[1].read_until_closed(), StartsWith("HTTP/1.1 503"));
    // Both drops happened when the fifth and sixth were accepted, so the later four were kept.
    for (std::size_t index = 2; index < idle.size(); ++index) EXPECT_FALSE(idle[index].server_acted_within({}));
    EXPECT_TRUE(answers());
}

TEST_F(SlowClients, TheServiceAsAWholeKeepsItsNewestConnections) {
    start({.max_receiving = 3});
    std::vector<LoopbackConnection> idle;
    idle.reserve(4);
    for (int index = 0; index < 4; ++index) idle.push_back(half_request(port()));
    EXPECT_THAT(idle[0].read_until_closed(), StartsWith("HTTP/1.1 503"));
    for (std::size_t index = 1; index < idle.size(); ++index) EXPECT_FALSE(idle[index].server_acted_within({}));
}

TEST_F(SlowClients, StopClosesWaitingConnectionsAndEndsPromptly) {
    start({});
    LoopbackConnection slow = half_request(port());
    EXPECT_TRUE(answers());
    service_->stop();
    EXPECT_EQ(slow.read_until_closed(), "");
    service_->stop();  // idempotent
}

// `checkpoint serve` streams states of many megabytes from a content provider: every byte arrives, in order.
TEST(HttpServiceResponses, ALargeStreamedResponseArrivesWhole) {
    HttpService service;
    std::string payload(8U << 20U, '\0');
    for (std::size_t index = 0; index < payload.size(); ++index) payload[index] = static_cast<char>(index * 7 % 251);
    service.server().Get("/state", [&payload](const httplib::Request&, httplib::Response& response) {
        response.set_content_provider(payload.size(), "application/octet-stream",
                                      [&payload](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                          const std::size_t chunk = std::min<std::size_t>(length, 65536);
                                          return sink.write(payload.data() + offset, chunk);
                                      });
    });
    ASSERT_TRUE(service.listen("127.0.0.1", 0, "test").ok());
    httplib::Client client("127.0.0.1", service.port());
    const auto response = client.Get("/state");
    ASSERT_TRUE(response) << httplib::to_string(response.error());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body.size(), payload.size());
    EXPECT_TRUE(response->body == payload);
}

TEST(HttpServiceListen, AnAddressInUseIsAClearError) {
    HttpService first;
    ASSERT_TRUE(first.listen("127.0.0.1", 0, "first").ok());
    HttpService second;
    const auto listening = second.listen("127.0.0.1", static_cast<std::uint16_t>(first.port()), "set test.port");
    ASSERT_FALSE(listening.ok());
    EXPECT_THAT(listening.error().message,
                testing::AllOf(testing::HasSubstr(fmt::format("127.0.0.1:{}", first.port())),
                               testing::HasSubstr("in use"), testing::HasSubstr("set test.port")));
}

}  // namespace
}  // namespace ephemery::infra
