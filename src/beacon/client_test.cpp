#include "beacon/client.hpp"

#include "test_support/files.hpp"
#include "test_support/http_server.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

namespace ephemery::beacon {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;

HttpSettings quick_settings() {
    HttpSettings settings;
    settings.connect_timeout = 1s;
    settings.request_timeout = 2s;
    settings.download_timeout = 3s;
    settings.backoff_initial = 10ms;
    settings.backoff_max = 20ms;
    return settings;
}

TEST(BeaconClient, RetriesServerErrorsAndCountsThem) {
    std::atomic<int> calls{0};
    test::HttpTestServer server([&](httplib::Server& http) {
        http.Get("/eth/v1/node/version", [&](const httplib::Request&, httplib::Response& response) {
            if (++calls < 2) {
                response.status = 500;
                return;
            }
            response.set_content(R"({"data":{"version":"Lodestar/v1.5.1"}})", "application/json");
        });
    });
    BeaconClient client(server.base_url() + "/", quick_settings());
    const auto version = client.version();
    ASSERT_TRUE(version) << version.error().message;
    EXPECT_EQ(*version, "Lodestar/v1.5.1");
    EXPECT_EQ(client.stats().requests, 1U);  // retries are one call
    EXPECT_EQ(calls.load(), 2);
}

TEST(BeaconClient, NotFoundAndRefusedConnectionsAreClearErrors) {
    test::HttpTestServer server([](httplib::Server&) {});
    BeaconClient client(server.base_url(), quick_settings());
    const auto genesis = client.genesis();
    ASSERT_FALSE(genesis);
    EXPECT_EQ(genesis.error().code, Errc::not_found);
    EXPECT_THAT(genesis.error().message, HasSubstr("/eth/v1/beacon/genesis"));
    EXPECT_EQ(client.stats().failures, 1U);

    auto settings = quick_settings();
    settings.attempts = 1;
    BeaconClient nowhere("http://127.0.0.1:1", settings);
    const auto refused = nowhere.syncing();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::io_error);
}

TEST(BeaconClient, ValidatorsFallBackFromPostToEitherArrayForm) {
    std::vector<std::string> queries;
    std::mutex mutex;
    test::HttpTestServer server([&](httplib::Server& http) {
        http.Post("/eth/v1/beacon/states/head/validator_balances",
                  [](const httplib::Request&, httplib::Response& response) { response.status = 405; });
        http.Get("/eth/v1/beacon/states/head/validator_balances",
                 [&](const httplib::Request& request, httplib::Response& response) {
                     const std::lock_guard lock(mutex);
                     // This node only takes the repeated form (id=1&id=2), like some older clients.
                     const auto ids = request.get_param_value_count("id");
                     queries.push_back(std::to_string(ids));
                     if (ids != 2) {
                         response.status = 400;
                         return;
                     }
                     response.set_content(R"({"data":[{"index":"1","balance":"5"},{"index":"2","balance":"6"}]})",
                                          "application/json");
                 });
    });
    BeaconClient client(server.base_url(), quick_settings());
    const auto balances = client.balances("head", {"1", "2"});
    ASSERT_TRUE(balances) << balances.error().message;
    EXPECT_EQ(balances->size(), 2U);
    EXPECT_THAT(queries, testing::ElementsAre("1", "2"));
}

TEST(BeaconClient, LivenessFallsBackToTheDraftGetForm) {
    std::string query;
    std::mutex mutex;
    test::HttpTestServer server([&](httplib::Server& http) {
        // Like Lodestar before 1.8: no POST /eth/v1/validator/liveness/{epoch}, only the draft GET.
        http.Get("/eth/v1/validator/liveness", [&](const httplib::Request& request, httplib::Response& response) {
            const std::lock_guard lock(mutex);
            query = request.get_param_value("epoch") + ":" + std::to_string(request.get_param_value_count("indices"));
            response.set_content(
                R"({"data":[{"index":3,"epoch":5,"is_live":true},{"index":4,"epoch":5,"is_live":false}]})",
                "application/json");
        });
    });
    BeaconClient client(server.base_url(), quick_settings());
    const auto live = client.liveness(5, {3, 4});
    ASSERT_TRUE(live) << live.error().message;
    ASSERT_EQ(live->size(), 2U);
    EXPECT_TRUE((*live)[0].is_live);
    EXPECT_FALSE((*live)[1].is_live);
    EXPECT_EQ(query, "5:2");
}

TEST(BeaconClient, DownloadsSszToDiskWithTheForkHeader) {
    const std::string ssz(100000, '\x07');
    test::HttpTestServer server([&](httplib::Server& http) {
        http.Get("/eth/v2/debug/beacon/states/finalized",
                 [&](const httplib::Request& request, httplib::Response& response) {
                     if (request.get_header_value("Accept") != "application/octet-stream") {
                         response.status = 415;
                         return;
                     }
                     response.set_header("Eth-Consensus-Version", "Altair");
                     response.set_content(ssz, "application/octet-stream");
                 });
    });
    test::TempDir dir;
    BeaconClient client(server.base_url(), quick_settings());
    const auto downloaded = client.download_state("finalized", dir.path() / "state.ssz");
    ASSERT_TRUE(downloaded) << downloaded.error().message;
    EXPECT_EQ(downloaded->bytes, ssz.size());
    EXPECT_EQ(downloaded->consensus_version, "altair");
    EXPECT_EQ(test::contents_of(dir.path() / "state.ssz"), ssz);
}

TEST(BeaconHttp, RaceKeepsTheFirstAcceptedAndCancelsTheSlowOne) {
    test::HttpTestServer bad([](httplib::Server& http) {
        http.Get("/x", [](const httplib::Request&, httplib::Response& response) {
            response.set_content("bad", "text/plain");
        });
    });
    test::HttpTestServer good([](httplib::Server& http) {
        http.Get("/x", [](const httplib::Request&, httplib::Response& response) {
            std::this_thread::sleep_for(100ms);
            response.set_content("good", "text/plain");
        });
    });
    test::HttpTestServer slow([](httplib::Server& http) {
        http.Get("/x", [](const httplib::Request&, httplib::Response& response) {
            response.set_chunked_content_provider("text/plain", [](std::size_t, httplib::DataSink& sink) {
                std::this_thread::sleep_for(200ms);  // a trickle that never ends on its own
                return sink.write("s", 1);
            });
        });
    });
    test::TempDir dir;
    const std::vector<HttpRequest> requests{
        ssz_download_request(bad.base_url() + "/x", dir.path() / "0"),
        ssz_download_request(good.base_url() + "/x", dir.path() / "1"),
        ssz_download_request(slow.base_url() + "/x", dir.path() / "2"),
    };
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = race(requests, quick_settings(), [&](std::size_t index, const HttpResponse&) -> Status {
        if (test::contents_of(requests[index].to_file) != "good")
            return make_error(Errc::verification_failed, "wrong bytes");
        return {};
    });
    ASSERT_TRUE(outcome.winner.has_value());
    EXPECT_EQ(*outcome.winner, 1U);
    EXPECT_EQ(outcome.rejections[0], "wrong bytes");
    EXPECT_TRUE(outcome.responses[2].cancelled);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST(ExecutionClient, ReadsQuantitiesAndSyncing) {
    test::HttpTestServer server([](httplib::Server& http) {
        http.Post("/", [](const httplib::Request& request, httplib::Response& response) {
            if (request.body.find("eth_chainId") != std::string::npos) {
                response.set_content(R"({"jsonrpc":"2.0","id":1,"result":"0x259cba9"})", "application/json");
            } else if (request.body.find("eth_syncing") != std::string::npos) {
                response.set_content(R"({"jsonrpc":"2.0","id":2,"result":false})", "application/json");
            } else {
                response.set_content(R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"method not found"}})",
                                     "application/json");
            }
        });
    });
    ExecutionClient client(server.base_url() + "/", quick_settings());
    const auto chain = client.chain_id();
    ASSERT_TRUE(chain) << chain.error().message;
    EXPECT_EQ(*chain, 39439273U);
    const auto syncing = client.syncing();
    ASSERT_TRUE(syncing);
    EXPECT_FALSE(syncing->syncing);
    const auto peers = client.peer_count();
    ASSERT_FALSE(peers);
    EXPECT_THAT(peers.error().message, HasSubstr("method not found"));
    EXPECT_FALSE(parse_quantity("0x"));
    EXPECT_FALSE(parse_quantity("12"));
    EXPECT_EQ(parse_quantity("0xff").value(), 255U);
}

}  // namespace
}  // namespace ephemery::beacon
