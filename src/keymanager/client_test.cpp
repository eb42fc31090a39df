// The keymanager client against an in-process HTTP server playing the validator client: what is sent, and what
// every kind of failure tells the operator (never a password or the token).
#include "keymanager/client.hpp"

#include "test_support/background_process.hpp"
#include "test_support/http_server.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <mutex>
#include <thread>

namespace ephemery::keymanager {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;
using testing::Not;

const std::string token = "api-token-0xfeedbeef";
const std::string password_a = "correct horse";
const std::string password_b = R"(quote " backslash \ tab	end)";
const std::string keystore_a = R"({"crypto": {}, "pubkey": "aa", "version": 4})";
const std::string keystore_b = R"({"crypto": {}, "pubkey": "bb", "version": 4})";
const std::string interchange = R"({"metadata": {"interchange_format_version": "5"}, "data": []})";

std::vector<KeystoreUpload> two_keystores() {
    return {{keystore_a, SecretString(password_a)}, {keystore_b, SecretString(password_b)}};
}

Endpoint endpoint_of(const test::HttpTestServer& server, const std::string& bearer = token) {
    return {.base_url = server.base_url(),
            .token = SecretString(bearer),
            .token_source = "/run/vc/api-token.txt",
            .timeout = 5s};
}

void reply(httplib::Response& response, int status, const std::string& body) {
    response.status = status;
    response.set_content(body, "application/json");
}

// Fails the test when a message gives away a secret.
void expect_no_secrets(const std::string& message) {
    EXPECT_THAT(message, Not(HasSubstr(token)));
    EXPECT_THAT(message, Not(HasSubstr(password_a)));
    EXPECT_THAT(message, Not(HasSubstr(password_b)));
}

// A server that records the last request it got and answers every route with one status and body.
class FakeValidatorClient {
  public:
    FakeValidatorClient(int status, std::string body)
        : server_([this, status, body = std::move(body)](httplib::Server& server) {
              const auto handle = [this, status, body](const httplib::Request& request, httplib::Response& response) {
                  const std::lock_guard lock(mutex_);
                  last_ = request;
                  reply(response, status, body);
              };
              server.Get(".*", handle);
              server.Post(".*", handle);
          }) {}

    [[nodiscard]] httplib::Request last() {
        const std::lock_guard lock(mutex_);
        return last_;
    }
    [[nodiscard]] const test::HttpTestServer& server() const { return server_; }

  private:
    std::mutex mutex_;
    httplib::Request last_;
    test::HttpTestServer server_;  // last: it starts answering once everything it uses exists
};

TEST(ImportKeystores, SendsTheSpecifiedBodyWithTheBearerToken) {
    FakeValidatorClient vc(200, R"({"data": [{"status": "imported"}, {"status": "duplicate"}]})");
    const auto statuses = import_keystores(endpoint_of(vc.server()), two_keystores(), interchange);
    ASSERT_TRUE(statuses) << statuses.error().message;
    ASSERT_EQ(statuses->size(), 2U);
    EXPECT_EQ((*statuses)[0].state, ImportState::imported);
    EXPECT_EQ((*statuses)[1].state, ImportState::duplicate);

    const auto request = vc.last();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.path, "/eth/v1/keystores");
    EXPECT_EQ(request.get_header_value("Authorization"), "Bearer " + token);
    EXPECT_EQ(request.get_header_value("Content-Type"), "application/json");
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << "the body is JSON even with quotes, backslashes and tabs in a password";
    EXPECT_EQ(body.at("keystores"), nlohmann::json::array({keystore_a, keystore_b})) << "each keystore as a string";
    EXPECT_EQ(body.at("passwords"), nlohmann::json::array({password_a, password_b}));
    EXPECT_EQ(body.at("slashing_protection"), interchange) << "the interchange as a string";
}

TEST(ImportKeystores, WithoutAnInterchangeTheFieldIsLeftOut) {
    FakeValidatorClient vc(200, R"({"data": [{"status": "imported"}, {"status": "imported"}]})");
    ASSERT_TRUE(import_keystores(endpoint_of(vc.server()), two_keystores(), std::nullopt));
    const auto body = nlohmann::json::parse(vc.last().body);
    EXPECT_FALSE(body.contains("slashing_protection")) << body.dump();
}

TEST(ImportKeystores, APathPrefixInTheUrlIsKept) {
    FakeValidatorClient vc(200, R"({"data": []})");
    auto endpoint = endpoint_of(vc.server());
    endpoint.base_url += "/keymanager/";
    ASSERT_TRUE(list_keystores(endpoint));
    EXPECT_EQ(vc.last().path, "/keymanager/eth/v1/keystores");
}

TEST(ImportKeystores, PerKeyErrorsArePassedOnWithoutTheirSecrets) {
    FakeValidatorClient vc(
        200,
        R"({"data": [{"status": "imported"}, {"status": "error", "message": "password correct horse is wrong"}]})");
    const auto statuses = import_keystores(endpoint_of(vc.server()), two_keystores(), std::nullopt);
    ASSERT_TRUE(statuses) << statuses.error().message;
    EXPECT_EQ((*statuses)[1].state, ImportState::error);
    EXPECT_EQ((*statuses)[1].message, "password <redacted> is wrong");
}

TEST(KeymanagerErrors, NothingListeningSaysTheValidatorClientMustRunWithItsApi) {
    const auto port = test::free_loopback_port();
    const Endpoint endpoint{.base_url = "http://127.0.0.1:" + std::to_string(port),
                            .token = SecretString(token),
                            .token_source = "t",
                            .timeout = 5s};
    const auto statuses = import_keystores(endpoint, two_keystores(), std::nullopt);
    ASSERT_FALSE(statuses);
    EXPECT_EQ(statuses.error().code, Errc::io_error);
    EXPECT_THAT(statuses.error().message, HasSubstr("cannot connect to the keymanager API at " + endpoint.base_url));
    EXPECT_THAT(statuses.error().message, HasSubstr("the validator client must be running, with its keymanager API "
                                                    "enabled"));
    expect_no_secrets(statuses.error().message);
}

TEST(KeymanagerErrors, AWrongTokenNamesTheTokenFileNotTheToken) {
    FakeValidatorClient vc(401, R"({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token"})");
    const auto statuses = import_keystores(endpoint_of(vc.server()), two_keystores(), std::nullopt);
    ASSERT_FALSE(statuses);
    EXPECT_EQ(statuses.error().code, Errc::invalid_argument);
    EXPECT_THAT(statuses.error().message,
                HasSubstr("refused the bearer token from /run/vc/api-token.txt (HTTP 401: Invalid token)"));
    expect_no_secrets(statuses.error().message);

    const auto forbidden = FakeValidatorClient(403, "{}");
    const auto keys = list_keystores(endpoint_of(forbidden.server()));
    ASSERT_FALSE(keys);
    EXPECT_THAT(keys.error().message, HasSubstr("refused access with the bearer token from /run/vc/api-token.txt"));
}

TEST(KeymanagerErrors, NoTokenAtAllAsksForTheTokenFile) {
    FakeValidatorClient vc(401, "");
    const auto keys = list_keystores(endpoint_of(vc.server(), ""));
    ASSERT_FALSE(keys);
    EXPECT_THAT(keys.error().message, HasSubstr("wants a bearer token (HTTP 401)"));
    EXPECT_FALSE(vc.last().has_header("Authorization"));
}

TEST(KeymanagerErrors, A404IsNotAKeymanagerApi) {
    FakeValidatorClient vc(404, R"({"message": "Route GET:/eth/v1/keystores not found"})");
    const auto keys = list_keystores(endpoint_of(vc.server()));
    ASSERT_FALSE(keys);
    EXPECT_EQ(keys.error().code, Errc::unsupported);
    EXPECT_THAT(keys.error().message, HasSubstr("has no GET /eth/v1/keystores (HTTP 404: Route"));
    EXPECT_THAT(keys.error().message, HasSubstr("not a validator client's keymanager API"));
}

TEST(KeymanagerErrors, ARefusedRequestQuotesTheClientWithoutSecrets) {
    FakeValidatorClient vc(500, R"({"message": "cannot import interchange for password correct horse"})");
    const auto statuses = import_keystores(endpoint_of(vc.server()), two_keystores(), interchange);
    ASSERT_FALSE(statuses);
    EXPECT_EQ(statuses.error().code, Errc::verification_failed);
    EXPECT_THAT(statuses.error().message,
                HasSubstr("refused POST /eth/v1/keystores with HTTP 500: cannot import interchange for password "
                          "<redacted>"));
    expect_no_secrets(statuses.error().message);
}

TEST(KeymanagerErrors, AnAnswerThatIsNotJsonAsksWhetherThatIsTheKeymanagerApi) {
    FakeValidatorClient vc(200, "# HELP process_cpu_seconds_total\napi-token-0xfeedbeef\n");
    const auto keys = list_keystores(endpoint_of(vc.server()));
    ASSERT_FALSE(keys);
    EXPECT_EQ(keys.error().code, Errc::parse_error);
    EXPECT_THAT(keys.error().message, HasSubstr("the body is not JSON"));
    EXPECT_THAT(keys.error().message,
                HasSubstr("the body starts with \"# HELP process_cpu_seconds_total?<redacted>?\""));
    EXPECT_THAT(keys.error().message, HasSubstr("is that the validator client's keymanager API?"));
    expect_no_secrets(keys.error().message);
}

TEST(KeymanagerErrors, ASilentServerTimesOut) {
    test::HttpTestServer slow([](httplib::Server& server) {
        server.Get(".*", [](const httplib::Request&, httplib::Response& response) {
            std::this_thread::sleep_for(1500ms);
            reply(response, 200, R"({"data": []})");
        });
    });
    auto endpoint = endpoint_of(slow);
    endpoint.timeout = 300ms;
    const auto keys = list_keystores(endpoint);
    ASSERT_FALSE(keys);
    EXPECT_EQ(keys.error().code, Errc::io_error);
    EXPECT_THAT(keys.error().message, HasSubstr("did not answer GET /eth/v1/keystores within 0.3 s"));
}

TEST(KeymanagerErrors, AHugeAnswerIsCutOff) {
    FakeValidatorClient vc(200, std::string(std::size_t{17} << 20U, ' '));
    const auto keys = list_keystores(endpoint_of(vc.server()));
    ASSERT_FALSE(keys);
    EXPECT_THAT(keys.error().message, HasSubstr("is larger than 16 MiB"));
}

TEST(KeymanagerUrl, OnlyPlainHttpUrlsWithoutCredentials) {
    const auto with_url = [](const std::string& url) {
        return list_keystores({.base_url = url, .token = SecretString(token), .token_source = "t", .timeout = 1s});
    };
    const auto https = with_url("https://127.0.0.1:5062");
    ASSERT_FALSE(https);
    EXPECT_EQ(https.error().code, Errc::unsupported);

    const auto credentials = with_url("http://user:hunter2@127.0.0.1:5062");
    ASSERT_FALSE(credentials);
    EXPECT_THAT(credentials.error().message, HasSubstr("must not carry user:password@"));
    EXPECT_THAT(credentials.error().message, Not(HasSubstr("hunter2")));

    for (const std::string bad : {"127.0.0.1:5062", "http://127.0.0.1:0", "http://127.0.0.1:99999",
                                  "http://127.0.0.1:50x", "http://", "http://a b:1", "http://[::1", "http://h:1/a b"}) {
        const auto result = with_url(bad);
        ASSERT_FALSE(result) << bad;
        EXPECT_EQ(result.error().code, Errc::invalid_argument) << bad << ": " << result.error().message;
    }
}

TEST(TokenFile, ReadLikeValidatorClientsWriteIt) {
    const test::TempDir dir;
    const auto file = dir.write("api-token.txt", "  " + token + "\n");
    const auto read = read_token_file(file);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->reveal(), token);

    const auto missing = read_token_file(dir.path() / "nothing.txt");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_THAT(missing.error().message, HasSubstr("the validator client writes it when its keymanager API starts"));

    const auto empty = read_token_file(dir.write("empty.txt", "\n"));
    ASSERT_FALSE(empty);
    EXPECT_THAT(empty.error().message, HasSubstr("empty.txt is empty"));
}

}  // namespace
}  // namespace ephemery::keymanager
