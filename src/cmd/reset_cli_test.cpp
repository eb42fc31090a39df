// `ephemery reset plan` and `reset run` on the built binary: a node with Geth and Lighthouse on iteration 160
// is reset to 161, with a stand-in geth that records its genesis init.
#include "cmd/cli_test_fixture.hpp"
#include "test_support/background_process.hpp"
#include "test_support/release_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace ephemery {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

class ResetCli : public Cli {
  protected:
    ResetCli() {
        for (const std::uint64_t n : {160U, 161U}) {
            write(releases_.path() / ("ephemery-" + std::to_string(n)) / "network-config.tar.gz",
                  test::pack_tar_gz(test::make_release(n)));
        }
        // Stands in for geth: `init --datadir=D genesis.json` leaves D/geth/chaindata/GENESIS naming the file.
        write(node_.path() / "bin/geth",
              "#!/bin/sh\nd=${2#--datadir=}\nmkdir -p \"$d/geth/chaindata\"\necho \"$3\" > "
              "\"$d/geth/chaindata/GENESIS\"\n"
              "echo initialised\n");
        fs::permissions(node_.path() / "bin/geth", fs::perms::owner_all);
        write(config_file(), "data_dir: " + data().string() +
                                 "\nclients:\n  execution:\n    client: geth\n    binary: " +
                                 (node_.path() / "bin/geth").string() + "\n  consensus:\n    client: lighthouse\n");
        write(data() / "iteration.json", "{\"iteration\": 160}\n");
        write(geth() / "geth/nodekey", "node key of geth");
        write(geth() / "geth/chaindata/000001.ldb", std::string(4096, 'c'));
        write(geth() / "keystore/UTC--2026", "{}");
        write(lighthouse() / "beacon/network/key", "libp2p key");
        write(lighthouse() / "beacon/chain_db/1.ldb", std::string(2048, 'b'));
    }
    [[nodiscard]] fs::path data() const { return node_.path() / "data"; }
    [[nodiscard]] fs::path geth() const { return data() / "execution-geth"; }
    [[nodiscard]] fs::path lighthouse() const { return data() / "consensus-lighthouse"; }
    [[nodiscard]] fs::path config_file() const { return node_.path() / "ephemery.yaml"; }
    std::vector<std::string> with_config(std::vector<std::string> args) const {
        args.insert(args.end(), {"--config", config_file().string()});
        return args;
    }
    void install_releases() {
        const std::string source = releases_.path().string();
        ASSERT_EQ(run(with_config({"genesis", "fetch", "--source", source, "--iteration", "160"})).exit_code, 0);
        const auto next =
            run(with_config({"genesis", "fetch", "--source", source, "--iteration", "161", "--no-activate"}));
        ASSERT_EQ(next.exit_code, 0) << next.err;
    }

    test::TempDir node_;
    test::TempDir releases_;
};

TEST_F(ResetCli, PlanShowsEveryPathWithItsSizeAndChangesNothingThenRunResetsAndASecondRunRefuses) {
    install_releases();
    auto result = run(with_config({"reset", "plan", "--iteration", "161"}));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("to iteration 161 (the node is on iteration 160)"));
    EXPECT_THAT(result.out, HasSubstr("delete geth/chaindata  (4.0 KiB, 2 entries)"));
    EXPECT_THAT(result.out, HasSubstr("keep   geth/nodekey"));
    EXPECT_THAT(result.out, HasSubstr("keep   beacon/network"));
    EXPECT_THAT(result.out, HasSubstr("run: " + (node_.path() / "bin/geth").string() + " init"));
    EXPECT_THAT(result.out, HasSubstr("nothing was changed"));
    EXPECT_TRUE(fs::exists(geth() / "geth/chaindata/000001.ldb"));

    result = run(with_config({"reset", "plan", "--iteration", "161", "--json"}));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto plan = nlohmann::json::parse(result.out);
    EXPECT_EQ(plan.at("target_iteration"), 161);
    EXPECT_EQ(plan.at("steps")[0].at("kind"), "stop-client");
    EXPECT_TRUE(plan.at("refusals").empty());

    result = run(with_config({"reset", "run", "--iteration", "161"}));
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("the node is reset to iteration 161"));
    EXPECT_THAT(result.out,
                HasSubstr("start your clients now: ephemery-execution-geth, ephemery-consensus-lighthouse"));
    EXPECT_EQ(read(geth() / "geth/nodekey"), "node key of geth");
    EXPECT_EQ(read(lighthouse() / "beacon/network/key"), "libp2p key");
    EXPECT_TRUE(fs::exists(geth() / "keystore/UTC--2026"));
    EXPECT_FALSE(fs::exists(geth() / "geth/chaindata/000001.ldb"));
    EXPECT_FALSE(fs::exists(lighthouse() / "beacon/chain_db"));
    EXPECT_THAT(read(geth() / "geth/chaindata/GENESIS"), HasSubstr("testnet/161/metadata/genesis.json"));
    EXPECT_EQ(fs::read_symlink(data() / "testnet/current"), "161");

    result = run(with_config({"reset", "run", "--iteration", "161"}));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("already on iteration 161"));
}

TEST_F(ResetCli, RefusesWithoutTheReleaseAndWhileAClientStillUsesItsDataDir) {
    auto result = run(with_config({"reset", "run", "--iteration", "161"}));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.err, HasSubstr("ephemery genesis fetch --iteration 161 --no-activate"));
    EXPECT_TRUE(fs::exists(geth() / "geth/chaindata/000001.ldb"));

    install_releases();
    test::BackgroundProcess client(
        {.argv = {"/bin/sleep", "60"}, .env = {}, .working_directory = geth(), .log_file = node_.path() / "sleep.log"});
    result = run(with_config({"reset", "run", "--iteration", "161"}));
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_THAT(result.err, HasSubstr("ephemery-execution-geth still runs: process"));
    EXPECT_THAT(result.err, HasSubstr("resumes at this step"));
    EXPECT_TRUE(fs::exists(geth() / "geth/chaindata/000001.ldb"));
    client.stop();

    result = run(with_config({"reset", "plan", "--iteration", "161"}));
    EXPECT_THAT(result.out, HasSubstr("An interrupted reset is recorded"));
    result = run(with_config({"reset", "run", "--iteration", "161"}));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_FALSE(fs::exists(geth() / "geth/chaindata/000001.ldb"));
}

TEST_F(ResetCli, AClientDataDirAtTheRootIsAConfigError) {
    write(config_file(), "data_dir: " + data().string() + "\nclients:\n  execution:\n    data_dir: /\n");
    const auto result = run(with_config({"reset", "plan", "--iteration", "161"}));
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("clients.execution.data_dir"));
    EXPECT_THAT(result.err, HasSubstr("root directory"));
}

TEST_F(Cli, ClientsListsTheCatalogAndShowsOneClientWithItsSources) {
    auto result = run({"clients"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("grandine    consensus, validator"));
    result = run({"clients", "nimbus"});
    ASSERT_EQ(result.exit_code, 0);
    EXPECT_THAT(result.out, HasSubstr("keep     netkey"));
    EXPECT_THAT(result.out, HasSubstr("source   https://github.com/status-im/nimbus-eth2"));
    result = run({"clients", "geth", "--json"});
    ASSERT_EQ(result.exit_code, 0);
    const auto geth = nlohmann::json::parse(result.out).at(0);
    EXPECT_EQ(geth.at("roles").at(0).at("keep").at(0).at("path"), "geth/nodekey");
    result = run({"clients", "gteh"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("unknown client 'gteh'"));
}

}  // namespace
}  // namespace ephemery
