#include "notify/dispatcher.hpp"

#include "core/text.hpp"
#include "core/time_format.hpp"
#include "infra/clock.hpp"
#include "infra/files.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <random>
#include <thread>

namespace ephemery::notify {
namespace {

using nlohmann::json;

constexpr std::size_t max_secret_bytes = std::size_t{64} * 1024;
constexpr std::size_t max_response_bytes = std::size_t{64} * 1024;
constexpr std::string_view pagerduty_default_url = "https://events.pagerduty.com/v2/enqueue";

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

json labels_json(const alerts::Labels& labels) {
    json object = json::object();
    for (const auto& [name, value] : labels) object[name] = value;
    return object;
}

json value_json(double value) {
    return std::isfinite(value) ? json(value) : json(nullptr);
}

std::string upper_state(const alerts::Notification& notification) {
    return notification.state == alerts::NotificationState::firing ? "FIRING" : "RESOLVED";
}

// Header values come from labels and summaries: a CR or LF in them must not start a new header.
std::string header_value(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (const char c : text) clean += (c == '\r' || c == '\n') ? ' ' : c;
    return clean;
}

// The outcome of one attempt.
struct Attempt {
    bool delivered{false};
    bool retry{false};
    std::int64_t retry_after_seconds{-1};  // from a Retry-After header; -1: none
    std::string error;
};

Attempt failed_for_good(std::string error) {
    Attempt attempt;
    attempt.error = std::move(error);
    return attempt;
}

struct CurlDeleter {
    void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct Exchange {
    std::string response;
    std::int64_t retry_after_seconds{-1};
    std::string_view upload;  // SMTP: the message libcurl reads
    std::size_t uploaded{0};
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& exchange = *static_cast<Exchange*>(user);
    const std::size_t length = size * count;
    if (exchange.response.size() < max_response_bytes) {
        exchange.response.append(data, std::min(length, max_response_bytes - exchange.response.size()));
    }
    return length;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& exchange = *static_cast<Exchange*>(user);
    const std::string_view line(data, size * count);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && to_lower(trim(line.substr(0, colon))) == "retry-after") {
        const std::string_view value = trim(line.substr(colon + 1));
        std::int64_t seconds = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (error == std::errc{} && end == value.data() + value.size() && seconds >= 0) {
            exchange.retry_after_seconds = seconds;
        }
    }
    return size * count;
}

std::size_t on_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto& exchange = *static_cast<Exchange*>(user);
    const std::size_t length = std::min(size * count, exchange.upload.size() - exchange.uploaded);
    std::memcpy(buffer, exchange.upload.data() + exchange.uploaded, length);
    exchange.uploaded += length;
    return length;
}

std::string curl_error(CURLcode code, const std::array<char, CURL_ERROR_SIZE>& buffer) {
    return buffer[0] != '\0' ? std::string(buffer.data()) : std::string(curl_easy_strerror(code));
}

// POSTs JSON. `where` names the destination for errors without the URL, which may carry a credential.
Attempt post_json(const std::string& url, const std::string& body, std::string_view where,
                  const DeliverySettings& settings) {
    init_curl_once();
    CurlHandle easy(curl_easy_init());
    if (!easy) return failed_for_good("libcurl could not create a transfer");
    Slist headers(curl_slist_append(nullptr, "Content-Type: application/json"));
    headers.reset(curl_slist_append(headers.release(), "Accept: application/json"));
    Exchange exchange;
    std::array<char, CURL_ERROR_SIZE> error_text{};
    CURL* handle = easy.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, static_cast<long>(settings.timeout_seconds));
    curl_easy_setopt(handle, CURLOPT_USERAGENT, "ephemery/0.1");
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text.data());
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &exchange);
    const CURLcode code = curl_easy_perform(handle);
    Attempt attempt;
    if (code != CURLE_OK) {
        attempt.retry = true;
        attempt.error = fmt::format("{}: {}", where, curl_error(code, error_text));
        return attempt;
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
        attempt.delivered = true;
        return attempt;
    }
    attempt.retry = status == 429 || status >= 500;
    attempt.retry_after_seconds = exchange.retry_after_seconds;
    const std::string excerpt(trim(std::string_view(exchange.response).substr(0, 200)));
    attempt.error = fmt::format("{}: HTTP {}{}{}", where, status, excerpt.empty() ? "" : ": ", excerpt);
    return attempt;
}

std::string host_of(std::string_view url) {
    CURLU* parsed = curl_url();
    if (parsed == nullptr) return {};
    std::string host;
    if (curl_url_set(parsed, CURLUPART_URL, std::string(url).c_str(), 0) == CURLUE_OK) {
        char* part = nullptr;
        if (curl_url_get(parsed, CURLUPART_HOST, &part, 0) == CURLUE_OK && part != nullptr) host = part;
        curl_free(part);
    }
    curl_url_cleanup(parsed);
    return host;
}

Attempt send_email(const alerts::Channel& channel, const std::string& message, const std::string& password,
                   const DeliverySettings& settings) {
    init_curl_once();
    CurlHandle easy(curl_easy_init());
    if (!easy) return failed_for_good("libcurl could not create a transfer");
    CURL* handle = easy.get();
    Slist recipients;
    for (const auto& address : channel.to) {
        recipients.reset(curl_slist_append(recipients.release(), fmt::format("<{}>", address).c_str()));
    }
    const std::string mail_from = fmt::format("<{}>", channel.from);
    Exchange exchange;
    exchange.upload = message;
    std::array<char, CURL_ERROR_SIZE> error_text{};
    curl_easy_setopt(handle, CURLOPT_URL, channel.smtp_url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    switch (smtp_tls_policy(channel.smtp_url, !password.empty())) {
        case SmtpTls::implicit_tls:
        case SmtpTls::require_starttls:
            curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
            break;
        case SmtpTls::starttls_if_offered:
            curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
            break;
    }
    if (!channel.smtp_username.empty()) {
        curl_easy_setopt(handle, CURLOPT_USERNAME, channel.smtp_username.c_str());
        curl_easy_setopt(handle, CURLOPT_PASSWORD, password.c_str());
    }
    curl_easy_setopt(handle, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(handle, CURLOPT_READDATA, &exchange);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, static_cast<long>(settings.timeout_seconds));
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text.data());
    const CURLcode code = curl_easy_perform(handle);
    if (code == CURLE_OK) {
        Attempt attempt;
        attempt.delivered = true;
        return attempt;
    }
    long reply = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply);
    Attempt attempt;
    // SMTP 4xx is "try again later", 5xx is a refusal; no reply at all is a transport error.
    attempt.retry = reply == 0 || (reply >= 400 && reply < 500);
    attempt.error = reply == 0
                        ? fmt::format("SMTP server {}: {}", host_of(channel.smtp_url), curl_error(code, error_text))
                        : fmt::format("SMTP server {}: it answered {} ({})", host_of(channel.smtp_url), reply,
                                      curl_error(code, error_text));
    return attempt;
}

// A secret: the inline value, else the file's contents read now, without trailing line ends.
Result<std::string> read_secret(const SecretString& inline_value, const std::string& file, std::string_view key,
                                const alerts::Channel& channel) {
    if (file.empty()) return inline_value.reveal();
    auto contents = infra::read_file(file, max_secret_bytes);
    if (!contents) {
        return make_error(contents.error().code,
                          fmt::format("channel \"{}\": {}: {}", channel.name, key, contents.error().message));
    }
    std::string secret = std::move(contents.value());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (trim(secret).empty()) {
        return make_error(Errc::invalid_argument,
                          fmt::format("channel \"{}\": {} {} is empty", channel.name, key, file));
    }
    return secret;
}

std::string random_token() {
    std::random_device device;
    return fmt::format("{:08x}{:08x}", device(), device());
}

std::string domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos || at + 1 >= address.size()) return "ephemery.invalid";
    return std::string(address.substr(at + 1));
}

void log_to_console(const alerts::Notification& notification) {
    const std::string labels = alerts::format_labels(notification.labels);
    const auto level =
        notification.state == alerts::NotificationState::firing && notification.severity != alerts::Severity::info
            ? spdlog::level::warn
            : spdlog::level::info;
    spdlog::log(level, "alert {} [{}] {}: {} ({}; iteration {}, epoch {}, key {})", upper_state(notification),
                alerts::severity_name(notification.severity), notification.rule, notification.summary,
                labels.empty() ? "no labels" : labels, notification.iteration, notification.epoch,
                notification.dedup_key);
}

// One attempt on one channel.
Attempt attempt_delivery(const alerts::Channel& channel, const alerts::Notification& notification,
                         const DeliverySettings& settings) {
    switch (channel.type) {
        case alerts::ChannelType::console: {
            log_to_console(notification);
            Attempt attempt;
            attempt.delivered = true;
            return attempt;
        }
        case alerts::ChannelType::webhook:
        case alerts::ChannelType::slack:
        case alerts::ChannelType::discord: {
            auto url = read_secret(channel.url, channel.url_file, "url_file", channel);
            if (!url) return failed_for_good(url.error().message);
            const std::string body = channel.type == alerts::ChannelType::webhook ? webhook_payload(notification)
                                     : channel.type == alerts::ChannelType::slack ? slack_payload(notification)
                                                                                  : discord_payload(notification);
            return post_json(url.value(), body, fmt::format("channel \"{}\"", channel.name), settings);
        }
        case alerts::ChannelType::pagerduty: {
            auto key = read_secret(channel.routing_key, channel.routing_key_file, "routing_key_file", channel);
            if (!key) return failed_for_good(key.error().message);
            const std::string url =
                channel.events_url.empty() ? std::string(pagerduty_default_url) : channel.events_url;
            return post_json(url, pagerduty_payload(notification, key.value()),
                             fmt::format("channel \"{}\" ({})", channel.name, url), settings);
        }
        case alerts::ChannelType::email: {
            std::string password;
            if (!channel.smtp_password_file.empty()) {
                if (channel.smtp_username.empty()) {
                    return failed_for_good(fmt::format(
                        "channel \"{}\": smtp_password_file is set but smtp_username is empty", channel.name));
                }
                auto secret = read_secret(SecretString(), channel.smtp_password_file, "smtp_password_file", channel);
                if (!secret) return failed_for_good(secret.error().message);
                password = std::move(secret.value());
            }
            const std::string message_id = fmt::format("<{}.{}.{}@{}>", notification.dedup_key, notification.time,
                                                       random_token(), domain_of(channel.from));
            const std::string message =
                email_message(notification, channel.from, channel.to, infra::unix_now(), message_id);
            Attempt attempt = send_email(channel, message, password, settings);
            // Wipe the password copy: SecretString would, a plain string does not.
            std::fill(password.begin(), password.end(), '\0');
            if (!attempt.delivered) attempt.error = fmt::format("channel \"{}\": {}", channel.name, attempt.error);
            return attempt;
        }
    }
    return failed_for_good("unknown channel type");
}

}  // namespace

bool DeliveryReport::all_delivered() const {
    return std::all_of(channels.begin(), channels.end(), [](const ChannelReport& report) { return report.delivered; });
}

std::string notification_text(const alerts::Notification& notification) {
    return fmt::format("[{} {}] {}: {} (iteration {}, epoch {})", upper_state(notification),
                       alerts::severity_name(notification.severity), notification.rule, notification.summary,
                       notification.iteration, notification.epoch);
}

std::string webhook_payload(const alerts::Notification& notification) {
    const json document{
        {"version", payload_version},
        {"rule", notification.rule},
        {"state", alerts::notification_state_name(notification.state)},
        {"reason", alerts::notification_reason_name(notification.reason)},
        {"severity", alerts::severity_name(notification.severity)},
        {"labels", labels_json(notification.labels)},
        {"value", value_json(notification.value)},
        {"summary", notification.summary},
        {"started_iteration", notification.started_iteration},
        {"started_epoch", notification.started_epoch},
        {"iteration", notification.iteration},
        {"epoch", notification.epoch},
        {"time", notification.time},
        {"time_iso8601", format_iso8601(notification.time)},
        {"dedup_key", notification.dedup_key},
    };
    return document.dump();
}

std::string slack_payload(const alerts::Notification& notification) {
    return json{{"text", notification_text(notification)}}.dump();
}

std::string discord_payload(const alerts::Notification& notification) {
    // Discord refuses content over 2000 characters.
    std::string text = notification_text(notification);
    if (text.size() > 2000) text.resize(2000);
    return json{{"content", text}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string pagerduty_payload(const alerts::Notification& notification, std::string_view routing_key) {
    const bool firing = notification.state == alerts::NotificationState::firing;
    std::string summary = fmt::format("{}: {}", notification.rule, notification.summary);
    if (summary.size() > 1024) summary.resize(1024);  // the Events API's limit
    json custom{
        {"rule", notification.rule},
        {"labels", labels_json(notification.labels)},
        {"value", value_json(notification.value)},
        {"iteration", notification.iteration},
        {"epoch", notification.epoch},
        {"started_epoch", notification.started_epoch},
        {"reason", alerts::notification_reason_name(notification.reason)},
    };
    const json document{
        {"routing_key", routing_key},
        {"event_action", firing ? "trigger" : "resolve"},
        {"dedup_key", notification.dedup_key},
        {"payload",
         {
             {"summary", summary},
             {"source", "ephemery"},
             {"severity", alerts::severity_name(notification.severity)},  // info, warning, critical: all valid
             {"timestamp", format_iso8601(notification.time)},
             {"component", notification.rule},
             {"custom_details", custom},
         }},
    };
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string rfc5322_date(std::int64_t unix_seconds) {
    static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto seconds = static_cast<std::time_t>(unix_seconds);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000", days.at(static_cast<std::size_t>(utc.tm_wday)),
                       utc.tm_mday, months.at(static_cast<std::size_t>(utc.tm_mon)), utc.tm_year + 1900, utc.tm_hour,
                       utc.tm_min, utc.tm_sec);
}

std::string email_message(const alerts::Notification& notification, std::string_view from,
                          const std::vector<std::string>& to, std::int64_t date, std::string_view message_id) {
    const std::string subject = fmt::format("[ephemery] {} {}: {}", upper_state(notification),
                                            alerts::severity_name(notification.severity), notification.rule);
    std::string message;
    message += "Date: " + rfc5322_date(date) + "\r\n";
    message += "From: " + header_value(from) + "\r\n";
    message += "To: " + header_value(join(to, ", ")) + "\r\n";
    message += "Subject: " + header_value(subject) + "\r\n";
    message += "Message-ID: " + header_value(message_id) + "\r\n";
    message += "MIME-Version: 1.0\r\n";
    message += "Content-Type: text/plain; charset=utf-8\r\n";
    message += "Content-Transfer-Encoding: 8bit\r\n";
    message += "\r\n";
    const std::string labels = alerts::format_labels(notification.labels);
    const std::vector<std::string> body{
        header_value(notification.summary),
        "",
        fmt::format("rule:      {}", notification.rule),
        fmt::format("state:     {} ({})", alerts::notification_state_name(notification.state),
                    alerts::notification_reason_name(notification.reason)),
        fmt::format("severity:  {}", alerts::severity_name(notification.severity)),
        fmt::format("labels:    {}", header_value(labels)),
        fmt::format("value:     {}", alerts::format_value(notification.value)),
        fmt::format("since:     iteration {}, epoch {}", notification.started_iteration, notification.started_epoch),
        fmt::format("now:       iteration {}, epoch {}, {}", notification.iteration, notification.epoch,
                    format_utc(notification.time)),
        fmt::format("dedup key: {}", notification.dedup_key),
    };
    for (const auto& line : body) {
        message += header_value(line);  // one line each: a CR or LF from a label must not reshape the message
        message += "\r\n";
    }
    return message;
}

bool is_loopback_host(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const bool dotted_digits =
        std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    return to_lower(host) == "localhost" || host == "::1" || (host.starts_with("127.") && dotted_digits);
}

SmtpTls smtp_tls_policy(std::string_view smtp_url, bool has_password) {
    if (to_lower(smtp_url.substr(0, 8)) == "smtps://") return SmtpTls::implicit_tls;
    if (has_password && !is_loopback_host(host_of(smtp_url))) return SmtpTls::require_starttls;
    return SmtpTls::starttls_if_offered;
}

Dispatcher::Dispatcher(std::vector<alerts::Channel> channels, DeliverySettings settings)
    : channels_(std::move(channels)), settings_(settings) {
    settings_.attempts = std::max(1, settings_.attempts);
    settings_.first_backoff_ms = std::max<std::int64_t>(0, settings_.first_backoff_ms);
    for (const auto& channel : channels_) {
        ChannelCounters counters;
        counters.channel = channel.name;
        counters_.push_back(counters);
    }
}

std::vector<ChannelCounters> Dispatcher::counters() const {
    const std::lock_guard lock(mutex_);
    return counters_;
}

DeliveryReport Dispatcher::deliver(const alerts::Notification& notification) {
    DeliveryReport report;
    std::mt19937_64 jitter_source(std::random_device{}());
    for (const auto& wanted : notification.channels) {
        const bool known = std::any_of(channels_.begin(), channels_.end(),
                                       [&](const alerts::Channel& channel) { return channel.name == wanted; });
        if (!known) {
            ChannelReport missing;
            missing.channel = wanted;
            missing.last_error =
                fmt::format(R"(rule "{}" names channel "{}", which is not configured)", notification.rule, wanted);
            spdlog::warn("alert delivery: {}", missing.last_error);
            report.channels.push_back(std::move(missing));
        }
    }
    for (std::size_t index = 0; index < channels_.size(); ++index) {
        const alerts::Channel& channel = channels_[index];
        if (!notification.channels.empty() && std::find(notification.channels.begin(), notification.channels.end(),
                                                        channel.name) == notification.channels.end()) {
            continue;
        }
        ChannelReport channel_report;
        channel_report.channel = channel.name;
        std::int64_t backoff_ms = settings_.first_backoff_ms;
        for (int attempt_number = 1; attempt_number <= settings_.attempts; ++attempt_number) {
            channel_report.attempts = attempt_number;
            const Attempt attempt = attempt_delivery(channel, notification, settings_);
            if (attempt.delivered) {
                channel_report.delivered = true;
                channel_report.last_error.clear();
                break;
            }
            channel_report.last_error = attempt.error;
            if (!attempt.retry || attempt_number == settings_.attempts) break;
            std::int64_t wait_ms = backoff_ms;
            if (backoff_ms > 0) {
                std::uniform_int_distribution<std::int64_t> jitter(0, backoff_ms / 2);
                wait_ms += jitter(jitter_source);
            }
            if (attempt.retry_after_seconds >= 0) {
                wait_ms = std::max(wait_ms, std::min(attempt.retry_after_seconds, settings_.max_retry_after_seconds) *
                                                std::int64_t{1000});
            }
            spdlog::info("alert delivery: {} (attempt {} of {}); retrying in {} ms", attempt.error, attempt_number,
                         settings_.attempts, wait_ms);
            {
                const std::lock_guard lock(mutex_);
                ++counters_[index].retries_total;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
            backoff_ms *= 2;
        }
        {
            const std::lock_guard lock(mutex_);
            if (channel_report.delivered) {
                ++counters_[index].delivered_total;
            } else {
                ++counters_[index].failed_total;
            }
        }
        if (!channel_report.delivered) {
            spdlog::warn("alert delivery failed for rule {} after {} attempt(s): {}", notification.rule,
                         channel_report.attempts, channel_report.last_error);
        }
        report.channels.push_back(std::move(channel_report));
    }
    return report;
}

}  // namespace ephemery::notify
