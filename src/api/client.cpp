#include "api/client.hpp"

#include <fmt/format.h>
#include <httplib.h>

namespace ephemery::api {
namespace {

httplib::Client make_client(const Endpoint& endpoint) {
    httplib::Client client(endpoint.host, endpoint.port);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(endpoint.timeout);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(endpoint.timeout - seconds);
    client.set_connection_timeout(seconds.count(), micros.count());
    client.set_read_timeout(seconds.count(), micros.count());
    client.set_write_timeout(seconds.count(), micros.count());
    return client;
}

Result<Reply> to_reply(const httplib::Result& result, const Endpoint& endpoint, std::string_view path) {
    if (!result) {
        const auto error = result.error();
        const std::string where = fmt::format("http://{}:{}{}", endpoint.host, endpoint.port, path);
        if (error == httplib::Error::Connection) {
            return make_error(Errc::not_found, fmt::format("nothing answers at {}: is the daemon running?", where));
        }
        return make_error(Errc::io_error, fmt::format("{} failed: {}", where, httplib::to_string(error)));
    }
    Reply reply{.status = result->status, .body = nlohmann::json::parse(result->body, nullptr, false)};
    if (reply.body.is_discarded()) reply.body = nullptr;
    return reply;
}

}  // namespace

Result<Reply> get(const Endpoint& endpoint, std::string_view path) {
    auto client = make_client(endpoint);
    return to_reply(client.Get(std::string(path)), endpoint, path);
}

Result<Reply> post(const Endpoint& endpoint, std::string_view path, const SecretString& token) {
    auto client = make_client(endpoint);
    const httplib::Headers headers{{"Authorization", "Bearer " + token.reveal()}};
    return to_reply(client.Post(std::string(path), headers, std::string{}, "application/json"), endpoint, path);
}

std::string reply_error(const Reply& reply) {
    if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_string()) {
        return reply.body["error"].get<std::string>();
    }
    return fmt::format("HTTP {}", reply.status);
}

}  // namespace ephemery::api
