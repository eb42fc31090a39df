#include "api/server.hpp"

#include "core/text.hpp"
#include "infra/files.hpp"
#include "infra/http_service.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <array>

namespace ephemery::api {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view bearer_prefix = "Bearer ";

nlohmann::ordered_json error_body(std::string_view message) {
    return {{"error", message}};
}

void reply_json(httplib::Response& response, int code, const nlohmann::ordered_json& body) {
    response.status = code;
    response.set_content(body.dump() + "\n", "application/json");
}

// Constant time: the comparison must not tell an attacker how much of a guess was right.
bool token_matches(const httplib::Request& request, const SecretString& token) {
    const std::string header = request.get_header_value("Authorization");
    if (!header.starts_with(bearer_prefix)) return false;
    const std::string_view offered = std::string_view(header).substr(bearer_prefix.size());
    const std::string& expected = token.reveal();
    return offered.size() == expected.size() && CRYPTO_memcmp(offered.data(), expected.data(), expected.size()) == 0;
}

bool is_role(std::string_view role) {
    return role == "execution" || role == "consensus" || role == "validator";
}

int status_for(Errc code) {
    switch (code) {
        case Errc::not_found: return 404;
        case Errc::invalid_argument: return 409;
        default: return 500;
    }
}

constexpr std::string_view restart_prefix = "/api/v1/restart/";
constexpr std::string_view reset_path = "/api/v1/reset";
constexpr std::size_t max_request_body_bytes = 4096;

// A request that says a body follows (a non-zero Content-Length, or chunks).
bool declares_body(const httplib::Request& request) {
    if (request.has_header("Transfer-Encoding")) return true;
    if (!request.has_header("Content-Length")) return false;
    const std::string length = request.get_header_value("Content-Length");
    return length.find_first_not_of('0') != std::string::npos;
}

// The POST actions, answered from the request line and headers alone. They take no body, so none is read: a bare
// `curl -X POST` sends no Content-Length, and httplib would wait for a body until its read timeout and answer 400;
// and nobody without the token gets to make the daemon read one.
void answer_action(const httplib::Request& request, httplib::Response& response, ControlTarget& target,
                   const SecretString& token) {
    const std::string_view path = request.path;
    const bool is_restart = path.starts_with(restart_prefix);
    if (!is_restart && path != reset_path) {
        reply_json(response, 404, error_body("the actions are POST /api/v1/restart/<role> and POST /api/v1/reset"));
        return;
    }
    if (!token_matches(request, token)) {
        response.set_header("WWW-Authenticate", "Bearer");
        reply_json(response, 401,
                   error_body("this needs the token in <data_dir>/api-token as 'Authorization: Bearer <token>'"));
        return;
    }
    if (declares_body(request)) {
        reply_json(response, 413, error_body("the control API's actions take no request body"));
        return;
    }
    if (is_restart) {
        const std::string role(path.substr(restart_prefix.size()));
        if (!is_role(role)) {
            reply_json(response, 404, error_body("roles are execution, consensus and validator"));
            return;
        }
        if (auto status = target.restart(role); !status) {
            reply_json(response, status_for(status.error().code), error_body(status.error().message));
            return;
        }
        reply_json(response, 200, {{"restarted", role}});
        return;
    }
    if (auto status = target.request_reset(); !status) {
        reply_json(response, status_for(status.error().code), error_body(status.error().message));
        return;
    }
    reply_json(response, 202, {{"reset", "started"}});
}

}  // namespace

struct ControlServer::State {
    infra::HttpService http;
    SecretString token;
};

Result<SecretString> load_or_create_token(const fs::path& file) {
    std::error_code error;
    if (fs::exists(file, error)) {
        struct stat info {};
        if (::stat(file.c_str(), &info) != 0) {
            return make_error(Errc::io_error, fmt::format("cannot inspect {}", file.string()));
        }
        if ((info.st_mode & 077U) != 0) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} can be read by other users, and it lets anyone reset the node: "
                                          "run chmod 600 {}",
                                          file.string(), file.string()));
        }
        auto text = infra::read_file(file, 4096);
        if (!text) return text.error();
        const std::string_view token = trim(*text);
        if (token.size() < 32) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} holds no usable token (at least 32 characters); delete it and ephemery "
                                          "writes a new one",
                                          file.string()));
        }
        return SecretString(std::string(token));
    }
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return make_error(Errc::io_error, "the system random number generator failed");
    }
    SecretString token(to_hex(bytes));
    bytes.fill(0);
    fs::create_directories(file.parent_path(), error);
    if (auto status = infra::write_file_atomically(file, token.reveal() + "\n", infra::owner_only); !status) {
        return status.error();
    }
    return token;
}

ControlServer::ControlServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

ControlServer::~ControlServer() {
    stop();
}

int ControlServer::port() const {
    return state_->http.port();
}

void ControlServer::stop() {
    if (state_) state_->http.stop();
}

Result<std::unique_ptr<ControlServer>> ControlServer::start(const Settings& settings, SecretString token,
                                                            ControlTarget& target) {
    auto state = std::make_unique<State>();
    state->token = std::move(token);
    httplib::Server& server = state->http.server();
    const SecretString& secret = state->token;

    server.Get("/api/v1/status", [&target](const httplib::Request&, httplib::Response& response) {
        reply_json(response, 200, target.status());
    });
    server.Get("/api/v1/health", [&target](const httplib::Request&, httplib::Response& response) {
        const bool healthy = target.healthy();
        reply_json(response, healthy ? 200 : 503, {{"healthy", healthy}});
    });
    server.Get("/metrics", [&target](const httplib::Request&, httplib::Response& response) {
        response.set_content(target.metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
    // Before routing, so that no POST body is ever read (httplib reads it before it calls a route's handler).
    // No route takes a body: a read that announces one is refused the same way, unread.
    server.set_pre_routing_handler([&target, &secret](const httplib::Request& request, httplib::Response& response) {
        if (request.method == "POST") {
            answer_action(request, response, target, secret);
            return httplib::Server::HandlerResponse::Handled;
        }
        if (declares_body(request)) {
            reply_json(response, 413, error_body("the control API takes no request body"));
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    // A backstop for any path to a body read that the handler above does not see.
    server.set_payload_max_length(max_request_body_bytes);

    const std::string& address = settings.listen_address;
    if (auto listening = state->http.listen(address, static_cast<std::uint16_t>(settings.port),
                                            "set api.port or EPHEMERY_API_PORT; a devnet: --port-base");
        !listening) {
        return listening.error();
    }
    if (address != "127.0.0.1" && address != "::1" && address != "localhost") {
        spdlog::warn("the control API listens on {}: reachable from other hosts (its POST routes need the token)",
                     address);
    }
    return std::unique_ptr<ControlServer>(new ControlServer(std::move(state)));
}

}  // namespace ephemery::api
