// `ephemery keys import --via-keymanager` against a real Lodestar v1.5.1 validator client: it is started with no
// keys and its keymanager API on, attached to a Lodestar beacon node in dev mode (the client serves the API only
// once it has checked the node's genesis). Keys from `keys new` are imported with their slashing-protection
// history from the node's own database, listed, imported again (duplicate), refused with a wrong token, and the
// history is read back from the client. Lodestar comes from tools/lodestar (scripts/install-lodestar).
#include "test_support/background_process.hpp"
#include "test_support/http_server.hpp"
#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

namespace ephemery {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;
using testing::Not;

const std::filesystem::path lodestar_home = EPHEMERY_LODESTAR_DIR;
const std::filesystem::path lodestar_cli = lodestar_home / "node_modules" / ".bin" / "lodestar";

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The last `bytes` of a process's log, for failure messages.
std::string tail_of(const test::BackgroundProcess& process, std::size_t bytes = 4000) {
    const std::string log = process.log();
    return "\n--- " + process.log_file().string() + " ---\n" + log.substr(log.size() > bytes ? log.size() - bytes : 0);
}

// One HTTP exchange with a Lodestar API on loopback; nullopt when it does not answer with JSON.
std::optional<nlohmann::json> call(std::uint16_t port, const std::string& method, const std::string& path,
                                   const std::string& bearer = {}, const std::string& body = {}) {
    httplib::Client http("127.0.0.1", port);
    http.set_connection_timeout(2s);
    http.set_read_timeout(20s);
    httplib::Headers headers;
    if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
    httplib::Request request;
    request.method = method;
    request.path = path;
    request.headers = headers;
    if (!body.empty()) {
        request.body = body;
        request.set_header("Content-Type", "application/json");
    }
    const auto answer = http.send(request);
    if (!answer || answer->status != 200) return std::nullopt;
    auto json = nlohmann::json::parse(answer->body, nullptr, false);
    if (json.is_discarded()) return std::nullopt;
    return json;
}

// `ephemery ARGS` in `work`, with HOME below it: no user config, defaults under work/home/.ephemery.
test::CommandOutput run_ephemery(const std::filesystem::path& work, std::vector<std::string> args) {
    std::filesystem::create_directories(work / "home");
    args.insert(args.begin(), EPHEMERY_BINARY);
    return test::run_command(args, {{"HOME", (work / "home").string()}, {"PATH", "/usr/bin:/bin"}}, work.string());
}

// `keys new`: `count` cheap (pbkdf2) keys in work/keys with a password file each; their public keys.
std::vector<std::string> new_keys(const std::filesystem::path& work, int count) {
    const auto made = run_ephemery(
        work, {"keys", "new", "--count", std::to_string(count), "--kdf", "pbkdf2", "--generate-mnemonic", "m.txt",
               "--withdrawal", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "--out", "keys", "--json"});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    std::vector<std::string> pubkeys;
    const auto report = nlohmann::json::parse(made.out, nullptr, false);
    if (report.is_discarded()) return pubkeys;
    for (const auto& key : report.at("keys")) pubkeys.push_back(key.at("pubkey"));
    return pubkeys;
}

class KeymanagerIntegration : public testing::Test {
  protected:
    void SetUp() override {
        // Missing Lodestar fails the test: it must never pass without having run.
        ASSERT_TRUE(std::filesystem::exists(lodestar_home / "node_modules" / ".ephemery-install-stamp"))
            << "Lodestar is not installed in " << lodestar_home.string() << ": run scripts/install-lodestar";
        node_ = test::find_on_path("node");
        ASSERT_FALSE(node_.empty()) << "node is not on PATH; Lodestar needs Node.js 20 (tools/lodestar/README.md)";
    }

    test::CommandOutput ephemery(std::vector<std::string> args) { return run_ephemery(work_.path(), std::move(args)); }

    // `lodestar ARGS` under node, from and logging into the test's directory, with no LODESTAR_* variables (which
    // Lodestar would read as flags).
    test::BackgroundProcess& lodestar(std::optional<test::BackgroundProcess>& slot, const std::string& name,
                                      std::vector<std::string> args) {
        const auto cwd = work_.path() / name;
        std::filesystem::create_directories(cwd);
        args.insert(args.begin(), {node_.string(), lodestar_cli.string()});
        return slot.emplace(
            test::BackgroundProcessOptions{.argv = std::move(args),
                                           .env = {{"HOME", (work_.path() / "home").string()},
                                                   {"PATH", node_.parent_path().string() + ":/usr/bin:/bin"}},
                                           .working_directory = cwd,
                                           .log_file = work_.path() / (name + ".log")});
    }

    // Beacon node (dev, own genesis) and a validator client with no keys, its keymanager API on `keymanager_port_`.
    void start_node_and_validator_client() {
        const auto rest = test::free_loopback_port();
        auto& beacon =
            lodestar(beacon_, "beacon",
                     {"dev", "--genesisValidators", "8", "--dataDir", (work_.path() / "beacon/data").string(),
                      "--rest.address", "127.0.0.1", "--rest.port", std::to_string(rest), "--listenAddress",
                      "127.0.0.1", "--port", std::to_string(test::free_loopback_port()), "--logFile", "none"});
        std::optional<nlohmann::json> genesis;
        ASSERT_TRUE(test::wait_until(
            [&] { return !beacon.running() || (genesis = call(rest, "GET", "/eth/v1/beacon/genesis")).has_value(); },
            90s))
            << "no beacon API within 90 s" << tail_of(beacon);
        ASSERT_TRUE(genesis.has_value()) << "the beacon node stopped" << tail_of(beacon);
        genesis_validators_root_ = genesis->at("data").at("genesis_validators_root").get<std::string>();

        keymanager_port_ = test::free_loopback_port();
        auto& validator =
            lodestar(validator_, "validator",
                     {"validator", "--network", "dev", "--dataDir", (work_.path() / "validator/data").string(),
                      "--keystoresDir", (work_.path() / "validator/keystores").string(), "--secretsDir",
                      (work_.path() / "validator/secrets").string(), "--beaconNodes",
                      "http://127.0.0.1:" + std::to_string(rest), "--keymanager", "--keymanager.address", "127.0.0.1",
                      "--keymanager.port", std::to_string(keymanager_port_), "--logFile", "none"});
        // Lodestar v1.5.1 has no option for the token file: it writes it into its database directory.
        token_file_ = work_.path() / "validator/data/validator-db/api-token.txt";
        ASSERT_TRUE(test::wait_until(
            [&] {
                return !validator.running() ||
                       (std::filesystem::exists(token_file_) &&
                        call(keymanager_port_, "GET", "/eth/v1/keystores", slurp(token_file_)).has_value());
            },
            120s))
            << "no keymanager API within 120 s" << tail_of(validator) << tail_of(beacon);
        ASSERT_TRUE(validator.running()) << "the validator client stopped" << tail_of(validator);
    }

    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(keymanager_port_); }

    [[nodiscard]] std::set<std::string> listed_by_the_client() const {
        std::set<std::string> pubkeys;
        const auto list = call(keymanager_port_, "GET", "/eth/v1/keystores", slurp(token_file_));
        if (!list) return pubkeys;
        for (const auto& key : list->at("data")) pubkeys.insert(key.at("validating_pubkey").get<std::string>());
        return pubkeys;
    }

    std::filesystem::path node_;
    test::TempDir work_;  // before the processes, which stop before their directories go
    std::optional<test::BackgroundProcess> beacon_;
    std::optional<test::BackgroundProcess> validator_;
    std::uint16_t keymanager_port_{0};
    std::filesystem::path token_file_;
    std::string genesis_validators_root_;
};

TEST_F(KeymanagerIntegration, KeysAndTheirSlashingHistoryGoIntoARunningLodestar) {
    const auto pubkeys = new_keys(work_.path(), 2);
    ASSERT_EQ(pubkeys.size(), 2U);

    ASSERT_NO_FATAL_FAILURE(start_node_and_validator_client());

    // The node's own slashing database holds a history for the first key on this chain.
    const nlohmann::json history = {
        {"metadata", {{"interchange_format_version", "5"}, {"genesis_validators_root", genesis_validators_root_}}},
        {"data",
         {{{"pubkey", pubkeys[0]},
           {"signed_blocks", {{{"slot", "81"}}}},
           {"signed_attestations", {{{"source_epoch", "7"}, {"target_epoch", "9"}}}}}}}};
    std::ofstream(work_.path() / "history.json") << history.dump();
    const auto recorded = ephemery({"slashing", "import", "history.json", "--data-dir", "node",
                                    "--genesis-validators-root", genesis_validators_root_});
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;

    const auto import = [&](const std::filesystem::path& token_file, const std::vector<std::string>& more) {
        std::vector<std::string> args{"--data-dir",       "node",  "keys", "import",       "--from",           "keys",
                                      "--via-keymanager", "--url", url(),  "--token-file", token_file.string()};
        args.insert(args.end(), more.begin(), more.end());
        return ephemery(std::move(args));
    };
    const auto first = import(token_file_, {"--json"});
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err << tail_of(*validator_);
    const auto report = nlohmann::json::parse(first.out);
    EXPECT_EQ(report.at("imported"), 2);
    EXPECT_EQ(report.at("slashing_protection").at("validators"), 1);
    EXPECT_THAT(report.at("slashing_protection").at("source").get<std::string>(),
                HasSubstr("node/validators/slashing-protection.sqlite"));
    for (const auto& key : report.at("keys")) {
        EXPECT_EQ(key.at("status"), "imported") << key.dump();
        EXPECT_EQ(key.at("listed"), true) << key.dump();
    }
    EXPECT_EQ(listed_by_the_client(), std::set<std::string>(pubkeys.begin(), pubkeys.end()));

    const auto again = import(token_file_, {});
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_THAT(again.out, HasSubstr("2 keys sent to " + url() + ": 0 imported, 2 duplicate, 0 failed"));
    EXPECT_THAT(again.out, HasSubstr("duplicate"));

    const auto wrong_token_file = work_.path() / "wrong-token.txt";
    std::ofstream(wrong_token_file) << "api-token-0xnotthetoken\n";
    const auto refused = import(wrong_token_file, {});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_THAT(refused.err, HasSubstr("refused the bearer token from " + wrong_token_file.string() + " (HTTP 401"));
    EXPECT_THAT(refused.out + refused.err, Not(HasSubstr("api-token-0xnotthetoken")));

    // The client holds the history now: deleting the key hands it back (DELETE returns its interchange).
    const auto deleted = call(keymanager_port_, "DELETE", "/eth/v1/keystores", slurp(token_file_),
                              nlohmann::json{{"pubkeys", {pubkeys[0]}}}.dump());
    ASSERT_TRUE(deleted.has_value()) << tail_of(*validator_);
    EXPECT_EQ(deleted->at("data").at(0).at("status"), "deleted");
    const auto exported = nlohmann::json::parse(deleted->at("slashing_protection").get<std::string>());
    EXPECT_EQ(exported.at("metadata").at("genesis_validators_root"), genesis_validators_root_);
    const std::string held = exported.at("data").dump();
    EXPECT_THAT(held, HasSubstr(pubkeys[0]));
    EXPECT_THAT(held, HasSubstr(R"("slot":"81")"));
    EXPECT_THAT(held, HasSubstr(R"("target_epoch":"9")"));
}

TEST_F(KeymanagerIntegration, NoValidatorClientRunningSaysSoAndSendsNothing) {
    ASSERT_EQ(new_keys(work_.path(), 1).size(), 1U);
    std::ofstream(work_.path() / "token.txt") << "api-token-0x01\n";
    const std::string nowhere = "http://127.0.0.1:" + std::to_string(test::free_loopback_port());
    const auto result = ephemery({"--data-dir", "node", "keys", "import", "--from", "keys", "--via-keymanager", "--url",
                                  nowhere, "--token-file", "token.txt"});
    EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
    EXPECT_THAT(result.err, HasSubstr("cannot connect to the keymanager API at " + nowhere));
    EXPECT_THAT(result.err, HasSubstr("the validator client must be running, with its keymanager API enabled"));
}

// Without --url and --token-file, the configured validator client's keymanager port (node plan) and token file
// (catalog) are used; the error for a token file not yet written names both.
TEST(KeymanagerImportCli, DefaultsComeFromTheConfiguredValidatorClient) {
    const test::TempDir work;
    ASSERT_EQ(new_keys(work.path(), 1).size(), 1U);
    const std::vector<std::tuple<std::string, std::string, std::string>> cases{
        {"lighthouse", "node/validator-lighthouse/validators/api-token.txt", "http://127.0.0.1:5062"},
        {"lodestar", "node/validator-lodestar/api-token.txt", "http://127.0.0.1:5062"},
        {"prysm", "node/validator-prysm/auth-token", "http://127.0.0.1:7500"},
    };
    for (const auto& [client, token_file, url] : cases) {
        work.write("ephemery.yaml", "clients:\n  validator:\n    client: " + client + "\n");
        const auto result = run_ephemery(work.path(), {"-c", "ephemery.yaml", "--data-dir", "node", "keys", "import",
                                                       "--from", "keys", "--via-keymanager"});
        EXPECT_EQ(result.exit_code, 2) << client << ": " << result.err;
        EXPECT_THAT(result.err, HasSubstr(token_file + " does not exist")) << client;
        EXPECT_THAT(
            result.err,
            HasSubstr(std::string("ephemery runs ").append(client).append(" with its keymanager API at ").append(url)))
            << client;
    }
    work.write("ephemery.yaml", "clients:\n  validator:\n    client: teku\n");
    const auto teku = run_ephemery(work.path(), {"-c", "ephemery.yaml", "keys", "import", "--from", "keys",
                                                 "--via-keymanager", "--url", "http://127.0.0.1:5052"});
    EXPECT_EQ(teku.exit_code, 2) << teku.err;
    EXPECT_THAT(teku.err, HasSubstr("ephemery runs teku without a keymanager token file it knows"));
    EXPECT_THAT(teku.err, HasSubstr("pass --token-file"));
}

// The command's verdict when the client fails a key, or claims a key it then does not list: a fake client.
TEST(KeymanagerImportCli, AFailedOrUnlistedKeyFailsTheCommandAndSaysWhy) {
    const test::TempDir work;
    const auto keys = new_keys(work.path(), 2);
    ASSERT_EQ(keys.size(), 2U);
    const std::string token = "api-token-0x0123456789";
    work.write("token.txt", token + "\n");

    std::mutex mutex;
    std::string statuses;  // what the fake client answers the import with
    const auto answer_with = [&](std::string body) {
        const std::lock_guard lock(mutex);
        statuses = std::move(body);
    };
    const test::HttpTestServer client([&](httplib::Server& server) {
        server.Get("/eth/v1/keystores", [&](const httplib::Request& request, httplib::Response& response) {
            if (request.get_header_value("Authorization") != "Bearer " + token) {
                response.status = 401;
                return;
            }
            const nlohmann::json listed = {{"data", {{{"validating_pubkey", keys[0]}}}}};
            response.set_content(listed.dump(), "application/json");
        });
        server.Post("/eth/v1/keystores", [&](const httplib::Request&, httplib::Response& response) {
            const std::lock_guard lock(mutex);
            response.set_content(statuses, "application/json");
        });
    });
    const std::vector<std::string> import{"keys",  "import",          "--from",       "keys",     "--via-keymanager",
                                          "--url", client.base_url(), "--token-file", "token.txt"};

    answer_with(R"({"data": [{"status": "imported"}, {"status": "error", "message": "disk full"}]})");
    auto result = run_ephemery(work.path(), import);
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("failed"));
    EXPECT_THAT(result.out, HasSubstr("disk full"));
    EXPECT_THAT(result.out, HasSubstr("2 keys sent to " + client.base_url() + ": 1 imported, 0 duplicate, 1 failed"));
    EXPECT_THAT(result.out + result.err, Not(HasSubstr(token)));

    answer_with(R"({"data": [{"status": "duplicate"}, {"status": "imported"}]})");
    auto json_import = import;
    json_import.emplace_back("--json");
    result = run_ephemery(work.path(), json_import);
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    const auto report = nlohmann::json::parse(result.out);
    EXPECT_EQ(report.at("ok"), false);
    EXPECT_EQ(report.at("failed"), 1);
    EXPECT_EQ(report.at("keys").at(0).at("listed"), true);
    EXPECT_EQ(report.at("keys").at(1).at("pubkey"), keys[1]);
    EXPECT_EQ(report.at("keys").at(1).at("listed"), false);
    EXPECT_EQ(report.at("keys").at(1).at("message"), R"(the client answered "imported" but does not list the key)");
}

}  // namespace
}  // namespace ephemery
