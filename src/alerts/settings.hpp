#pragma once

#include "core/secret.hpp"

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ephemery::alerts {

enum class ChannelType { console, webhook, slack, discord, pagerduty, email };

inline constexpr std::array<std::pair<std::string_view, ChannelType>, 6> channel_type_names{{
    {"console", ChannelType::console},
    {"webhook", ChannelType::webhook},
    {"slack", ChannelType::slack},
    {"discord", ChannelType::discord},
    {"pagerduty", ChannelType::pagerduty},
    {"email", ChannelType::email},
}};

// Where notifications go. Secrets are best given as *_file paths; inline values are redacted everywhere.
struct Channel {
    std::string name;
    ChannelType type{ChannelType::console};
    SecretString url;  // webhook, slack, discord: the URL carries the credential
    std::string url_file;
    SecretString routing_key;  // pagerduty Events v2
    std::string routing_key_file;
    std::string events_url;  // pagerduty: the Events API v2 endpoint; empty: https://events.pagerduty.com/v2/enqueue
    std::string smtp_url;    // email: smtps://host:465 or smtp://host:587 (STARTTLS)
    std::string smtp_username;
    std::string smtp_password_file;
    std::string from;
    std::vector<std::string> to;
};

[[nodiscard]] inline Channel console_channel() {
    Channel channel;
    channel.name = "console";
    return channel;
}

// Alerting. Filled from `alerts:`.
struct Settings {
    bool enabled{true};
    std::string rules_file;  // YAML alert rules; empty: the built-in rules
    std::vector<Channel> channels{console_channel()};
};

}  // namespace ephemery::alerts
