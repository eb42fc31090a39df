#include "api/server.hpp"

#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>

namespace ephemery::api {
namespace {

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
