#include "notify/dispatcher.hpp"

#include "test_support/http_server.hpp"
#include "test_support/temp_dir.hpp"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace ephemery::notify {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

alerts::Notification firing_notification() {
    alerts::Notification notification;
    notification.rule = "validator_missed_attestations";
    notification.state = alerts::NotificationState::firing;
    notification.reason = alerts::NotificationReason::fired;
    notification.severity = alerts::Severity::critical;
    notification.labels = {{"index", "9"}, {"label", "mine"}};
    notification.value = 3;
    notification.summary = "validator 9 missed 3 attestations in a row";
    notification.started_iteration = 7;
    notification.started_epoch = 10;
    notification.iteration = 7;
    notification.epoch = 12;
    notification.time = 1'700'000'000;
    notification.dedup_key = alerts::dedup_key(notification.rule, notification.labels);
    return notification;
}

alerts::Channel make_channel(std::string name, alerts::ChannelType type) {
    alerts::Channel channel;
    channel.name = std::move(name);
    channel.type = type;
    return channel;
}

alerts::Channel http_channel(std::string name, alerts::ChannelType type, const std::string& url) {
    alerts::Channel channel = make_channel(std::move(name), type);
    channel.url = SecretString(url);
    return channel;
}

DeliverySettings fast_settings() {
    DeliverySettings settings;
    settings.attempts = 3;
    settings.first_backoff_ms = 5;
    settings.timeout_seconds = 5;
    settings.max_retry_after_seconds = 2;
    return settings;
}

// What an HTTP receiver saw.
struct Received {
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> requests;  // path, body
    std::vector<std::string> content_types;

    void add(const httplib::Request& request) {
        const std::lock_guard lock(mutex);
        requests.emplace_back(request.path, request.body);
        content_types.push_back(request.get_header_value("Content-Type"));
    }
    std::size_t count() {
        const std::lock_guard lock(mutex);
        return requests.size();
    }
    json body(std::size_t index) {
        const std::lock_guard lock(mutex);
        return json::parse(requests.at(index).second);
    }
};

ChannelCounters counters_of(const std::vector<ChannelCounters>& all, const std::string& channel) {
    for (const auto& counters : all) {
        if (counters.channel == channel) return counters;
    }
    throw std::runtime_error("no counters for " + channel);
}

TEST(Dispatcher, WebhookPostsTheDocumentedJson) {
    Received received;
    test::HttpTestServer server([&](httplib::Server& routes) {
        routes.Post("/hook", [&](const httplib::Request& request, httplib::Response& response) {
            received.add(request);
            response.status = 204;
        });
    });
    Dispatcher dispatcher({http_channel("hook", alerts::ChannelType::webhook, server.base_url() + "/hook")},
                          fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    ASSERT_EQ(report.channels.size(), 1U);
    EXPECT_TRUE(report.channels[0].delivered) << report.channels[0].last_error;
    EXPECT_EQ(report.channels[0].attempts, 1);
    EXPECT_TRUE(report.all_delivered());
    ASSERT_EQ(received.count(), 1U);
    EXPECT_EQ(received.content_types[0], "application/json");
    const json body = received.body(0);
    EXPECT_EQ(body["version"], 1);
    EXPECT_EQ(body["rule"], "validator_missed_attestations");
    EXPECT_EQ(body["state"], "firing");
    EXPECT_EQ(body["reason"], "fired");
    EXPECT_EQ(body["severity"], "critical");
    EXPECT_EQ(body["labels"], (json{{"index", "9"}, {"label", "mine"}}));
    EXPECT_EQ(body["value"], 3.0);
    EXPECT_EQ(body["summary"], "validator 9 missed 3 attestations in a row");
    EXPECT_EQ(body["started_iteration"], 7);
    EXPECT_EQ(body["started_epoch"], 10);
    EXPECT_EQ(body["iteration"], 7);
    EXPECT_EQ(body["epoch"], 12);
    EXPECT_EQ(body["time"], 1'700'000'000);
    EXPECT_EQ(body["time_iso8601"], "2023-11-14T22:13:20Z");
    EXPECT_EQ(body["dedup_key"], firing_notification().dedup_key);
    const auto counters = counters_of(dispatcher.counters(), "hook");
    EXPECT_EQ(counters.delivered_total, 1U);
    EXPECT_EQ(counters.failed_total, 0U);
    EXPECT_EQ(counters.retries_total, 0U);
}

TEST(Dispatcher, RetriesAfterA500ThenSucceeds) {
    std::atomic<int> calls{0};
    test::HttpTestServer server([&](httplib::Server& routes) {
        routes.Post("/hook", [&](const httplib::Request&, httplib::Response& response) {
            response.status = ++calls == 1 ? 500 : 200;
        });
    });
    Dispatcher dispatcher({http_channel("hook", alerts::ChannelType::webhook, server.base_url() + "/hook")},
                          fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    ASSERT_EQ(report.channels.size(), 1U);
    EXPECT_TRUE(report.channels[0].delivered);
    EXPECT_EQ(report.channels[0].attempts, 2);
    EXPECT_EQ(calls, 2);
    const auto counters = counters_of(dispatcher.counters(), "hook");
    EXPECT_EQ(counters.delivered_total, 1U);
    EXPECT_EQ(counters.retries_total, 1U);
    EXPECT_EQ(counters.failed_total, 0U);
}

TEST(Dispatcher, GivesUpAfterTheConfiguredAttempts) {
    std::atomic<int> calls{0};
    test::HttpTestServer server([&](httplib::Server& routes) {
        routes.Post("/hook", [&](const httplib::Request&, httplib::Response& response) {
            ++calls;
            response.status = 503;
            response.set_content("overloaded", "text/plain");
        });
    });
    Dispatcher dispatcher({http_channel("hook", alerts::ChannelType::webhook, server.base_url() + "/hook")},
                          fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    ASSERT_EQ(report.channels.size(), 1U);
    EXPECT_FALSE(report.channels[0].delivered);
    EXPECT_EQ(report.channels[0].attempts, 3);
    EXPECT_EQ(calls, 3);
    EXPECT_THAT(report.channels[0].last_error, HasSubstr("channel \"hook\": HTTP 503: overloaded"));
    EXPECT_THAT(report.channels[0].last_error, Not(HasSubstr(server.base_url())));  // the URL may be a secret
    const auto counters = counters_of(dispatcher.counters(), "hook");
    EXPECT_EQ(counters.failed_total, 1U);
    EXPECT_EQ(counters.retries_total, 2U);
    EXPECT_EQ(counters.delivered_total, 0U);
}

TEST(Dispatcher, AClientErrorFailsAtOnce) {
    std::atomic<int> calls{0};
    test::HttpTestServer server([&](httplib::Server& routes) {
        routes.Post("/hook", [&](const httplib::Request&, httplib::Response& response) {
            ++calls;
            response.status = 404;
        });
    });
    Dispatcher dispatcher({http_channel("hook", alerts::ChannelType::webhook, server.base_url() + "/hook")},
                          fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    EXPECT_FALSE(report.channels[0].delivered);
    EXPECT_EQ(report.channels[0].attempts, 1);
    EXPECT_EQ(calls, 1);
    EXPECT_THAT(report.channels[0].last_error, HasSubstr("HTTP 404"));
}

TEST(Dispatcher, TooManyRequestsHonoursRetryAfter) {
    std::atomic<int> calls{0};
    test::HttpTestServer server([&](httplib::Server& routes) {
        routes.Post("/hook", [&](const httplib::Request&, httplib::Response& response) {
            if (++calls == 1) {
                response.status = 429;
                response.set_header("Retry-After", "1");
            } else {
                response.status = 200;
            }
        });
    });
    Dispatcher dispatcher({http_channel("hook", alerts::ChannelType::webhook, server.base_url() + "/hook")},
                          fast_settings());
    const auto started = std::chrono::steady_clock::now();
    const auto report = dispatcher.deliver(firing_notification());
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(report.channels[0].delivered);
    EXPECT_EQ(report.channels[0].attempts, 2);
    EXPECT_GE(elapsed, std::chrono::milliseconds(1000));  // not the 5 ms backoff
}

TEST(Dispatcher, TransportErrorsAreRetried) {
    int closed_port = 0;
    {
        test::HttpTestServer gone([](httplib::Server&) {});
        closed_port = gone.port();
    }
    Dispatcher dispatcher({http_channel("hook", alerts::ChannelType::webhook,
                                        "http://127.0.0.1:" + std::to_string(closed_port) + "/hook")},
                          fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    EXPECT_FALSE(report.channels[0].delivered);
    EXPECT_EQ(report.channels[0].attempts, 3);
    EXPECT_EQ(counters_of(dispatcher.counters(), "hook").retries_total, 2U);
}

TEST(Dispatcher, SlackDiscordAndPagerDutyPayloadShapes) {
    Received received;
    test::HttpTestServer server([&](httplib::Server& routes) {
        for (const char* path : {"/slack", "/discord", "/v2/enqueue"}) {
            routes.Post(path, [&](const httplib::Request& request, httplib::Response& response) {
                received.add(request);
                response.status = 202;
            });
        }
    });
    const test::TempDir dir;
    const auto key_file = dir.write("pd-key", "R0UTINGKEY\n");
    alerts::Channel pagerduty = make_channel("pager", alerts::ChannelType::pagerduty);
    pagerduty.routing_key_file = key_file.string();
    pagerduty.events_url = server.base_url() + "/v2/enqueue";
    Dispatcher dispatcher(
        {http_channel("chat", alerts::ChannelType::slack, server.base_url() + "/slack"),
         http_channel("talk", alerts::ChannelType::discord, server.base_url() + "/discord"), pagerduty},
        fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    ASSERT_EQ(report.channels.size(), 3U);
    EXPECT_TRUE(report.all_delivered());
    ASSERT_EQ(received.count(), 3U);
    const std::string text =
        "[FIRING critical] validator_missed_attestations: validator 9 missed 3 attestations in "
        "a row (iteration 7, epoch 12)";
    EXPECT_EQ(received.body(0), (json{{"text", text}}));
    EXPECT_EQ(received.body(1), (json{{"content", text}}));
    const json event = received.body(2);
    EXPECT_EQ(event["routing_key"], "R0UTINGKEY");
    EXPECT_EQ(event["event_action"], "trigger");
    EXPECT_EQ(event["dedup_key"], firing_notification().dedup_key);
    EXPECT_EQ(event["payload"]["summary"], "validator_missed_attestations: validator 9 missed 3 attestations in a row");
    EXPECT_EQ(event["payload"]["source"], "ephemery");
    EXPECT_EQ(event["payload"]["severity"], "critical");
    EXPECT_EQ(event["payload"]["timestamp"], "2023-11-14T22:13:20Z");
    EXPECT_EQ(event["payload"]["custom_details"]["labels"]["index"], "9");

    alerts::Notification resolved = firing_notification();
    resolved.state = alerts::NotificationState::resolved;
    resolved.reason = alerts::NotificationReason::resolved;
    resolved.channels = {"pager"};
    const auto second = dispatcher.deliver(resolved);
    ASSERT_EQ(second.channels.size(), 1U);
    EXPECT_EQ(second.channels[0].channel, "pager");
    ASSERT_EQ(received.count(), 4U);
    EXPECT_EQ(received.body(3)["event_action"], "resolve");
    EXPECT_EQ(received.body(3)["dedup_key"], firing_notification().dedup_key);
}

TEST(Dispatcher, SecretFilesAreReadAtEachDelivery) {
    Received received;
    test::HttpTestServer server([&](httplib::Server& routes) {
        routes.Post(R"(/hook/(\w+))", [&](const httplib::Request& request, httplib::Response& response) {
            received.add(request);
            response.status = 200;
        });
    });
    const test::TempDir dir;
    const auto url_file = dir.write("hook-url", server.base_url() + "/hook/first\n");
    alerts::Channel channel = make_channel("hook", alerts::ChannelType::webhook);
    channel.url_file = url_file.string();
    Dispatcher dispatcher({channel}, fast_settings());
    EXPECT_TRUE(dispatcher.deliver(firing_notification()).all_delivered());
    (void)dir.write("hook-url", server.base_url() + "/hook/rotated\r\n");  // rotated: no restart needed
    EXPECT_TRUE(dispatcher.deliver(firing_notification()).all_delivered());
    ASSERT_EQ(received.count(), 2U);
    EXPECT_EQ(received.requests[0].first, "/hook/first");
    EXPECT_EQ(received.requests[1].first, "/hook/rotated");

    (void)dir.write("hook-url", "\n");
    auto report = dispatcher.deliver(firing_notification());
    EXPECT_THAT(report.channels[0].last_error, HasSubstr("url_file " + url_file.string() + " is empty"));

    std::filesystem::remove(url_file);
    report = dispatcher.deliver(firing_notification());
    EXPECT_FALSE(report.channels[0].delivered);
    EXPECT_EQ(report.channels[0].attempts, 1);  // a missing file is not retried
    EXPECT_THAT(report.channels[0].last_error,
                HasSubstr("channel \"hook\": url_file: cannot read " + url_file.string()));
    EXPECT_EQ(counters_of(dispatcher.counters(), "hook").failed_total, 2U);

    alerts::Channel pagerduty = make_channel("pager", alerts::ChannelType::pagerduty);
    pagerduty.routing_key_file = (dir.path() / "no-such-key").string();
    Dispatcher pager({pagerduty}, fast_settings());
    report = pager.deliver(firing_notification());
    EXPECT_THAT(report.channels[0].last_error, HasSubstr("channel \"pager\": routing_key_file: cannot read"));
    EXPECT_THAT(report.channels[0].last_error, HasSubstr("no-such-key"));
}

TEST(Dispatcher, OnlyTheRuleChannelsAndUnknownNamesAreReported) {
    Dispatcher dispatcher({make_channel("console", alerts::ChannelType::console),
                           make_channel("other-console", alerts::ChannelType::console)},
                          fast_settings());
    alerts::Notification notification = firing_notification();
    notification.channels = {"console", "pagr"};
    const auto report = dispatcher.deliver(notification);
    ASSERT_EQ(report.channels.size(), 2U);
    EXPECT_EQ(report.channels[0].channel, "pagr");
    EXPECT_FALSE(report.channels[0].delivered);
    EXPECT_THAT(report.channels[0].last_error, HasSubstr("names channel \"pagr\", which is not configured"));
    EXPECT_EQ(report.channels[1].channel, "console");
    EXPECT_TRUE(report.channels[1].delivered);
    EXPECT_EQ(counters_of(dispatcher.counters(), "other-console").delivered_total, 0U);
}

TEST(Payloads, EmailMessageIsRfc5322AndHeadersCannotBeInjected) {
    alerts::Notification notification = firing_notification();
    notification.rule = "rule\r\nBcc: victim@example.org";
    const std::string message =
        email_message(notification, "ephemery@example.org", {"ops@example.org", "oncall@example.org"}, 1'700'000'000,
                      "<id.1@example.org>");
    EXPECT_THAT(message, HasSubstr("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
    EXPECT_THAT(message, HasSubstr("From: ephemery@example.org\r\n"));
    EXPECT_THAT(message, HasSubstr("To: ops@example.org, oncall@example.org\r\n"));
    EXPECT_THAT(message, HasSubstr("Subject: [ephemery] FIRING critical: rule  Bcc: victim@example.org\r\n"));
    EXPECT_THAT(message, HasSubstr("Message-ID: <id.1@example.org>\r\n"));
    EXPECT_THAT(message, Not(HasSubstr("\r\nBcc:")));
    EXPECT_THAT(message, HasSubstr("\r\n\r\nvalidator 9 missed 3 attestations in a row\r\n"));
    EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(Payloads, SmtpPasswordsNeedTlsExceptOnLoopback) {
    EXPECT_EQ(smtp_tls_policy("smtps://mail.example.org:465", true), SmtpTls::implicit_tls);
    EXPECT_EQ(smtp_tls_policy("smtp://mail.example.org:587", true), SmtpTls::require_starttls);
    EXPECT_EQ(smtp_tls_policy("smtp://mail.example.org:587", false), SmtpTls::starttls_if_offered);
    EXPECT_EQ(smtp_tls_policy("smtp://127.0.0.1:2525", true), SmtpTls::starttls_if_offered);
    EXPECT_EQ(smtp_tls_policy("smtp://localhost:2525", true), SmtpTls::starttls_if_offered);
    EXPECT_EQ(smtp_tls_policy("smtp://[::1]:2525", true), SmtpTls::starttls_if_offered);
    EXPECT_FALSE(is_loopback_host("127.example.org"));
    EXPECT_TRUE(is_loopback_host("[::1]"));
    EXPECT_FALSE(is_loopback_host("10.0.0.1"));
}

// A minimal SMTP receiver on a free loopback port: one session at a time, every message captured.
class SmtpTestServer {
  public:
    struct Session {
        std::vector<std::string> commands;
        std::string message;
    };

    // The first `refuse_sessions` sessions get 451 after the message ("try again later").
    explicit SmtpTestServer(int refuse_sessions = 0) : refuse_sessions_(refuse_sessions) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener_ < 0) throw std::runtime_error("socket");
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        auto* generic = reinterpret_cast<sockaddr*>(&address);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
        socklen_t length = sizeof(address);
        if (::bind(listener_, generic, sizeof(address)) != 0 || ::listen(listener_, 4) != 0 ||
            ::getsockname(listener_, generic, &length) != 0) {
            ::close(listener_);
            throw std::runtime_error("cannot listen on loopback");
        }
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    SmtpTestServer(const SmtpTestServer&) = delete;
    SmtpTestServer& operator=(const SmtpTestServer&) = delete;
    ~SmtpTestServer() {
        stop_ = true;
        thread_.join();
        ::close(listener_);
    }

    [[nodiscard]] std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] std::vector<Session> sessions() const {
        const std::lock_guard lock(mutex_);
        return sessions_;
    }

  private:
    void run() {
        while (!stop_) {
            pollfd waiting{listener_, POLLIN, 0};
            if (::poll(&waiting, 1, 20) <= 0) continue;
            const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            timeval timeout{5, 0};
            (void)::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
            serve(client);
            ::close(client);
        }
    }

    static void send_line(int client, const std::string& line) {
        const std::string data = line + "\r\n";
        (void)::send(client, data.data(), data.size(), MSG_NOSIGNAL);
    }

    // The next CRLF-terminated line; nullopt when the client went away.
    std::optional<std::string> read_line(int client) {
        while (true) {
            const auto end = buffer_.find("\r\n");
            if (end != std::string::npos) {
                std::string line = buffer_.substr(0, end);
                buffer_.erase(0, end + 2);
                return line;
            }
            std::array<char, 4096> chunk{};
            const auto received = ::recv(client, chunk.data(), chunk.size(), 0);
            if (received <= 0) return std::nullopt;
            buffer_.append(chunk.data(), static_cast<std::size_t>(received));
        }
    }

    void serve(int client) {
        buffer_.clear();
        Session session;
        std::size_t session_index = 0;
        {
            const std::lock_guard lock(mutex_);
            session_index = sessions_.size();
            sessions_.emplace_back();
        }
        const auto record = [&] {
            const std::lock_guard lock(mutex_);
            sessions_[session_index] = session;
        };
        send_line(client, "220 localhost ESMTP ephemery-test");
        while (auto line = read_line(client)) {
            session.commands.push_back(*line);
            record();
            const std::string verb = line->substr(0, 4);
            if (verb == "EHLO" || verb == "HELO") {
                send_line(client, "250-localhost");
                send_line(client, "250-AUTH PLAIN");
                send_line(client, "250 SIZE 1000000");
            } else if (verb == "AUTH") {
                if (*line == "AUTH PLAIN") {
                    send_line(client, "334 ");
                    const auto response = read_line(client);
                    if (!response) return;
                    session.commands.push_back("AUTH-RESPONSE " + *response);
                    record();
                }
                send_line(client, "235 2.7.0 authenticated");
            } else if (verb == "MAIL" || verb == "RCPT" || verb == "RSET" || verb == "NOOP") {
                send_line(client, "250 ok");
            } else if (verb == "DATA") {
                send_line(client, "354 go ahead");
                std::string message;
                while (auto data = read_line(client)) {
                    if (*data == ".") break;
                    message += (data->starts_with("..") ? data->substr(1) : *data) + "\r\n";
                }
                session.message = message;
                record();
                send_line(client, static_cast<int>(session_index) < refuse_sessions_ ? "451 4.3.0 try again later"
                                                                                     : "250 2.0.0 queued");
            } else if (verb == "QUIT") {
                send_line(client, "221 bye");
                return;
            } else {
                send_line(client, "502 not implemented");
            }
        }
    }

    int refuse_sessions_;
    int listener_{-1};
    int port_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::string buffer_;
    mutable std::mutex mutex_;
    std::vector<Session> sessions_;
};

std::string base64_decode(std::string_view text) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string decoded;
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : text) {
        const auto position = alphabet.find(c);
        if (position == std::string_view::npos) continue;  // padding
        bits = (bits << 6U) | static_cast<std::uint32_t>(position);
        count += 6;
        if (count >= 8) {
            count -= 8;
            decoded += static_cast<char>((bits >> static_cast<unsigned>(count)) & 0xffU);
        }
    }
    return decoded;
}

alerts::Channel email_channel(const SmtpTestServer& server, const test::TempDir& dir) {
    alerts::Channel channel = make_channel("mail", alerts::ChannelType::email);
    channel.smtp_url = server.url();
    channel.from = "ephemery@example.org";
    channel.to = {"ops@example.org", "oncall@example.org"};
    channel.smtp_username = "alerts";
    channel.smtp_password_file = dir.write("smtp-password", "s3cret-pass\n").string();
    return channel;
}

TEST(Dispatcher, EmailIsDeliveredOverSmtpWithTheRfc5322Headers) {
    const SmtpTestServer server;
    const test::TempDir dir;
    Dispatcher dispatcher({email_channel(server, dir)}, fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    ASSERT_EQ(report.channels.size(), 1U);
    EXPECT_TRUE(report.channels[0].delivered) << report.channels[0].last_error;
    EXPECT_EQ(report.channels[0].attempts, 1);

    const auto sessions = server.sessions();
    ASSERT_EQ(sessions.size(), 1U);
    const auto& commands = sessions[0].commands;
    EXPECT_THAT(commands, ::testing::Contains(::testing::StartsWith("MAIL FROM:<ephemery@example.org>")));
    EXPECT_THAT(commands, ::testing::Contains("RCPT TO:<ops@example.org>"));
    EXPECT_THAT(commands, ::testing::Contains("RCPT TO:<oncall@example.org>"));
    // AUTH PLAIN carries "\0user\0password", with the password file's trailing newline trimmed.
    std::string credentials;
    for (const auto& command : commands) {
        if (command.starts_with("AUTH PLAIN ")) credentials = base64_decode(command.substr(11));
        if (command.starts_with("AUTH-RESPONSE ")) credentials = base64_decode(command.substr(14));
    }
    EXPECT_EQ(credentials, std::string("\0alerts\0s3cret-pass", 19));

    const std::string& message = sessions[0].message;
    EXPECT_THAT(message, ::testing::MatchesRegex("(.|\r|\n)*Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} "
                                                 "[0-9:]{8} \\+0000\r\n(.|\r|\n)*"));
    EXPECT_THAT(message, HasSubstr("From: ephemery@example.org\r\n"));
    EXPECT_THAT(message, HasSubstr("To: ops@example.org, oncall@example.org\r\n"));
    EXPECT_THAT(message, HasSubstr("Subject: [ephemery] FIRING critical: validator_missed_attestations\r\n"));
    EXPECT_THAT(message, HasSubstr("Message-ID: <" + firing_notification().dedup_key + ".1700000000."));
    EXPECT_THAT(message, HasSubstr("@example.org>\r\n"));
    EXPECT_THAT(message, HasSubstr("\r\n\r\nvalidator 9 missed 3 attestations in a row\r\n"));
    EXPECT_THAT(message, HasSubstr("labels:    index=9, label=mine\r\n"));
    EXPECT_THAT(message, Not(HasSubstr("s3cret")));
    EXPECT_EQ(counters_of(dispatcher.counters(), "mail").delivered_total, 1U);
}

TEST(Dispatcher, EmailIsRetriedWhenTheServerAnswers451) {
    const SmtpTestServer server(1);
    const test::TempDir dir;
    Dispatcher dispatcher({email_channel(server, dir)}, fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    ASSERT_EQ(report.channels.size(), 1U);
    EXPECT_TRUE(report.channels[0].delivered) << report.channels[0].last_error;
    EXPECT_EQ(report.channels[0].attempts, 2);
    const auto sessions = server.sessions();
    ASSERT_GE(sessions.size(), 2U);
    EXPECT_FALSE(sessions[0].message.empty());
    EXPECT_FALSE(sessions[1].message.empty());
    const auto counters = counters_of(dispatcher.counters(), "mail");
    EXPECT_EQ(counters.retries_total, 1U);
    EXPECT_EQ(counters.delivered_total, 1U);
}

TEST(Dispatcher, EmailWithAMissingPasswordFileNamesTheFile) {
    const SmtpTestServer server;
    const test::TempDir dir;
    alerts::Channel channel = email_channel(server, dir);
    channel.smtp_password_file = (dir.path() / "missing-password").string();
    Dispatcher dispatcher({channel}, fast_settings());
    const auto report = dispatcher.deliver(firing_notification());
    EXPECT_FALSE(report.channels[0].delivered);
    EXPECT_THAT(report.channels[0].last_error, HasSubstr("channel \"mail\": smtp_password_file: cannot read"));
    EXPECT_THAT(report.channels[0].last_error, HasSubstr("missing-password"));
    EXPECT_TRUE(server.sessions().empty());
}

}  // namespace
}  // namespace ephemery::notify
