#include "beacon/events.hpp"

#include "test_support/http_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace ephemery::beacon {
namespace {

using namespace std::chrono_literals;

std::vector<Event> parse_all(const std::vector<std::string_view>& chunks) {
    std::vector<Event> events;
    SseParser parser([&](const Event& event) { events.push_back(event); });
    for (const auto chunk : chunks) parser.feed(chunk);
    return events;
}

TEST(SseParser, DispatchesOnBlankLinesWhateverTheChunkingAndLineEnds) {
    const auto events = parse_all({": keep-alive\n\nevent: he", "ad\ndata: {\"slot\":\"1\"}\r\n\r",
                                   "\nevent:finalized_checkpoint\r", "data: a\ndata: b\n\n"});
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0].topic, "head");
    EXPECT_EQ(events[0].data, R"({"slot":"1"})");
    EXPECT_EQ(events[1].topic, "finalized_checkpoint");
    EXPECT_EQ(events[1].data, "a\nb");
}

TEST(SseParser, DropsOverlongLinesWithTheirEventAndResetForgetsAHalfEvent) {
    std::vector<Event> events;
    SseParser parser([&](const Event& event) { events.push_back(event); }, 16);
    parser.feed("event: head\ndata: " + std::string(100, 'x') + "\n\nevent: block\ndata: ok\n\n");
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].topic, "block");
    parser.feed("event: head\ndata: half");
    parser.reset();
    parser.feed("\n\n");
    EXPECT_EQ(events.size(), 1U);
}

TEST(EventStream, TopicsFormFollowsTheNodeVersion) {
    EXPECT_EQ(event_topics_style("Lodestar/v1.5.1/2115aa7"), ArrayStyle::repeated);
    EXPECT_EQ(event_topics_style("Lodestar/v1.7.0"), ArrayStyle::comma);
    EXPECT_EQ(event_topics_style("Lighthouse/v5.3.0-d6ba8c3/x86_64-linux"), ArrayStyle::comma);
    EXPECT_EQ(event_topics_style("Lodestar/vgarbage"), ArrayStyle::comma);
}

TEST(EventStream, ReconnectsAfterTheServerClosesAndStopsWhenAsked) {
    std::atomic<int> connections{0};
    std::mutex mutex;
    std::vector<std::string> queries;
    test::HttpTestServer server([&](httplib::Server& http) {
        http.Get("/eth/v1/events", [&](const httplib::Request& request, httplib::Response& response) {
            {
                const std::lock_guard lock(mutex);
                queries.push_back(std::to_string(request.get_param_value_count("topics")));
            }
            const int connection = ++connections;
            // Each connection sends two events and a half one, then closes.
            response.set_content("event: head\ndata: {\"n\":" + std::to_string(connection) + "}\n\n: ping\n\n" +
                                     "event: block\ndata: x\n\nevent: head\ndata: cut",
                                 "text/event-stream");
        });
    });
    std::atomic<bool> stop{false};
    std::vector<Event> received;
    EventStreamSettings settings;
    settings.reconnect_initial = 20ms;
    settings.reconnect_max = 50ms;
    settings.topics_style = ArrayStyle::repeated;
    const auto stats = stream_events(
        server.base_url(), {"head", "block"},
        [&](const Event& event) {
            received.push_back(event);
            if (received.size() == 5) stop = true;
        },
        stop, settings);
    ASSERT_EQ(received.size(), 5U);
    EXPECT_EQ(received[0].data, R"({"n":1})");
    EXPECT_EQ(received[2].data, R"({"n":2})") << "the cut-off third event of connection 1 is dropped";
    EXPECT_GE(stats.connects, 2U);
    const std::lock_guard lock(mutex);
    EXPECT_EQ(queries.front(), "2") << "topics=head&topics=block";
}

TEST(EventStream, AnIdleConnectionIsDroppedAndMadeAgain) {
    std::atomic<int> connections{0};
    test::HttpTestServer server([&](httplib::Server& http) {
        http.Get("/eth/v1/events", [&](const httplib::Request&, httplib::Response& response) {
            const int connection = ++connections;
            response.set_chunked_content_provider("text/event-stream",
                                                  [connection](std::size_t, httplib::DataSink& sink) {
                                                      if (connection >= 2) {
                                                          const std::string event = "event: head\ndata: second\n\n";
                                                          (void)sink.write(event.data(), event.size());
                                                      }
                                                      std::this_thread::sleep_for(300ms);  // then silence
                                                      return true;
                                                  });
        });
    });
    std::atomic<bool> stop{false};
    EventStreamSettings settings;
    settings.idle_timeout = 150ms;
    settings.reconnect_initial = 10ms;
    std::string data;
    const auto stats = stream_events(
        server.base_url(), {"head"},
        [&](const Event& event) {
            data = event.data;
            stop = true;
        },
        stop, settings);
    EXPECT_EQ(data, "second");
    EXPECT_GE(stats.failures, 1U);
    EXPECT_THAT(stats.last_error, testing::HasSubstr("no byte"));
}

}  // namespace
}  // namespace ephemery::beacon
