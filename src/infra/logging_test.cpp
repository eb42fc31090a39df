#include "infra/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace ephemery::infra {
namespace {

TEST(Logging, JsonFormatWritesOneObjectPerLineToStderr) {
    configure_logging({.level = LogLevel::info, .format = LogFormat::json});
    testing::internal::CaptureStderr();
    spdlog::info("release {} \"verified\"", "ephemery-160");
    spdlog::debug("hidden at info level");
    spdlog::default_logger()->flush();
    const std::string output = testing::internal::GetCapturedStderr();

    std::istringstream lines(output);
    std::string line;
    ASSERT_TRUE(std::getline(lines, line));
    const auto parsed = nlohmann::json::parse(line);
    EXPECT_EQ(parsed.at("level"), "info");
    EXPECT_EQ(parsed.at("message"), "release ephemery-160 \"verified\"");
    EXPECT_TRUE(parsed.at("time").get<std::string>().ends_with("Z"));
    EXPECT_FALSE(std::getline(lines, line));  // the debug line was filtered
}

TEST(Logging, TextFormatHonoursLevel) {
    configure_logging({.level = LogLevel::warn, .format = LogFormat::text});
    testing::internal::CaptureStderr();
    spdlog::info("quiet");
    spdlog::warn("loud");
    spdlog::default_logger()->flush();
    const std::string output = testing::internal::GetCapturedStderr();
    EXPECT_EQ(output.find("quiet"), std::string::npos);
    EXPECT_NE(output.find("loud"), std::string::npos);
    EXPECT_NE(output.find("warn"), std::string::npos);
}

}  // namespace
}  // namespace ephemery::infra
