#include "keymanager/client.hpp"

#include "core/text.hpp"
#include "infra/files.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <span>
#include <system_error>

namespace ephemery::keymanager {

namespace {

constexpr std::string_view keystores_path = "/eth/v1/keystores";
// A list of ten thousand keys is about 2 MiB; anything far larger is not a keymanager answer.
constexpr std::size_t max_answer_bytes = std::size_t{16} << 20U;
constexpr std::size_t max_token_file_bytes = 4096;
constexpr std::size_t excerpt_bytes = 80;
constexpr std::string_view running_hint =
    "the validator client must be running, with its keymanager API enabled and listening on that address and port";

// The parts of a base URL httplib needs, and the URL as messages show it.
struct Url {
    std::string host;
    int port{80};
    std::string prefix;  // path before /eth/..., without a trailing slash
    std::string shown;
};

bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool is_path_char(char c) {
    return is_host_char(c) || c == '/' || c == '_' || c == '~' || c == '%';
}

Result<Url> parse_url(std::string_view text) {
    constexpr std::string_view scheme = "http://";
    if (text.starts_with("https://")) {
        return make_error(Errc::unsupported,
                          fmt::format("keymanager URL {}: https is not supported; give the plain-HTTP address the "
                                      "validator client serves its keymanager API on (loopback)",
                                      text));
    }
    if (!text.starts_with(scheme)) {
        return make_error(Errc::invalid_argument,
                          fmt::format("keymanager URL \"{}\" does not start with http:// (e.g. http://127.0.0.1:5062)",
                                      quote(text, {}, excerpt_bytes)));
    }
    const std::string_view rest = text.substr(scheme.size());
    const std::string_view authority = rest.substr(0, rest.find('/'));
    std::string_view path = rest.substr(authority.size());
    if (authority.find('@') != std::string_view::npos) {
        // The URL itself is not repeated: what comes before '@' may be a password.
        return make_error(Errc::invalid_argument,
                          "the keymanager URL must not carry user:password@: the bearer token is read from a file");
    }
    Url url;
    std::string_view port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return make_error(Errc::invalid_argument, "keymanager URL: unclosed [");
        url.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':')) {
            return make_error(Errc::invalid_argument, "keymanager URL: expected :port after ]");
        }
        if (!after.empty()) port_text = after.substr(1);
        if (url.host.empty() || !std::all_of(url.host.begin(), url.host.end(), [](char c) {
                return c == ':' || c == '.' || std::isxdigit(static_cast<unsigned char>(c)) != 0;
            })) {
            return make_error(Errc::invalid_argument,
                              "keymanager URL: [" + quote(url.host, {}, excerpt_bytes) + "] is not an IPv6 address");
        }
    } else {
        const auto colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
        if (url.host.empty() || !std::all_of(url.host.begin(), url.host.end(), is_host_char)) {
            return make_error(Errc::invalid_argument, fmt::format("keymanager URL \"{}\" has no valid host name",
                                                                  quote(text, {}, excerpt_bytes)));
        }
    }
    if (!port_text.empty()) {
        const auto* end = port_text.data() + port_text.size();
        const auto parsed = std::from_chars(port_text.data(), end, url.port);
        if (parsed.ec != std::errc{} || parsed.ptr != end || url.port < 1 || url.port > 65535) {
            return make_error(Errc::invalid_argument,
                              fmt::format("keymanager URL \"{}\": the port is not a number from 1 to 65535",
                                          quote(text, {}, excerpt_bytes)));
        }
    }
    while (path.ends_with('/')) path.remove_suffix(1);
    if (!std::all_of(path.begin(), path.end(), is_path_char)) {
        return make_error(Errc::invalid_argument, fmt::format("keymanager URL \"{}\": the path has characters a URL "
                                                              "path cannot hold unescaped",
                                                              quote(text, {}, excerpt_bytes)));
    }
    url.prefix = std::string(path);
    const bool ipv6 = url.host.find(':') != std::string::npos;
    url.shown = fmt::format("http://{}{}{}:{}{}", ipv6 ? "[" : "", url.host, ipv6 ? "]" : "", url.port, url.prefix);
    return url;
}

// Overwrites a string that held a secret before its memory is released.
void wipe(std::string& text) {
    volatile char* data = text.data();
    for (std::size_t i = 0; i < text.size(); ++i) data[i] = 0;
    text.clear();
}

// JSON string escaping, written out here rather than through a JSON library so that a password is copied exactly
// once, into a buffer sized in advance that is wiped after sending (no reallocation leaves copies behind).
std::size_t escaped_size(std::string_view text) {
    std::size_t size = 2;
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            size += 2;
        } else if (static_cast<unsigned char>(c) < 0x20U) {
            size += 6;
        } else {
            ++size;
        }
    }
    return size;
}

void append_escaped(std::string& out, std::string_view text) {
    out += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20U) {
            constexpr std::string_view hex = "0123456789abcdef";
            out += "\\u00";
            out += hex[static_cast<unsigned char>(c) >> 4U];
            out += hex[static_cast<unsigned char>(c) & 0xFU];
        } else {
            out += c;
        }
    }
    out += '"';
}

// {"keystores": [...], "passwords": [...], "slashing_protection": "..."}: every value a JSON string, as specified.
std::string import_body(const std::vector<KeystoreUpload>& keystores, const std::optional<std::string>& interchange) {
    constexpr std::string_view keystores_key = R"({"keystores":[)";
    constexpr std::string_view passwords_key = R"(],"passwords":[)";
    constexpr std::string_view slashing_key = R"(],"slashing_protection":)";
    std::size_t size = keystores_key.size() + passwords_key.size() + slashing_key.size() + 2;
    for (const auto& upload : keystores) {
        size += escaped_size(upload.keystore_json) + escaped_size(upload.password.reveal()) + 2;
    }
    if (interchange) size += escaped_size(*interchange);
    std::string body;
    body.reserve(size);
    body += keystores_key;
    for (std::size_t i = 0; i < keystores.size(); ++i) {
        if (i != 0) body += ',';
        append_escaped(body, keystores[i].keystore_json);
    }
    body += passwords_key;
    for (std::size_t i = 0; i < keystores.size(); ++i) {
        if (i != 0) body += ',';
        append_escaped(body, keystores[i].password.reveal());
    }
    if (interchange) {
        body += slashing_key;
        append_escaped(body, *interchange);
        body += '}';
    } else {
        body += "]}";
    }
    return body;
}

struct Call {
    std::string method;
    std::string path;
    std::string body;  // JSON; wiped after sending
    std::chrono::milliseconds wait{0};
};

struct Answer {
    int status{0};
    std::string body;
};

std::string seconds(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) return fmt::format("{} s", duration.count() / 1000);
    return fmt::format("{:.1f} s", std::chrono::duration<double>(duration).count());
}

Error transport_error(httplib::Error error, bool too_large, const Url& url, const Call& call,
                      const Endpoint& endpoint) {
    switch (error) {
        case httplib::Error::Connection:
            return make_error(Errc::io_error, fmt::format("cannot connect to the keymanager API at {} (connection "
                                                          "refused or unreachable): {}",
                                                          url.shown, running_hint));
        case httplib::Error::ConnectionTimeout:
            return make_error(Errc::io_error,
                              fmt::format("connecting to the keymanager API at {} timed out after {}: {}", url.shown,
                                          seconds(endpoint.timeout), running_hint));
        case httplib::Error::Read:
            return make_error(Errc::io_error,
                              fmt::format("the keymanager API at {} did not answer {} {} within {}, or closed the "
                                          "connection without an answer",
                                          url.shown, call.method, call.path, seconds(call.wait)));
        case httplib::Error::Write:
            return make_error(Errc::io_error, fmt::format("could not send {} {} to the keymanager API at {} (the "
                                                          "connection broke)",
                                                          call.method, call.path, url.shown));
        default: break;
    }
    if (error == httplib::Error::Canceled && too_large) {
        return make_error(Errc::parse_error, fmt::format("the answer of {} to {} {} is larger than {} MiB: that is not "
                                                         "a keymanager API",
                                                         url.shown, call.method, call.path, max_answer_bytes >> 20U));
    }
    return make_error(Errc::io_error,
                      fmt::format("{} {}{} failed: {}", call.method, url.shown, call.path, httplib::to_string(error)));
}

// Sends one request and reads the answer, whatever its status.
Result<Answer> exchange(const Url& url, const Endpoint& endpoint, Call& call) {
    httplib::Client client(url.host, url.port);
    client.set_connection_timeout(endpoint.timeout);
    client.set_read_timeout(call.wait);
    client.set_write_timeout(endpoint.timeout);
    client.set_keep_alive(false);

    httplib::Request request;
    request.method = call.method;
    request.path = url.prefix + call.path;
    request.headers = {{"Accept", "application/json"}};
    if (!endpoint.token.empty()) request.headers.emplace("Authorization", "Bearer " + endpoint.token.reveal());
    if (!call.body.empty()) {
        request.headers.emplace("Content-Type", "application/json");
        request.body = std::move(call.body);
    }
    Answer answer;
    bool too_large = false;
    request.content_receiver = [&](const char* data, std::size_t size, std::uint64_t /*offset*/,
                                   std::uint64_t /*total*/) {
        if (answer.body.size() + size > max_answer_bytes) {
            too_large = true;
            return false;
        }
        answer.body.append(data, size);
        return true;
    };
    httplib::Response response;
    auto error = httplib::Error::Success;
    const bool sent = client.send(request, response, error);
    wipe(request.body);
    for (auto& header : request.headers) wipe(header.second);
    if (!sent) return transport_error(error, too_large, url, call, endpoint);
    answer.status = response.status;
    return answer;
}

// The answer when it is a success; otherwise what the refusal means for the operator.
Status check_status(const Answer& answer, const Url& url, const Endpoint& endpoint, const Call& call,
                    std::span<const SecretString> secrets) {
    if (answer.status >= 200 && answer.status < 300) return {};
    const auto said = error_message(answer.body, secrets);
    const std::string detail = said ? fmt::format(": {}", *said) : std::string{};
    const std::string source = endpoint.token_source.empty() ? std::string("the given token") : endpoint.token_source;
    switch (answer.status) {
        case 401:
            if (endpoint.token.empty()) {
                return make_error(Errc::invalid_argument,
                                  fmt::format("the keymanager API at {} wants a bearer token (HTTP 401{}): give the "
                                              "token file the validator client writes",
                                              url.shown, detail));
            }
            return make_error(Errc::invalid_argument,
                              fmt::format("the keymanager API at {} refused the bearer token from {} (HTTP 401{}): it "
                                          "is not the token this validator client expects; use the token file it "
                                          "writes (a restart may have written a new one)",
                                          url.shown, source, detail));
        case 403:
            return make_error(Errc::invalid_argument,
                              fmt::format("the keymanager API at {} refused access with the bearer token from {} "
                                          "(HTTP 403{}): use the token file this validator client writes",
                                          url.shown, source, detail));
        case 404:
            return make_error(Errc::unsupported,
                              fmt::format("{} has no {} {} (HTTP 404{}): that is not a validator client's keymanager "
                                          "API (the port of its beacon node or metrics?)",
                                          url.shown, call.method, call.path, detail));
        default:
            return make_error(Errc::verification_failed,
                              fmt::format("the keymanager API at {} refused {} {} with HTTP "
                                          "{}{}",
                                          url.shown, call.method, call.path, answer.status, detail));
    }
}

// A parse error of a successful answer, with where it came from and how the body starts.
Error unexpected_answer(const Error& error, const Answer& answer, const Url& url, const Call& call,
                        std::span<const SecretString> secrets) {
    return make_error(error.code, fmt::format("{} {}{} (HTTP {}): {}; the body starts with \"{}\": is that the "
                                              "validator client's keymanager API?",
                                              call.method, url.shown, call.path, answer.status, error.message,
                                              quote(answer.body, secrets, excerpt_bytes)));
}

}  // namespace

Result<SecretString> read_token_file(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
        return make_error(Errc::not_found,
                          fmt::format("the keymanager token file {} does not exist: the validator client writes it "
                                      "when its keymanager API starts",
                                      path.string()));
    }
    auto text = infra::read_file(path, max_token_file_bytes);
    if (!text) {
        return make_error(text.error().code,
                          fmt::format("keymanager token file: {}", text.error().message));  // names the file
    }
    SecretString token{std::string(trim(*text))};
    wipe(*text);
    if (token.empty()) {
        return make_error(Errc::invalid_argument, fmt::format("the keymanager token file {} is empty", path.string()));
    }
    return token;
}

Result<std::vector<ImportStatus>> import_keystores(const Endpoint& endpoint,
                                                   const std::vector<KeystoreUpload>& keystores,
                                                   const std::optional<std::string>& slashing_interchange_json) {
    const auto url = parse_url(endpoint.base_url);
    if (!url) return url.error();
    if (keystores.empty()) return make_error(Errc::invalid_argument, "no keystores to import");
    std::vector<SecretString> secrets{endpoint.token};
    for (const auto& upload : keystores) secrets.push_back(upload.password);

    Call call{"POST", std::string(keystores_path), import_body(keystores, slashing_interchange_json),
              endpoint.timeout + keystore_allowance * keystores.size()};
    const auto answer = exchange(*url, endpoint, call);
    wipe(call.body);
    if (!answer) return answer.error();
    if (auto status = check_status(*answer, *url, endpoint, call, secrets); !status) return status.error();
    auto statuses = parse_import_response(answer->body, keystores.size(), secrets);
    if (!statuses) return unexpected_answer(statuses.error(), *answer, *url, call, secrets);
    return statuses;
}

Result<std::vector<RemoteKey>> list_keystores(const Endpoint& endpoint) {
    const auto url = parse_url(endpoint.base_url);
    if (!url) return url.error();
    const std::vector<SecretString> secrets{endpoint.token};
    Call call{"GET", std::string(keystores_path), {}, endpoint.timeout};
    const auto answer = exchange(*url, endpoint, call);
    if (!answer) return answer.error();
    if (auto status = check_status(*answer, *url, endpoint, call, secrets); !status) return status.error();
    auto keys = parse_list_response(answer->body, secrets);
    if (!keys) return unexpected_answer(keys.error(), *answer, *url, call, secrets);
    return keys;
}

}  // namespace ephemery::keymanager
