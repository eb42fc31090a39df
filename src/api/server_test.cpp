#include "api/server.hpp"

#include "test_support/loopback_socket.hpp"
#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <vector>

namespace ephemery::api {
namespace {

using test::raw_exchange;
using testing::HasSubstr;

class FakeTarget final : public ControlTarget {
  public:
    nlohmann::ordered_json status() override { return {{"iteration", 161}}; }
    bool healthy() override { return health; }
    std::string metrics() override { return "ephemery_up 1\n"; }
    Status restart(std::string_view role) override {
        if (role == "validator") return make_error(Errc::not_found, "this node runs no validator client");
        restarted.emplace_back(role);
        return {};
    }
    Status request_reset() override {
        ++resets;
        return {};
    }
    bool health{true};
    std::vector<std::string> restarted;
    int resets{0};
};

class ControlApi : public testing::Test {
  protected:
    ControlApi() {
        auto started = ControlServer::start({.enabled = true, .listen_address = "127.0.0.1", .port = 0},
                                            SecretString(token_), target_);
        EXPECT_TRUE(started.ok()) << started.error().message;
        server_ = std::move(started).value();
    }
    httplib::Client client() const { return httplib::Client("127.0.0.1", server_->port()); }
    static httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

    const std::string token_ = std::string(64, 'f');
    FakeTarget target_;
    std::unique_ptr<ControlServer> server_;
};

TEST_F(ControlApi, ReadsNeedNoTokenOnLoopback) {
    auto status = client().Get("/api/v1/status");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->status, 200);
    EXPECT_EQ(nlohmann::json::parse(status->body).at("iteration"), 161);
    EXPECT_EQ(client().Get("/api/v1/health")->status, 200);
    target_.health = false;
    EXPECT_EQ(client().Get("/api/v1/health")->status, 503);
    const auto metrics = client().Get("/metrics");
    EXPECT_EQ(metrics->body, "ephemery_up 1\n");
    EXPECT_THAT(metrics->get_header_value("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
}

TEST_F(ControlApi, ActionsNeedTheRightBearerToken) {
    auto missing = client().Post("/api/v1/restart/consensus");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 401);
    EXPECT_EQ(missing->get_header_value("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(client().Post("/api/v1/restart/consensus", bearer(std::string(64, 'e')), "", "text/plain")->status, 401);
    EXPECT_EQ(client().Post("/api/v1/restart/consensus", bearer(token_.substr(1)), "", "text/plain")->status, 401);
    EXPECT_EQ(client().Post("/api/v1/reset")->status, 401);
    EXPECT_TRUE(target_.restarted.empty());
    EXPECT_EQ(target_.resets, 0);

    EXPECT_EQ(client().Post("/api/v1/restart/consensus", bearer(token_), "", "text/plain")->status, 200);
    EXPECT_EQ(target_.restarted, std::vector<std::string>{"consensus"});
    const auto absent = client().Post("/api/v1/restart/validator", bearer(token_), "", "text/plain");
    EXPECT_EQ(absent->status, 404);
    EXPECT_THAT(absent->body, HasSubstr("runs no validator client"));
    EXPECT_EQ(client().Post("/api/v1/restart/miner", bearer(token_), "", "text/plain")->status, 404);
    EXPECT_EQ(client().Post("/api/v1/reset", bearer(token_), "", "text/plain")->status, 202);
    EXPECT_EQ(target_.resets, 1);
}

// The way people call such endpoints: `curl -X POST -H "Authorization: Bearer $(cat api-token)" URL`, which sends
// neither a body nor a Content-Length.
TEST_F(ControlApi, ActionsAnswerAPostWithoutABody) {
    const auto curl = test::find_on_path("curl");
    ASSERT_FALSE(curl.empty()) << "curl is not on PATH: scripts/bootstrap installs Debian's package";
    const auto post = [&](const std::string& path, const std::string& token) {
        const std::string url = "http://127.0.0.1:" + std::to_string(server_->port()) + path;
        std::vector<std::string> argv{curl.string(), "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"};
        if (!token.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
        argv.push_back(url);
        const auto output = test::run_command(argv, {}, ".");
        EXPECT_EQ(output.exit_code, 0) << output.err;
        return output.out;
    };
    EXPECT_EQ(post("/api/v1/restart/execution", token_), "200");
    EXPECT_EQ(target_.restarted, std::vector<std::string>{"execution"});
    EXPECT_EQ(post("/api/v1/restart/execution", ""), "401");
    EXPECT_EQ(post("/api/v1/restart/miner", token_), "404");
    EXPECT_EQ(post("/api/v1/reboot", token_), "404");
    EXPECT_EQ(post("/api/v1/reset", token_), "202");
    EXPECT_EQ(target_.restarted.size(), 1U);
    EXPECT_EQ(target_.resets, 1);
}

// Actions take no body: one that is declared is refused unread, and without the token it is refused first. The
// requests below announce a gigabyte and send none of it: an answer at all shows that nothing waited for the body.
TEST_F(ControlApi, ActionsRefuseABodyWithoutReadingIt) {
    const std::string anonymous = raw_exchange(
        server_->port(), "POST /api/v1/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1073741824\r\n\r\n");
    EXPECT_THAT(anonymous, testing::StartsWith("HTTP/1.1 401"));
    const std::string announced =
        raw_exchange(server_->port(), "POST /api/v1/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                          token_ + "\r\nContent-Length: 1073741824\r\n\r\n");
    EXPECT_THAT(announced, testing::StartsWith("HTTP/1.1 413"));
    const auto with_body = client().Post("/api/v1/reset", bearer(token_), "{}", "application/json");
    ASSERT_TRUE(with_body);
    EXPECT_EQ(with_body->status, 413);
    EXPECT_THAT(with_body->body, HasSubstr("take no request body"));
    EXPECT_EQ(target_.resets, 0);
    EXPECT_EQ(client().Get("/api/v1/status")->status, 200) << "the server still answers";
}

TEST_F(ControlApi, ReadsRefuseABodyWithoutReadingIt) {
    for (const std::string method : {"GET", "PUT", "DELETE", "PATCH"}) {
        const std::string answer =
            raw_exchange(server_->port(),
                         method + " /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1073741824\r\n\r\n");
        EXPECT_THAT(answer, testing::StartsWith("HTTP/1.1 413")) << method;
    }
    EXPECT_EQ(client().Get("/api/v1/status")->status, 200) << "the server still answers";
}

// The attack: clients that send their headers a byte at a time, more of them than the server has threads.
// Status, health and an action are still answered while they wait.
TEST_F(ControlApi, ClientsThatSendSlowlyDoNotSilenceIt) {
    std::vector<test::LoopbackConnection> slow;
    slow.reserve(24);
    for (int index = 0; index < 24; ++index) {
        slow.emplace_back(server_->port());
        EXPECT_TRUE(slow.back().send("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
    }
    EXPECT_EQ(client().Get("/api/v1/status")->status, 200);
    EXPECT_EQ(client().Get("/api/v1/health")->status, 200);
    const auto reset = client().Post("/api/v1/reset", bearer(token_), "", "");
    ASSERT_TRUE(reset);
    EXPECT_EQ(reset->status, 202);
    for (auto& connection : slow) EXPECT_TRUE(connection.send("a"));
    EXPECT_EQ(client().Get("/api/v1/status")->status, 200);
}

TEST(ControlApiToken, IsCreatedPrivateOnceAndRefusedWhenOthersCanReadIt) {
    const test::TempDir dir;
    const auto file = dir.path() / "api-token";
    const auto first = load_or_create_token(file);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->reveal().size(), 64U);
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    const auto again = load_or_create_token(file);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->reveal(), first->reveal());

    std::filesystem::permissions(file, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
    const auto exposed = load_or_create_token(file);
    ASSERT_FALSE(exposed.ok());
    EXPECT_THAT(exposed.error().message, HasSubstr("chmod 600"));
    EXPECT_THAT(exposed.error().message, testing::Not(HasSubstr(first->reveal())));
}

TEST(ControlApiServer, AnOccupiedPortIsAClearError) {
    FakeTarget target;
    auto first = ControlServer::start({.enabled = true, .listen_address = "127.0.0.1", .port = 0},
                                      SecretString(std::string(64, 'a')), target);
    ASSERT_TRUE(first.ok());
    const auto second = ControlServer::start({.enabled = true, .listen_address = "127.0.0.1", .port = (*first)->port()},
                                             SecretString(std::string(64, 'a')), target);
    ASSERT_FALSE(second.ok());
    EXPECT_THAT(second.error().message, HasSubstr("set api.port"));
}

}  // namespace
}  // namespace ephemery::api
