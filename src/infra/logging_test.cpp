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

TEST(Logging, EveryFormatEscapesCharactersThatRewriteTheTerminal) {
    for (const LogFormat format : {LogFormat::text, LogFormat::json}) {
        configure_logging({.level = LogLevel::info, .format = format});
        testing::internal::CaptureStderr();
        const std::string right_to_left_override{'\xe2', '\x80', '\xae'};  // spelled out: see Text tests
        spdlog::info("key {} read", "evil" + right_to_left_override + "txt.exe\x1b[2J");
        spdlog::default_logger()->flush();
        const std::string output = testing::internal::GetCapturedStderr();
        EXPECT_EQ(output.find('\x1b'), std::string::npos) << output;
        EXPECT_EQ(output.find(right_to_left_override), std::string::npos) << output;
        EXPECT_NE(output.find("202E"), std::string::npos) << output;
    }
}

}  // namespace
}  // namespace ephemery::infra
