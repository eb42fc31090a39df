// Runs the real binary: exit codes and messages as an operator sees them.
#include "cmd/cli_test_fixture.hpp"
#include "test_support/background_process.hpp"
#include "test_support/files.hpp"
#include "test_support/fixtures.hpp"
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
        HasSubstr("bad-value.yaml:6:9: error: api.port: \"eighty\" is not a whole number (allowed: 0 to 65535)"));
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

class SlashingCli : public Cli {
  protected:
    // An interchange of the EIP-3076 test suite, written into the working directory.
    std::string write_step(const std::string& fixture, std::size_t step, const std::string& name) const {
        const auto test_case = nlohmann::json::parse(test::read_fixture("eip3076/" + fixture + ".json"));
        std::ofstream(work_.path() / name) << test_case.at("steps").at(step).at("interchange").dump(2);
        return name;
    }
    [[nodiscard]] std::string db_path() const {
        return (data_.path() / "validators" / "slashing-protection.sqlite").string();
    }
    static unsigned mode_of(const std::filesystem::path& path) {
        struct stat info {};
        return ::stat(path.c_str(), &info) == 0 ? info.st_mode & 0777U : 0U;
    }
    const std::string zero_root = "0x" + std::string(64, '0');
    const std::string other_root = "0x" + std::string(64, '1');
    test::TempDir data_;
};

TEST_F(SlashingCli, ImportThenExportIntoTheDefaultDatabase) {
    const auto file = write_step("multiple_validators_multiple_blocks_and_attestations", 0, "history.json");
    auto result = run({"slashing", "import", file, "--data-dir", data_.path().string(), "--genesis-validators-root",
                       zero_root, "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto imported = nlohmann::json::parse(result.out);
    EXPECT_EQ(imported.at("db"), db_path());
    EXPECT_EQ(imported.at("validators"), 3);
    EXPECT_EQ(imported.at("blocks"), 9);
    EXPECT_EQ(imported.at("attestations"), 13);
    EXPECT_EQ(mode_of(db_path()), 0600U);

    result = run({"slashing", "export", "--data-dir", data_.path().string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto exported = nlohmann::json::parse(result.out);  // stdout is the interchange and nothing else
    EXPECT_EQ(exported.at("metadata").at("genesis_validators_root"), zero_root);
    ASSERT_EQ(exported.at("data").size(), 3U);
    EXPECT_EQ(exported.at("data")[0].at("signed_blocks"), nlohmann::json::parse(R"([{"slot": "20"}])"));

    result = run({"slashing", "export", "--db", db_path(), "--out", "out.json", "--minimal", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out).at("validators"), 3);
    EXPECT_EQ(mode_of(work_.path() / "out.json"), 0600U);
    result = run({"slashing", "export", "--db", db_path(), "--out", "out.json"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("out.json already exists; pass --force to replace it"));

    // The database keeps its chain: a file of another chain is refused, whoever vouches for it.
    std::ofstream(work_.path() / "other.json")
        << R"({"metadata": {"interchange_format_version": "5", "genesis_validators_root": ")" << other_root
        << R"("}, "data": []})";
    result = run({"slashing", "import", "other.json", "--db", db_path()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("protects the chain with genesis validators root " + zero_root));

    result = run({"slashing", "export", "--db", (data_.path() / "none.sqlite").string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("there is no slashing-protection database at"));
}

TEST_F(SlashingCli, CheckNamesTheWrongRootAndImportRefusesIt) {
    const auto file = write_step("single_validator_single_block", 0, "block.json");
    auto result = run({"slashing", "check", file, "--genesis-validators-root", other_root});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.out, HasSubstr("FAIL  block.json is for genesis validators root " + zero_root +
                                      ", but --genesis-validators-root says " + other_root));

    result =
        run({"slashing", "import", file, "--data-dir", data_.path().string(), "--genesis-validators-root", other_root});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("block.json is for genesis validators root " + zero_root));
    EXPECT_FALSE(std::filesystem::exists(db_path()));  // nothing was created

    result = run({"slashing", "check", file, "--genesis-validators-root", "0x12"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("--genesis-validators-root \"0x12\" is not a genesis validators root"));
}

TEST_F(SlashingCli, CheckTakesTheRootOfTheCurrentRelease) {
    const auto release = test::make_release(160);
    const auto fields = release::read_genesis_state_fields(release.files.at("metadata/genesis.ssz"));
    ASSERT_TRUE(fields.has_value());
    for (const auto& [path, contents] : release.files) {
        const auto target = data_.path() / "testnet" / "160" / path;
        std::filesystem::create_directories(target.parent_path());
        std::ofstream(target, std::ios::binary) << contents;
    }
    std::filesystem::create_directory_symlink("160", data_.path() / "testnet" / "current");

    const auto file = write_step("single_validator_single_block", 0, "block.json");
    auto result = run({"slashing", "check", file, "--data-dir", data_.path().string(), "--json"});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    const auto doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc.at("valid"), false);
    EXPECT_EQ(doc.at("expected_genesis_validators_root"), fields->genesis_validators_root);
    EXPECT_THAT(doc.at("problems")[0].get<std::string>(),
                HasSubstr("but the current release (iteration 160, metadata/genesis.ssz) says " +
                          fields->genesis_validators_root));

    auto matching = nlohmann::json::parse(test::read_fixture("eip3076/single_validator_single_block.json"))
                        .at("steps")[0]
                        .at("interchange");
    matching["metadata"]["genesis_validators_root"] = fields->genesis_validators_root;
    std::ofstream(work_.path() / "ours.json") << matching.dump();
    result = run({"slashing", "check", "ours.json", "--data-dir", data_.path().string()});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("ok    genesis validators root " + fields->genesis_validators_root +
                                      " matches the current release"));
}

TEST_F(SlashingCli, CheckReportsMalformedFieldsAndSlashableData) {
    std::ofstream(work_.path() / "bad.json")
        << R"({"metadata": {"interchange_format_version": "5", "genesis_validators_root": ")" << zero_root
        << R"("}, "data": [{"pubkey": "0x12", "signed_blocks": [], "signed_attestations": [{"source_epoch": "1", "target_epoch": "x"}]}]})";
    auto result = run({"slashing", "check", "bad.json", "--genesis-validators-root", zero_root});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.out, HasSubstr("bad.json: data[0].pubkey: \"0x12\" is not a BLS public key"));
    EXPECT_THAT(result.out, HasSubstr("bad.json: data[0].signed_attestations[0].target_epoch: \"x\" is not a decimal "
                                      "uint64"));

    const auto slashable = write_step("duplicate_pubkey_slashable_attestation", 0, "slashable.json");
    result = run({"slashing", "check", slashable, "--genesis-validators-root", zero_root, "--json"});
    EXPECT_EQ(result.exit_code, 1);
    const auto doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc.at("problems").size(), 0U);
    ASSERT_FALSE(doc.at("slashable").empty());
    EXPECT_EQ(doc.at("slashable")[0].at("kind"), "surround_vote");

    EXPECT_EQ(run({"slashing", "check", "missing.json"}).exit_code, 2);
    EXPECT_EQ(run({"slashing"}).exit_code, 2);
}

TEST_F(SlashingCli, MergeKeepsTheHighestSlotAndEpochsPerKey) {
    const auto first = write_step("multiple_interchanges_single_validator_single_message_gap", 0, "first.json");
    const auto second = write_step("multiple_interchanges_single_validator_single_message_gap", 1, "second.json");
    auto result = run({"slashing", "merge", first, second, "--out", "merged.json", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out).at("validators"), 1);
    EXPECT_EQ(mode_of(work_.path() / "merged.json"), 0600U);
    std::ifstream merged_file(work_.path() / "merged.json");
    const auto merged = nlohmann::json::parse(merged_file);
    const auto& history = merged.at("data").at(0);
    EXPECT_EQ(history.at("signed_blocks"), nlohmann::json::parse(R"([{"slot": "50"}])"));
    EXPECT_EQ(history.at("signed_attestations"),
              nlohmann::json::parse(R"([{"source_epoch": "10", "target_epoch": "50"}])"));

    std::ofstream(work_.path() / "other.json")
        << R"({"metadata": {"interchange_format_version": "5", "genesis_validators_root": ")" << other_root
        << R"("}, "data": []})";
    result = run({"slashing", "merge", first, "other.json", "--out", "mixed.json"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("other.json is for genesis validators root " + other_root +
                                      " but first.json is for " + zero_root));
    EXPECT_FALSE(std::filesystem::exists(work_.path() / "mixed.json"));
    EXPECT_EQ(run({"slashing", "merge", first}).exit_code, 2);  // --out is required
}

class KeysNewCli : public Cli {
  protected:
    static unsigned file_mode(const std::filesystem::path& path) {
        struct stat info {};
        return ::stat(path.c_str(), &info) == 0 ? info.st_mode & 0777U : 0U;
    }
    [[nodiscard]] test::CommandOutput keys_new(const std::vector<std::string>& extra) {
        std::vector<std::string> args{"keys", "new", "--count", "2", "--withdrawal", address, "--kdf", "pbkdf2"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    }
    const std::string address = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
};

TEST_F(KeysNewCli, TwoKeysWhoseKeystoresDecryptWithTheirPasswordFilesAndNoSecretPrinted) {
    auto result = keys_new({"--generate-mnemonic", "mnemonic.txt", "--out", "validators", "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto out_dir = work_.path() / "validators";
    const auto doc = nlohmann::json::parse(result.out);
    EXPECT_EQ(doc.at("count"), 2);
    EXPECT_EQ(doc.at("genesis_fork_version"), "0x1000101b");
    EXPECT_EQ(doc.at("withdrawal_credentials"), "0x010000000000000000000000" + address.substr(2));

    const std::string mnemonic = test::contents_of(work_.path() / "mnemonic.txt");
    EXPECT_EQ(file_mode(work_.path() / "mnemonic.txt"), 0600U);
    EXPECT_TRUE(std::regex_match(mnemonic, std::regex("([a-z]+ ){23}[a-z]+\n"))) << "24 words";
    std::vector<std::string> secrets{mnemonic.substr(0, mnemonic.size() - 1),
                                     mnemonic.substr(0, mnemonic.find(' ', mnemonic.find(' ') + 1))};

    std::vector<std::string> pubkeys;
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& key = doc.at("keys").at(i);
        const std::string stem = "keystore-m_12381_3600_" + std::to_string(i) + "_0_0";
        const auto keystore_path = out_dir / "keystores" / (stem + ".json");
        const auto password_path = out_dir / "passwords" / (stem + ".txt");
        EXPECT_EQ(key.at("keystore"), (std::filesystem::path("validators") / "keystores" / (stem + ".json")).string());
        EXPECT_EQ(file_mode(keystore_path), 0600U);
        EXPECT_EQ(file_mode(password_path), 0600U);
        const auto keystore = nlohmann::json::parse(test::contents_of(keystore_path));
        EXPECT_EQ(keystore.at("version"), 4);
        EXPECT_EQ(keystore.at("path"), "m/12381/3600/" + std::to_string(i) + "/0/0");
        EXPECT_EQ(keystore.at("crypto").at("kdf").at("function"), "pbkdf2");
        EXPECT_EQ("0x" + keystore.at("pubkey").get<std::string>(), key.at("pubkey"));
        pubkeys.push_back(keystore.at("pubkey").get<std::string>());
        const std::string password = test::contents_of(password_path);
        EXPECT_TRUE(std::regex_match(password, std::regex("[0-9a-f]{64}"))) << "no trailing newline";
        secrets.push_back(password);
    }
    EXPECT_NE(pubkeys[0], pubkeys[1]);
    EXPECT_NE(secrets[2], secrets[3]);

    std::vector<std::filesystem::path> deposit_files;
    for (const auto& entry : std::filesystem::directory_iterator(out_dir)) {
        if (entry.path().filename().string().starts_with("deposit_data-")) deposit_files.push_back(entry.path());
    }
    ASSERT_EQ(deposit_files.size(), 1U);
    EXPECT_EQ(deposit_files[0].string(), (work_.path() / doc.at("deposit_data").get<std::string>()).string());
    const auto deposits = nlohmann::json::parse(test::contents_of(deposit_files[0]));
    ASSERT_EQ(deposits.size(), 2U);
    EXPECT_EQ(deposits[1].at("pubkey"), pubkeys[1]);
    EXPECT_EQ(deposits[1].at("fork_version"), "1000101b");
    EXPECT_EQ(deposits[1].at("network_name"), "ephemery");
    EXPECT_EQ(test::contents_of(out_dir / "genesis-validators.txt"),
              "0x" + pubkeys[0] + ":010000000000000000000000" + address.substr(2) + ":32000000000\n0x" + pubkeys[1] +
                  ":010000000000000000000000" + address.substr(2) + ":32000000000\n");

    // The keystores decrypt with their password files (checked by the program's own keystore check).
    const auto check = run({"keys", "check", "validators"});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

    // The same mnemonic gives the same keys again.
    const auto again = keys_new({"--mnemonic-file", "mnemonic.txt", "--out", "again", "--json"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    const auto again_doc = nlohmann::json::parse(again.out);
    EXPECT_EQ(again_doc.at("keys").at(1).at("pubkey"), "0x" + pubkeys[1]);

    for (const auto& output : {result, check, again}) {
        for (const auto& secret : secrets) {
            EXPECT_THAT(output.out, testing::Not(HasSubstr(secret)));
            EXPECT_THAT(output.err, testing::Not(HasSubstr(secret)));
        }
    }
}

TEST_F(KeysNewCli, UsageErrorsExitTwoAndWriteNothing) {
    auto result = keys_new({"--generate-mnemonic", "mnemonic.txt", "--out", "validators"});
    ASSERT_EQ(result.exit_code, 0) << result.err;

    for (const std::string bad : {"0x1234", "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "alice.eth"}) {
        result = run(
            {"keys", "new", "--count", "2", "--withdrawal", bad, "--generate-mnemonic", "other.txt", "--out", "bad"});
        EXPECT_EQ(result.exit_code, 2) << bad;
        EXPECT_THAT(result.err, HasSubstr("--withdrawal: \"" + bad + "\" is not an execution address"));
    }
    EXPECT_FALSE(std::filesystem::exists(work_.path() / "other.txt"));
    EXPECT_FALSE(std::filesystem::exists(work_.path() / "bad"));

    result = keys_new({"--mnemonic-file", "absent.txt", "--out", "bad"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("--mnemonic-file: cannot read absent.txt"));

    result = keys_new({"--mnemonic-file", "mnemonic.txt", "--out", "validators"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("validators is not empty"));

    result = keys_new({"--generate-mnemonic", "mnemonic.txt", "--out", "fresh"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("mnemonic.txt already exists"));

    result = run({"-c", config("devnet.yaml"), "keys", "new", "--count", "1", "--withdrawal", address,
                  "--mnemonic-file", "mnemonic.txt", "--out", "devnet"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("pass --fork-version"));
    EXPECT_FALSE(std::filesystem::exists(work_.path() / "fresh"));
    EXPECT_FALSE(std::filesystem::exists(work_.path() / "devnet"));
}

// keys check / password rotate / import on the EIP-2335 fixture vectors and on keys made by `keys new`.
class KeysCli : public KeysNewCli {
  protected:
    // A generic directory holding one fixture keystore; returns the directory.
    std::filesystem::path fixture_dir(const std::string& keystore) {
        auto dir = work_.path() / keystore;
        std::filesystem::create_directories(dir);
        std::filesystem::copy_file(test::fixtures_dir() / "eip2335" / keystore, dir / keystore);
        return dir;
    }
    static std::filesystem::path password_file() { return test::fixtures_dir() / "eip2335/password.txt"; }
    static nlohmann::json expected() { return nlohmann::json::parse(test::read_fixture("eip2335/expected.json")); }
};

TEST_F(KeysCli, FixtureVectorsPassWithTheirPassword) {
    for (const char* keystore : {"scrypt-keystore.json", "pbkdf2-keystore.json"}) {
        const auto result = run(
            {"keys", "check", fixture_dir(keystore).string(), "--password-file", password_file().string(), "--json"});
        ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
        const auto doc = nlohmann::json::parse(result.out);
        EXPECT_EQ(doc.at("passed").get<int>() + doc.at("warnings").get<int>(), 1) << result.out;
        EXPECT_EQ(doc.at("failed"), 0);
        EXPECT_EQ(doc.at("keys").at(0).at("pubkey"), "0x" + expected().at("pubkey_hex").get<std::string>());
    }
}

TEST_F(KeysCli, WrongPasswordExitsOneWithFilePubkeyProblemAndFix) {
    const auto dir = fixture_dir("pbkdf2-keystore.json");
    const auto wrong = work_.path() / "wrong.txt";
    std::ofstream(wrong) << "testpassword\n";
    const auto result = run({"keys", "check", dir.string(), "--password-file", wrong.string()});
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("failed"));
    EXPECT_THAT(result.out, HasSubstr((dir / "pbkdf2-keystore.json").string()));
    EXPECT_THAT(result.out, HasSubstr("0x9612d7a7...420d07"));
    EXPECT_THAT(result.out, HasSubstr("the password from " + wrong.string() +
                                      " does not decrypt this keystore (checksum mismatch)"));
    EXPECT_THAT(result.out, HasSubstr("UnableToDecryptKeystore(InvalidPassword)"));
    EXPECT_THAT(result.out, HasSubstr("fix: put the keystore's own password in that file"));
}

TEST_F(KeysCli, NoSecretOrPasswordReachesOutputOrLogs) {
    const auto dir = fixture_dir("scrypt-keystore.json");
    const std::string secret_hex = expected().at("secret_hex");
    const std::string password = expected().at("password");
    const std::string encoded_hex = expected().at("encoded_password_hex");
    for (const auto& password_path : {password_file(), work_.path() / "wrong.txt"}) {
        std::ofstream(work_.path() / "wrong.txt") << "not the password";
        for (const char* format : {"text", "json"}) {
            const auto result = run({"keys", "check", dir.string(), "--password-file", password_path.string(),
                                     "--log-level", "trace", "--log-format", format, "--json"});
            const std::string everything = result.out + result.err;
            EXPECT_EQ(everything.find(secret_hex), std::string::npos);
            EXPECT_EQ(everything.find(secret_hex.substr(10)), std::string::npos);
            EXPECT_EQ(everything.find(password), std::string::npos);
            EXPECT_EQ(everything.find(encoded_hex), std::string::npos);
            EXPECT_EQ(everything.find("not the password"), std::string::npos);
        }
    }
}

TEST_F(KeysCli, UsageErrorsExitTwo) {
    EXPECT_EQ(run({"keys", "check", "/nonexistent"}).exit_code, 2);
    const auto bad_client = run({"keys", "check", work_.path().string(), "--client", "lighthous"});
    EXPECT_EQ(bad_client.exit_code, 2);
    EXPECT_THAT(bad_client.err, HasSubstr("allowed: lighthouse, teku, nimbus, lodestar, prysm, generic"));
    const auto no_path = run({"keys", "check"});
    EXPECT_EQ(no_path.exit_code, 2);
    EXPECT_THAT(no_path.err, HasSubstr("validators.keystores_dir"));
    EXPECT_EQ(run({"keys", "import", "--client", "prysm", "--from", work_.path().string(), "--to", "x"}).exit_code, 2);
}

TEST_F(KeysCli, NewKeysImportIntoLodestarThenRotateAndCheck) {
    ASSERT_EQ(keys_new({"--generate-mnemonic", "m.txt", "--out", "new"}).exit_code, 0);
    const auto data = work_.path() / "lodestar";
    auto result = run({"keys", "import", "--client", "lodestar", "--from", (work_.path() / "new").string(), "--to",
                       data.string(), "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out).at("keys").size(), 2U);
    ASSERT_EQ(run({"keys", "check", data.string()}).exit_code, 0);

    const auto new_password = work_.path() / "new-password.txt";
    std::ofstream(new_password) << "a brand new password\n";
    result = run({"keys", "password", "rotate", data.string(), "--new-password-file", new_password.string(), "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out).at("rotated").size(), 2U);
    result = run({"keys", "check", data.string(), "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out).at("passed"), 2);
    for (const auto& entry : std::filesystem::directory_iterator(data / "secrets")) {
        EXPECT_EQ(test::contents_of(entry.path()), "a brand new password");
        EXPECT_EQ(file_mode(entry.path()), 0600U);
    }
}

TEST_F(Cli, MonitoringCommandsSayWhatIsMissing) {
    const std::string data_dir = (work_.path() / "data").string();
    const auto history = run({"--data-dir", data_dir, "history"});
    EXPECT_EQ(history.exit_code, 3);
    EXPECT_NE(history.err.find("no monitoring history at"), std::string::npos) << history.err;

    const auto bad_period = run({"--data-dir", data_dir, "report", "--period", "2w"});
    EXPECT_EQ(bad_period.exit_code, 2);
    EXPECT_NE(bad_period.err.find("7d"), std::string::npos) << bad_period.err;  // the allowed windows are listed

    const auto once = run({"--data-dir", data_dir, "monitor", "once", "--beacon-url",
                           "http://127.0.0.1:" + std::to_string(test::free_loopback_port())});
    EXPECT_EQ(once.exit_code, 3);
    EXPECT_NE(once.err.find("127.0.0.1"), std::string::npos) << once.err;  // which node could not be reached
}

TEST_F(Cli, AlertSilencesAreSetListedAndLifted) {
    const auto data_dir = work_.path() / "data";
    std::filesystem::create_directories(data_dir);
    const auto missing_dir = run({"--data-dir", (work_.path() / "nowhere").string(), "alerts", "silences"});
    EXPECT_EQ(missing_dir.exit_code, 3);
    EXPECT_NE(missing_dir.err.find("does not exist"), std::string::npos) << missing_dir.err;

    const std::string dir = data_dir.string();
    const auto bad_rule = run({"--data-dir", dir, "alerts", "silence", "--rule", "no_such_rule", "--for", "1h"});
    EXPECT_EQ(bad_rule.exit_code, 2);
    EXPECT_NE(bad_rule.err.find("node_out_of_sync"), std::string::npos) << bad_rule.err;  // the rules are listed
    const auto bad_duration = run({"--data-dir", dir, "alerts", "silence", "--for", "soon"});
    EXPECT_EQ(bad_duration.exit_code, 2);
    EXPECT_NE(bad_duration.err.find("--for \"soon\""), std::string::npos) << bad_duration.err;
    const auto bad_match = run({"--data-dir", dir, "alerts", "silence", "--for", "1h", "--match", "mine"});
    EXPECT_EQ(bad_match.exit_code, 2);

    const auto set = run({"--data-dir", dir, "alerts", "silence", "--rule", "node_out_of_sync", "--match", "label=mine",
                          "--for", "2h", "--reason", "upgrading"});
    ASSERT_EQ(set.exit_code, 0) << set.err;
    EXPECT_NE(set.out.find("rule node_out_of_sync where label=mine"), std::string::npos) << set.out;
    ASSERT_EQ(run({"--data-dir", dir, "alerts", "silence", "--for", "30m"}).exit_code, 0);

    const auto listed = run({"--data-dir", dir, "alerts", "silences", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const auto document = nlohmann::json::parse(listed.out);
    ASSERT_EQ(document["silences"].size(), 2U);
    EXPECT_EQ(document["silences"][0]["labels"]["label"], "mine");
    EXPECT_EQ(document["silences"][1]["rule"], "");

    EXPECT_EQ(run({"--data-dir", dir, "alerts", "unsilence", "3"}).exit_code, 2);
    ASSERT_EQ(run({"--data-dir", dir, "alerts", "unsilence", "1"}).exit_code, 0);
    const auto after = run({"--data-dir", dir, "alerts", "silences"});
    EXPECT_NE(after.out.find("1. every rule on every series"), std::string::npos) << after.out;
    ASSERT_EQ(run({"--data-dir", dir, "alerts", "unsilence", "--all"}).exit_code, 0);
    EXPECT_NE(run({"--data-dir", dir, "alerts", "silences"}).out.find("no silences in force"), std::string::npos);
}

}  // namespace
}  // namespace ephemery
