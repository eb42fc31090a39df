#include "infra/logging.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>

namespace ephemery::infra {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
    switch (level) {
        case LogLevel::trace: return spdlog::level::trace;
        case LogLevel::debug: return spdlog::level::debug;
        case LogLevel::info: return spdlog::level::info;
        case LogLevel::warn: return spdlog::level::warn;
        case LogLevel::error: return spdlog::level::err;
        case LogLevel::off: return spdlog::level::off;
    }
    return spdlog::level::info;
}

// The message with control and bidirectional characters escaped: log lines quote paths, config values and server
// answers, and a terminal or log viewer would obey what they carry.
class PrintableMessage final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/, spdlog::memory_buf_t& dest) override {
        const std::string text = printable(std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(text.data(), text.data() + text.size());
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<PrintableMessage>();
    }
};

// One JSON object per line, for log shippers: {"time":"...Z","level":"info","message":"..."}.
class JsonLineFormatter final : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        using namespace std::chrono;
        const auto since_epoch = msg.time.time_since_epoch();
        const auto seconds_part = floor<seconds>(since_epoch);
        const auto millis = duration_cast<milliseconds>(since_epoch - seconds_part).count();
        const sys_seconds whole{seconds_part};
        const auto day_start = floor<days>(whole);
        const year_month_day date{day_start};
        const hh_mm_ss clock{whole - day_start};
        nlohmann::ordered_json line;
        line["time"] = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                                   static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                                   clock.hours().count(), clock.minutes().count(), clock.seconds().count(), millis);
        const auto level_name = spdlog::level::to_string_view(msg.level);
        line["level"] = std::string(level_name.data(), level_name.size());
        line["message"] = printable(std::string_view(msg.payload.data(), msg.payload.size()));
        const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        dest.append(text.data(), text.data() + text.size());
    }
    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonLineFormatter>();
    }
};

}  // namespace

void configure_logging(const LogSettings& settings) {
    auto logger = spdlog::get("ephemery");
    if (!logger) {
        logger = spdlog::stderr_color_mt("ephemery");
        spdlog::set_default_logger(logger);
    }
    if (settings.format == LogFormat::json) {
        logger->set_formatter(std::make_unique<JsonLineFormatter>());
    } else {
        auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        formatter->add_flag<PrintableMessage>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %*");
        logger->set_formatter(std::move(formatter));
    }
    logger->set_level(to_spdlog(settings.level));
    logger->flush_on(spdlog::level::warn);
}

}  // namespace ephemery::infra
