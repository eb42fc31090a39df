// Integration with a real consensus client: keystores made by `ephemery keys new` and installed by
// `ephemery keys import --client lodestar` are loaded by a Lodestar v1.5.1 validator client attached to a Lodestar
// beacon node in dev mode. Lodestar comes from tools/lodestar (scripts/install-lodestar); both processes run on
// loopback ports chosen here and are stopped, with their directories removed, however the test ends.
#include "test_support/background_process.hpp"
#include "test_support/files.hpp"
#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

namespace ephemery {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;

const std::filesystem::path lodestar_dir = EPHEMERY_LODESTAR_DIR;
const std::string withdrawal_address = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";

std::optional<nlohmann::json> get_json(std::uint16_t port, const std::string& path, const std::string& token = {}) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2s);
    client.set_read_timeout(10s);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    const auto response = client.Get(path, headers);
    if (!response || response->status != 200) return std::nullopt;
    auto parsed = nlohmann::json::parse(response->body, nullptr, false);
    if (parsed.is_discarded()) return std::nullopt;
    return parsed;
}

class LodestarIntegration : public testing::Test {
  protected:
    void SetUp() override {
        // A missing client is a failure, never a skip: the test must not pass without having run.
        ASSERT_TRUE(std::filesystem::exists(lodestar_dir / "node_modules" / ".ephemery-install-stamp") &&
                    std::filesystem::exists(lodestar_script))
            << "Lodestar is not installed in " << lodestar_dir.string()
            << "/node_modules: run scripts/install-lodestar (make test and .ci/run do it)";
        node_ = test::find_on_path("node");
        ASSERT_FALSE(node_.empty()) << "node is not on PATH; Lodestar needs Node.js 20 (tools/lodestar/README.md)";
        std::filesystem::create_directories(root_.path() / "home");
    }

    test::CommandOutput ephemery(std::vector<std::string> args) {
        args.insert(args.begin(), EPHEMERY_BINARY);
        return test::run_command(args, {{"HOME", (root_.path() / "home").string()}, {"PATH", "/usr/bin:/bin"}},
                                 root_.path().string());
    }

    // The child's whole environment: no LODESTAR_* variables, which Lodestar would read as flags.
    [[nodiscard]] std::map<std::string, std::string> lodestar_environment() const {
        return {{"HOME", (root_.path() / "home").string()}, {"PATH", node_.parent_path().string() + ":/usr/bin:/bin"}};
    }

    // Runs `node lodestar ARGS` in its own directory under the test's root, logging to NAME.log.
    test::BackgroundProcess& start_lodestar(std::optional<test::BackgroundProcess>& slot, const std::string& name,
                                            const std::vector<std::string>& args) {
        const auto directory = root_.path() / name;
        std::filesystem::create_directories(directory);
        test::BackgroundProcessOptions options;
        options.argv = {node_.string(), lodestar_script.string()};
        options.argv.insert(options.argv.end(), args.begin(), args.end());
        options.env = lodestar_environment();
        options.working_directory = directory;  // `lodestar dev` writes genesis.ssz into its working directory
        options.log_file = root_.path() / (name + ".log");
        return slot.emplace(std::move(options));
    }

    // `keys new` into root/DIR; returns the public keys from its --json report.
    std::vector<std::string> make_keys(int count, const std::string& directory) {
        const auto result =
            ephemery({"keys", "new", "--count", std::to_string(count), "--kdf", "pbkdf2", "--generate-mnemonic",
                      directory + "-mnemonic.txt", "--withdrawal", withdrawal_address, "--out", directory, "--json"});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        std::vector<std::string> pubkeys;
        const auto report = nlohmann::json::parse(result.out, nullptr, false);
        if (report.is_discarded()) {
            ADD_FAILURE() << "keys new --json printed no JSON: " << result.out;
            return pubkeys;
        }
        for (const auto& key : report.at("keys")) pubkeys.push_back(key.at("pubkey").get<std::string>());
        return pubkeys;
    }

    const std::filesystem::path lodestar_script = lodestar_dir / "node_modules" / ".bin" / "lodestar";
    std::filesystem::path node_;
    test::TempDir root_;  // declared before the processes: they stop before their directories go
    std::optional<test::BackgroundProcess> beacon_;
    std::optional<test::BackgroundProcess> validator_;
};

TEST_F(LodestarIntegration, KeysFromKeysNewAreLoadedByARealValidatorClient) {
    const auto pubkeys = make_keys(4, "keys");
    ASSERT_EQ(pubkeys.size(), 4U);
    const std::set<std::string> expected(pubkeys.begin(), pubkeys.end());
    ASSERT_EQ(expected.size(), 4U) << "four distinct keys";

    const auto check = ephemery({"keys", "check", "keys"});
    ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
    const auto imported = ephemery({"keys", "import", "--client", "lodestar", "--from", "keys", "--to", "client-data"});
    ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
    for (const auto& pubkey : pubkeys) {
        ASSERT_TRUE(
            std::filesystem::exists(root_.path() / "client-data" / "keystores" / pubkey / "voting-keystore.json"))
            << "Lodestar's layout: keystores/0x<pubkey>/voting-keystore.json for " << pubkey;
    }

    const auto rest_port = test::free_loopback_port();
    const auto p2p_port = test::free_loopback_port();
    const auto keymanager_port = test::free_loopback_port();

    // A single dev-mode beacon node: its own interop genesis, no peers, no execution client. Its 8 genesis
    // validators run nowhere; the validator client only needs the node's genesis, config and duties API.
    auto& beacon =
        start_lodestar(beacon_, "beacon",
                       {"dev", "--genesisValidators", "8", "--dataDir", (root_.path() / "beacon" / "data").string(),
                        "--rest.address", "127.0.0.1", "--rest.port", std::to_string(rest_port), "--listenAddress",
                        "127.0.0.1", "--port", std::to_string(p2p_port), "--logFile", "none"});
    ASSERT_TRUE(test::wait_until(
        [&] { return !beacon.running() || get_json(rest_port, "/eth/v1/beacon/genesis").has_value(); }, 90s))
        << "the beacon node's REST API did not answer within 90 s" << beacon.log_tail();
    ASSERT_TRUE(beacon.running()) << "the beacon node exited with " << beacon.exit_code().value_or(-1)
                                  << beacon.log_tail();

    // The validator client reads the directory `keys import` wrote, in place; its own database goes elsewhere.
    auto& validator =
        start_lodestar(validator_, "validator",
                       {"validator", "--network", "dev", "--dataDir", (root_.path() / "validator" / "data").string(),
                        "--keystoresDir", (root_.path() / "client-data" / "keystores").string(), "--secretsDir",
                        (root_.path() / "client-data" / "secrets").string(), "--beaconNodes",
                        "http://127.0.0.1:" + std::to_string(rest_port), "--keymanager", "--keymanager.address",
                        "127.0.0.1", "--keymanager.port", std::to_string(keymanager_port), "--logFile", "none"});

    // The keymanager API starts only after the keys are decrypted and the client has checked the beacon node's
    // genesis and config, so its list is the strongest evidence that the client is running with our keys.
    const auto token_file = root_.path() / "validator" / "data" / "validator-db" / "api-token.txt";
    std::set<std::string> listed;
    const bool answered = test::wait_until(
        [&] {
            if (!validator.running()) return true;
            if (!std::filesystem::exists(token_file)) return false;
            const auto keystores = get_json(keymanager_port, "/eth/v1/keystores", test::contents_of(token_file));
            if (!keystores) return false;
            listed.clear();
            for (const auto& entry : keystores->at("data"))
                listed.insert(entry.at("validating_pubkey").get<std::string>());
            return true;
        },
        120s);
    ASSERT_TRUE(answered) << "the validator client's keymanager API did not list keys within 120 s"
                          << validator.log_tail() << beacon.log_tail();
    ASSERT_TRUE(validator.running()) << "the validator client exited with " << validator.exit_code().value_or(-1)
                                     << validator.log_tail() << beacon.log_tail();
    EXPECT_EQ(listed, expected) << validator.log_tail();

    // Its log says the same: "4 local keystores", then each public key.
    const std::string validator_log = validator.plain_log();
    EXPECT_THAT(validator_log, HasSubstr("4 local keystores"));
    EXPECT_THAT(validator_log, HasSubstr("Verified connected beacon node and validator have same the config"));
    for (const auto& pubkey : pubkeys) EXPECT_THAT(validator_log, HasSubstr(pubkey));

    validator.stop();
    beacon.stop();
    EXPECT_FALSE(validator.running());
    EXPECT_FALSE(beacon.running());
}

TEST_F(LodestarIntegration, AWrongPasswordIsCaughtByKeysCheckBeforeLodestarFailsOnIt) {
    const auto pubkeys = make_keys(2, "keys");
    ASSERT_EQ(pubkeys.size(), 2U);
    const std::string stem = "keystore-m_12381_3600_0_0_0";
    const auto password_file = root_.path() / "keys" / "passwords" / (stem + ".txt");
    ASSERT_TRUE(std::filesystem::exists(password_file));
    std::ofstream(password_file, std::ios::trunc) << "not the password";

    const auto check = ephemery({"keys", "check", "keys", "--json"});
    EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
    const auto report = nlohmann::json::parse(check.out, nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << check.out;
    EXPECT_EQ(report.at("failed"), 1);
    for (const auto& key : report.at("keys")) {
        const bool broken = key.at("pubkey") == pubkeys[0];
        EXPECT_EQ(key.at("status"), broken ? "failed" : "ok") << key.dump();
        if (broken) {
            EXPECT_THAT(key.at("problems").dump(), HasSubstr("keys/passwords/" + stem + ".txt does not decrypt"));
        }
    }

    const auto imported = ephemery({"keys", "import", "--client", "lodestar", "--from", "keys", "--to", "client-data"});
    EXPECT_EQ(imported.exit_code, 1) << imported.out << imported.err;
    EXPECT_FALSE(std::filesystem::exists(root_.path() / "client-data" / "keystores")) << "nothing is imported";

    // What `keys check` prevents: given that keystore and password in its own layout, Lodestar stops at start-up.
    // It decrypts before it contacts a beacon node, so none is needed.
    const auto by_hand = root_.path() / "by-hand";
    std::filesystem::create_directories(by_hand / "keystores" / pubkeys[0]);
    std::filesystem::create_directories(by_hand / "secrets");
    std::filesystem::copy_file(root_.path() / "keys" / "keystores" / (stem + ".json"),
                               by_hand / "keystores" / pubkeys[0] / "voting-keystore.json");
    std::ofstream(by_hand / "secrets" / pubkeys[0]) << "not the password";
    auto& validator = start_lodestar(
        validator_, "validator",
        {"validator", "--network", "dev", "--dataDir", (root_.path() / "validator" / "data").string(), "--keystoresDir",
         (by_hand / "keystores").string(), "--secretsDir", (by_hand / "secrets").string(), "--beaconNodes",
         "http://127.0.0.1:" + std::to_string(test::free_loopback_port()), "--logFile", "none"});
    ASSERT_TRUE(test::wait_until([&] { return !validator.running(); }, 60s))
        << "Lodestar kept running with a wrong password" << validator.log_tail();
    EXPECT_NE(validator.exit_code().value_or(0), 0);
    EXPECT_THAT(validator.plain_log(), HasSubstr("Invalid password"));
}

}  // namespace
}  // namespace ephemery
