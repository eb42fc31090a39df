#include "infra/download.hpp"

#include "test_support/http_server.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

namespace ephemery::infra {
namespace {

using testing::HasSubstr;
using namespace std::chrono_literals;

DownloadSettings fast_settings() {
    DownloadSettings settings;
    settings.connect_timeout = 2s;
    settings.total_timeout = 2s;
    settings.attempts = 3;
    settings.backoff_initial = 10ms;
    settings.backoff_max = 50ms;
    return settings;
}

std::string body() {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
    return text;
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(stream), {}};
}

TEST(Download, FetchesRecordsSizeAndSha256) {
    const test::HttpTestServer server([](httplib::Server& s) {
        s.Get("/asset", [](const httplib::Request&, httplib::Response& r) { r.set_content("hello", "text/plain"); });
    });
    const test::TempDir dir;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", fast_settings());
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->bytes, 5U);
    EXPECT_EQ(result->sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    EXPECT_EQ(result->attempts, 1);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "asset.part"));
}

TEST(Download, RetriesAfterServerError) {
    std::atomic<int> calls{0};
    const test::HttpTestServer server([&](httplib::Server& s) {
        s.Get("/asset", [&](const httplib::Request&, httplib::Response& r) {
            if (++calls == 1) {
                r.status = 500;
                return;
            }
            r.set_content(body(), "text/plain");
        });
    });
    const test::TempDir dir;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", fast_settings());
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->attempts, 2);
    EXPECT_EQ(slurp(dir.path() / "asset"), body());
}

TEST(Download, AFailedDownloadLeavesNoEmptyPartFile) {
    const test::HttpTestServer server([&](httplib::Server& s) {
        s.Get("/broken", [&](const httplib::Request&, httplib::Response& r) { r.status = 503; });
        s.Get("/gone", [&](const httplib::Request&, httplib::Response& r) { r.status = 404; });
    });
    const test::TempDir dir;
    auto settings = fast_settings();
    settings.attempts = 2;
    EXPECT_FALSE(download_file(server.base_url() + "/broken", dir.path() / "broken", settings).ok());
    EXPECT_FALSE(download_file(server.base_url() + "/gone", dir.path() / "gone", settings).ok());
    EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "an empty .part file was left";
}

TEST(Download, NotFoundFailsAtOnce) {
    std::atomic<int> calls{0};
    const test::HttpTestServer server([&](httplib::Server& s) {
        s.Get("/asset", [&](const httplib::Request&, httplib::Response& r) {
            ++calls;
            r.status = 404;
        });
    });
    const test::TempDir dir;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", fast_settings());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Errc::not_found);
    EXPECT_THAT(result.error().message, HasSubstr("answered HTTP 404: not found"));
    EXPECT_EQ(calls.load(), 1);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "asset"));
}

TEST(Download, TimeoutIsRetriedThenReported) {
    std::atomic<int> calls{0};
    const test::HttpTestServer server([&](httplib::Server& s) {
        s.Get("/asset", [&](const httplib::Request&, httplib::Response& r) {
            ++calls;
            std::this_thread::sleep_for(1500ms);
            r.set_content("late", "text/plain");
        });
    });
    const test::TempDir dir;
    auto settings = fast_settings();
    settings.total_timeout = 300ms;
    settings.attempts = 2;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", settings);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("gave up after 2 attempts"));
    EXPECT_EQ(calls.load(), 2);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "asset"));
}

TEST(Download, AStalledTransferIsCutAndRetried) {
    // Headers and a first chunk, then nothing: the low-speed limit ends the attempt long before total_timeout.
    std::atomic<int> calls{0};
    std::atomic<bool> stopping{false};
    const std::string first_chunk(100, 'x');
    const test::HttpTestServer server([&](httplib::Server& s) {
        s.Get("/asset", [&](const httplib::Request&, httplib::Response& r) {
            ++calls;
            r.set_content_provider(std::size_t{1} << 20U, "application/octet-stream",
                                   [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                       if (offset == 0) return sink.write(first_chunk.data(), first_chunk.size());
                                       for (int i = 0; i < 100 && !stopping; ++i) std::this_thread::sleep_for(50ms);
                                       return false;
                                   });
        });
    });
    const test::TempDir dir;
    auto settings = fast_settings();
    settings.total_timeout = 60s;
    settings.low_speed_bytes_per_second = 1000;
    settings.low_speed_window = 1s;
    settings.attempts = 2;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", settings);
    stopping = true;
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("too slow"));
    EXPECT_THAT(result.error().message, HasSubstr("gave up after 2 attempts"));
    EXPECT_EQ(calls.load(), 2);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "asset"));
}

TEST(Download, NoAttemptOrPauseOutlivesTheDeadline) {
    std::atomic<int> calls{0};
    const test::HttpTestServer server([&](httplib::Server& s) {
        s.Get("/asset", [&](const httplib::Request&, httplib::Response& r) {
            ++calls;
            std::this_thread::sleep_for(1500ms);
            r.set_content("late", "text/plain");
        });
    });
    const test::TempDir dir;
    auto settings = fast_settings();
    settings.total_timeout = 30s;  // the deadline, not this, ends the first attempt
    settings.deadline = 500ms;
    settings.attempts = 10;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", settings);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("the download's deadline of 0.5 s passed"));
    EXPECT_EQ(calls.load(), 1);
}

TEST(Download, TruncatedBodyResumesWithRange) {
    const std::string full = body();
    std::atomic<int> calls{0};
    std::atomic<bool> saw_range{false};
    const test::HttpTestServer server([&](httplib::Server& s) {
        s.Get("/asset", [&](const httplib::Request& request, httplib::Response& r) {
            if (++calls == 1) {
                // Promise the whole body, send half, hang up.
                r.set_content_provider(full.size(), "application/octet-stream",
                                       [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                           if (offset >= full.size() / 2) return false;
                                           sink.write(full.data(), full.size() / 2);
                                           return true;
                                       });
                return;
            }
            if (request.has_header("Range")) saw_range = true;
            r.set_content(full, "application/octet-stream");  // httplib answers Range requests with 206
        });
    });
    const test::TempDir dir;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", fast_settings());
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->attempts, 2);
    EXPECT_TRUE(saw_range.load());
    EXPECT_TRUE(result->resumed);
    EXPECT_EQ(slurp(dir.path() / "asset"), full);
}

TEST(Download, ServerIgnoringRangeStartsOver) {
    const test::TempDir dir;
    { std::ofstream(dir.path() / "asset.part") << "garbage-prefix"; }
    const test::HttpTestServer server([](httplib::Server& s) {
        s.Get("/asset", [](const httplib::Request&, httplib::Response& r) {
            // Chunked: httplib cannot serve a range of it, so a Range request gets the whole body with 200.
            r.set_chunked_content_provider("text/plain", [](std::size_t offset, httplib::DataSink& sink) {
                if (offset == 0) sink.write("complete body", 13);
                sink.done();
                return true;
            });
        });
    });
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", fast_settings());
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_FALSE(result->resumed);
    EXPECT_EQ(slurp(dir.path() / "asset"), "complete body");
}

TEST(Download, StalePartialFileLongerThanTheResourceIsDiscarded) {
    const test::TempDir dir;
    { std::ofstream(dir.path() / "asset.part") << "a stale partial file longer than the asset"; }
    const test::HttpTestServer server([](httplib::Server& s) {
        s.Get("/asset", [](const httplib::Request&, httplib::Response& r) { r.set_content("fresh", "text/plain"); });
    });
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", fast_settings());
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(slurp(dir.path() / "asset"), "fresh");
}

TEST(Download, FileUrlsWork) {
    const test::TempDir dir;
    const auto source = dir.write("mirror/asset", "offline");
    const auto result = download_file("file://" + source.string(), dir.path() / "asset", fast_settings());
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(slurp(dir.path() / "asset"), "offline");
    const auto missing = download_file("file://" + (dir.path() / "nope").string(), dir.path() / "x", fast_settings());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

// The result names where the bytes came from after redirects (a release manifest records it).
TEST(Download, RecordsTheUrlAfterRedirects) {
    const test::HttpTestServer server([](httplib::Server& s) {
        s.Get("/asset", [](const httplib::Request&, httplib::Response& r) { r.set_redirect("/moved/asset", 302); });
        s.Get("/moved/asset",
              [](const httplib::Request&, httplib::Response& r) { r.set_content("here", "text/plain"); });
    });
    const test::TempDir dir;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", fast_settings());
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->url, server.base_url() + "/moved/asset");
    EXPECT_EQ(slurp(dir.path() / "asset"), "here");
    const auto direct = download_file(server.base_url() + "/moved/asset", dir.path() / "direct", fast_settings());
    ASSERT_TRUE(direct.ok()) << direct.error().message;
    EXPECT_EQ(direct->url, server.base_url() + "/moved/asset");
}

// A server that redirects to file:// is refused at once as a runtime failure (Errc::io_error, exit 3), not as a
// bad URL of the operator's (Errc::invalid_argument, exit 2), and nothing is read from the local disk.
TEST(Download, ARedirectToAFileUrlIsTheServersFaultAndNotRetried) {
    const test::TempDir dir;
    const auto secret = dir.write("local/secret", "local file");
    std::atomic<int> requests{0};
    const test::HttpTestServer server([&](httplib::Server& s) {
        s.Get("/asset", [&](const httplib::Request&, httplib::Response& r) {
            ++requests;
            r.set_redirect("file://" + secret.string(), 302);
        });
    });
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", fast_settings());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Errc::io_error);
    EXPECT_THAT(result.error().message, HasSubstr(server.base_url() + "/asset redirected to file://" + secret.string() +
                                                  ", which is not followed"));
    EXPECT_EQ(requests.load(), 1);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "asset"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "asset.part"));
    // A scheme the operator wrote is still a usage error.
    const auto unsupported = download_file("gopher://127.0.0.1/x", dir.path() / "x", fast_settings());
    ASSERT_FALSE(unsupported.ok());
    EXPECT_EQ(unsupported.error().code, Errc::invalid_argument);
}

TEST(Download, SizeLimit) {
    const test::HttpTestServer server([](httplib::Server& s) {
        s.Get("/asset", [](const httplib::Request&, httplib::Response& r) { r.set_content(body(), "text/plain"); });
    });
    const test::TempDir dir;
    auto settings = fast_settings();
    settings.max_bytes = 1000;
    const auto result = download_file(server.base_url() + "/asset", dir.path() / "asset", settings);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("larger than the limit of 1000 bytes"));
}

}  // namespace
}  // namespace ephemery::infra
