// Runs the real binary: exit codes and messages as an operator sees them.
#include "test_support/http_server.hpp"
#include "test_support/release_fixture.hpp"
#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

namespace ephemery {
namespace {

using testing::HasSubstr;

class Cli : public testing::Test {
  protected:
    test::CommandOutput run(std::vector<std::string> args, std::map<std::string, std::string> extra_env = {}) {
        args.insert(args.begin(), EPHEMERY_BINARY);
        std::map<std::string, std::string> env{{"HOME", home_.path().string()}, {"PATH", "/usr/bin:/bin"}};
        env.insert(extra_env.begin(), extra_env.end());
        return test::run_command(args, env, work_.path().string());
    }
    static std::string config(const std::string& name) { return std::string(EPHEMERY_TEST_DATA) + "/" + name; }

    test::TempDir home_;
    test::TempDir work_;  // empty working directory: no ./ephemery.yaml is picked up by accident
};

TEST_F(Cli, NetworkJsonAtIteration160Genesis) {
    const auto result = run({"network", "--at", "1780599600", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc.at("iteration"), 160);
    EXPECT_EQ(doc.at("chain_id"), 39438160);
    EXPECT_EQ(doc.at("el_genesis_time"), 1780599600);
    EXPECT_EQ(doc.at("cl_genesis_time"), 1780600200);
    EXPECT_EQ(doc.at("reset_time"), 1783018800);
    EXPECT_EQ(doc.at("release_tag"), "ephemery-160");
    EXPECT_EQ(doc.at("seconds_to_reset"), 2419200);
    EXPECT_EQ(doc.at("latest_release_tag"), "ephemery-160");
}

TEST_F(Cli, NetworkTextShowsUtcAndCountdown) {
    const auto result = run({"network", "--at", "1783018799"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("iteration    160"));
    EXPECT_THAT(result.out, HasSubstr("2026-07-02 19:00:00 UTC"));
    EXPECT_THAT(result.out, HasSubstr("in 1s"));
    EXPECT_THAT(result.out, HasSubstr("\"latest\" already points at ephemery-161"));
}

TEST_F(Cli, NetworkByIterationAndLegacy) {
    auto result = run({"network", "--iteration", "138", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out).at("el_genesis_time"), 1727377200);

    result = run({"network", "--iteration", "100", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto legacy = nlohmann::json::parse(result.out);
    EXPECT_EQ(legacy.at("legacy"), true);
    EXPECT_EQ(legacy.at("chain_id"), 39438100);
    EXPECT_FALSE(legacy.contains("reset_time"));

    result = run({"network", "--at", "1600000000"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("legacy"));
}

TEST_F(Cli, NetworkOfACustomConfig) {
    const auto result = run({"-c", config("devnet.yaml"), "network", "--at", "1700000600", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc.at("network"), "devnet");
    EXPECT_EQ(doc.at("iteration"), 1);
    EXPECT_EQ(doc.at("chain_id"), 39439001);
    EXPECT_EQ(doc.at("release_tag"), "devnet-1");
    EXPECT_EQ(doc.at("cl_genesis_time"), 1700000630);
}

TEST_F(Cli, UsageErrorsExitTwo) {
    EXPECT_EQ(run({}).exit_code, 2);
    EXPECT_EQ(run({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(run({"network", "--at", "soon"}).exit_code, 2);
    const auto huge = run({"network", "--iteration", "18446744073709551615"});
    EXPECT_EQ(huge.exit_code, 2);
    EXPECT_THAT(huge.err, HasSubstr("too"));
    EXPECT_EQ(run({"--help"}).exit_code, 0);
    EXPECT_EQ(run({"--version"}).exit_code, 0);
}

TEST_F(Cli, ConfigCheckGood) {
    const auto result = run({"-c", config("good.yaml"), "config", "check"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("good.yaml: ok"));
}

TEST_F(Cli, ConfigCheckBrokenSyntaxNamesTheLine) {
    const auto result = run({"-c", config("broken-syntax.yaml"), "config", "check"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.out, HasSubstr("broken-syntax.yaml:"));
    EXPECT_THAT(result.out, HasSubstr("YAML syntax error"));
}

TEST_F(Cli, ConfigCheckBadValueNamesLineKeyValueAndAllowed) {
    const auto result = run({"-c", config("bad-value.yaml"), "config", "check"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(
        result.out,
        HasSubstr("bad-value.yaml:6:9: error: api.port: \"eighty\" is not a whole number (allowed: 1 to 65535)"));
}

TEST_F(Cli, ConfigCheckUnknownKeyJson) {
    const auto result = run({"-c", config("unknown-key.yaml"), "config", "check", "--json"});
    EXPECT_EQ(result.exit_code, 2);
    const auto doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc.at("valid"), false);
    ASSERT_EQ(doc.at("diagnostics").size(), 1U);
    EXPECT_EQ(doc.at("diagnostics")[0].at("key"), "network.genesis_intervall");
    EXPECT_THAT(doc.at("diagnostics")[0].at("message").get<std::string>(),
                HasSubstr("did you mean \"genesis_interval\""));
    EXPECT_THAT(doc.at("diagnostics")[0].at("where").get<std::string>(), HasSubstr("unknown-key.yaml:3:3"));
}

TEST_F(Cli, BrokenConfigStopsOtherCommandsWithExitTwo) {
    const auto result = run({"-c", config("bad-value.yaml"), "network"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("api.port"));
    EXPECT_EQ(result.out, "");
}

TEST_F(Cli, MissingConfigFile) {
    auto result = run({"-c", "/nonexistent/ephemery.yaml", "config", "check"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("/nonexistent/ephemery.yaml (from --config) does not exist"));
    result = run({"config", "check"}, {{"EPHEMERY_CONFIG", "/nonexistent/e.yaml"}});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("from EPHEMERY_CONFIG"));
}

TEST_F(Cli, EnvironmentAndFlagOverrides) {
    auto result = run({"config", "dump", "--json", "--data-dir", "/from/flag"}, {{"EPHEMERY_API_PORT", "6001"}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc.at("data_dir"), "/from/flag");
    EXPECT_EQ(doc.at("api").at("port"), 6001);

    result = run({"config", "check"}, {{"EPHEMERY_API_PROT", "6001"}});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.out, HasSubstr("did you mean EPHEMERY_API_PORT?"));

    result = run({"config", "check", "--log-level", "loud"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.out, HasSubstr("--log-level: error: logging.level: \"loud\" is not one of"));
}

TEST_F(Cli, ConfigDumpRedactsSecrets) {
    const auto result = run({"-c", config("good.yaml"), "config", "dump"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("url: \"<redacted>\""));
    EXPECT_THAT(result.out, HasSubstr("client: \"nethermind\""));
    EXPECT_EQ(result.out.find("TOPSECRET"), std::string::npos);
    EXPECT_EQ(result.err.find("TOPSECRET"), std::string::npos);
}

TEST_F(Cli, ConfigInitWritesAValidPrivateFileAndRefusesToOverwrite) {
    auto result = run({"config", "init"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto written = work_.path() / "ephemery.yaml";
    struct stat info {};
    ASSERT_EQ(::stat(written.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);

    // ./ephemery.yaml is found without -c, and it is valid.
    result = run({"config", "check"});
    EXPECT_EQ(result.exit_code, 0) << result.out;
    EXPECT_THAT(result.out, HasSubstr("ephemery.yaml: ok"));

    std::ofstream(written, std::ios::app) << "# my edit\n";
    result = run({"config", "init"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("already exists; pass --force"));
    std::ifstream kept(written);
    const std::string contents{std::istreambuf_iterator<char>(kept), {}};
    EXPECT_THAT(contents, HasSubstr("# my edit"));  // nothing lost

    result = run({"config", "init", "--force"});
    EXPECT_EQ(result.exit_code, 0);
    result = run({"config", "init", "--output", "-"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_THAT(result.out, HasSubstr("preset: ephemery"));
}

TEST_F(Cli, LogsGoToStderrAsJsonWhenAsked) {
    const auto result =
        run({"--log-format", "json", "-c", config("good.yaml"), "network", "--json", "--at", "1780599600"},
            {{"EPHEMERY_API_LISTEN_ADDRESS", "0.0.0.0"}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(nlohmann::json::accept(result.out));  // stdout holds only the document
    const auto log_line = nlohmann::json::parse(result.err.substr(0, result.err.find('\n')));
    EXPECT_EQ(log_line.at("level"), "warning");
    EXPECT_THAT(log_line.at("message").get<std::string>(), HasSubstr("reachable from other hosts"));
}

class GenesisCli : public Cli {
  protected:
    GenesisCli()
        : server_([](httplib::Server& s) {
              for (const std::uint64_t n : {159U, 160U}) {
                  s.Get("/ephemery-" + std::to_string(n) + "/network-config.tar.gz",
                        [n](const httplib::Request&, httplib::Response& r) {
                            r.set_content(test::pack_tar_gz(test::make_release(n)), "application/gzip");
                        });
              }
              auto bad = test::make_release(161);
              bad.files.at("retention.vars") += "export EXTRA=\"1\"\n";
              bad.files.at("metadata/nodevars_env.txt") =
                  std::regex_replace(bad.files.at("metadata/nodevars_env.txt"), std::regex("39438161"), "39438000");
              const std::string archive = test::pack_tar_gz(bad);
              s.Get("/ephemery-161/network-config.tar.gz", [archive](const httplib::Request&, httplib::Response& r) {
                  r.set_content(archive, "application/gzip");
              });
          }) {}
    test::HttpTestServer server_;
    test::TempDir data_;
    std::vector<std::string> fetch(const std::string& tag) const {
        return {"genesis", "fetch", "--source", server_.base_url(), "--tag", tag, "--data-dir", data_.path().string()};
    }
};

TEST_F(GenesisCli, FetchInstallsAVerifiedReleaseThenShowAndVerify) {
    auto result = run(fetch("ephemery-160"));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("installed ephemery-160 from " + server_.base_url()));
    EXPECT_THAT(result.out, HasSubstr("verified: files, iteration, release tag, chain id"));
    EXPECT_THAT(result.out, HasSubstr("it is now current"));

    result = run({"genesis", "show", "--json", "--data-dir", data_.path().string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto shown = nlohmann::json::parse(result.out);
    EXPECT_EQ(shown.at("current"), 160);
    EXPECT_EQ(shown.at("releases")[0].at("tag"), "ephemery-160");

    result = run({"genesis", "verify", (data_.path() / "testnet" / "current").string(), "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out).at("valid"), true);

    result = run(fetch("ephemery-160"));
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_THAT(result.out, HasSubstr("already installed and current"));
}

TEST_F(GenesisCli, InconsistentReleaseExitsOneAndInstallsNothing) {
    ASSERT_EQ(run(fetch("ephemery-160")).exit_code, 0);
    const auto result = run(fetch("ephemery-161"));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("release ephemery-161 failed verification; nothing was installed"));
    EXPECT_THAT(result.err, HasSubstr("chain id: metadata/nodevars_env.txt CHAIN_ID is 39438000 but"));
    const auto shown =
        nlohmann::json::parse(run({"genesis", "show", "--json", "--data-dir", data_.path().string()}).out);
    EXPECT_EQ(shown.at("current"), 160);
    EXPECT_EQ(shown.at("releases").size(), 1U);
}

TEST_F(GenesisCli, MissingReleaseAndBadTags) {
    auto result = run(fetch("ephemery-999"));
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_THAT(result.err, HasSubstr("release ephemery-999 has no archive at"));
    result = run(fetch("devnet-5"));
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("--tag devnet-5 is not of the form ephemery-N"));
    result = run({"genesis", "fetch", "--tag", "ephemery-1", "--next"});
    EXPECT_EQ(result.exit_code, 2);
}

TEST_F(GenesisCli, VerifyReportsEachFailedCheck) {
    const test::TempDir release_dir;
    auto files = test::make_release(160);
    files.files.at("metadata/genesis_validators_root.txt") = "0x" + std::string(64, 'b') + "\n";
    for (const auto& [path, contents] : files.files) release_dir.write(path, contents);
    const auto result = run({"genesis", "verify", release_dir.path().string()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.out, HasSubstr("FAIL  genesis validators root: metadata/genesis_validators_root.txt is 0xbbbb"));
    EXPECT_THAT(result.out, HasSubstr("the release is NOT consistent"));
}

}  // namespace
}  // namespace ephemery
