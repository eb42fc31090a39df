#pragma once
// Delivery of alert notifications to the configured channels: console, webhook, Slack, Discord, PagerDuty
// Events API v2 and email over SMTP. Secrets in *_file settings are read at each delivery, so rotating a file
// takes effect without a restart.

#include "alerts/engine.hpp"
#include "alerts/settings.hpp"

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ephemery::notify {

inline constexpr int payload_version = 1;  // "version" of the webhook JSON (docs/alerts.md)

struct DeliverySettings {
    int attempts{4};                           // per channel and notification, the first one included
    std::int64_t first_backoff_ms{500};        // doubled after each failure, plus up to half again of jitter
    std::int64_t timeout_seconds{10};          // per attempt
    std::int64_t max_retry_after_seconds{60};  // a server's Retry-After is honoured up to this
};

struct ChannelReport {
    std::string channel;
    bool delivered{false};
    int attempts{0};
    std::string last_error;  // empty when delivered; never holds a secret
};

struct DeliveryReport {
    std::vector<ChannelReport> channels;
    [[nodiscard]] bool all_delivered() const;
};

// Prometheus counters per channel, for the daemon's /metrics.
struct ChannelCounters {
    std::string channel;
    std::uint64_t delivered_total{0};
    std::uint64_t failed_total{0};   // notifications given up on
    std::uint64_t retries_total{0};  // attempts after the first
};

// Payloads, pure so they can be tested and documented.
[[nodiscard]] std::string webhook_payload(const alerts::Notification& notification);
[[nodiscard]] std::string slack_payload(const alerts::Notification& notification);
[[nodiscard]] std::string discord_payload(const alerts::Notification& notification);
[[nodiscard]] std::string pagerduty_payload(const alerts::Notification& notification, std::string_view routing_key);
// One line for people: "[FIRING critical] rule: summary (iteration 7, epoch 12)".
[[nodiscard]] std::string notification_text(const alerts::Notification& notification);
// An RFC 5322 message with CRLF line ends. `date` is Unix seconds; header values are stripped of CR and LF.
[[nodiscard]] std::string email_message(const alerts::Notification& notification, std::string_view from,
                                        const std::vector<std::string>& to, std::int64_t date,
                                        std::string_view message_id);
// "Tue, 14 Nov 2023 22:13:20 +0000".
[[nodiscard]] std::string rfc5322_date(std::int64_t unix_seconds);

// How an smtp:// connection is secured. smtps:// is TLS from the start.
enum class SmtpTls { implicit_tls, require_starttls, starttls_if_offered };
// A password is never sent in the clear, except to a loopback host.
[[nodiscard]] SmtpTls smtp_tls_policy(std::string_view smtp_url, bool has_password);
[[nodiscard]] bool is_loopback_host(std::string_view host);

class Dispatcher {
  public:
    explicit Dispatcher(std::vector<alerts::Channel> channels, DeliverySettings settings = {});

    // Sends to the notification's channels (every channel when it names none), retrying transport errors,
    // 5xx, 429 and SMTP 4xx with backoff; other refusals fail at once. Blocks until every channel is done.
    [[nodiscard]] DeliveryReport deliver(const alerts::Notification& notification);

    [[nodiscard]] std::vector<ChannelCounters> counters() const;

  private:
    std::vector<alerts::Channel> channels_;
    DeliverySettings settings_;
    mutable std::mutex mutex_;
    std::vector<ChannelCounters> counters_;
};

}  // namespace ephemery::notify
