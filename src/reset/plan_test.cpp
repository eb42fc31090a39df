#include "reset/plan.hpp"

#include "test_support/release_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

namespace ephemery::reset {
namespace {

namespace fs = std::filesystem;
using clients::Client;
using clients::Role;

Instance instance(Role role, Client client, const std::string& dir) {
    return {.role = role,
            .client = client,
            .data_dir = "/node/" + dir,
            .binary = {},
            .service = clients::service_name("ephemery", role, client),
            .edition = clients::Edition::current};
}

PlanRequest request() {
    return {.data_dir = "/node",
            .instances = {instance(Role::validator, Client::lighthouse, "validator-lighthouse"),
                          instance(Role::execution, Client::geth, "execution-geth"),
                          instance(Role::consensus, Client::lighthouse, "consensus-lighthouse")},
            .target_iteration = 161,
            .from_iteration = 160,
            .archive_dir = "/node/archive/iteration-160",
            .release_values = release_placeholders("/node/testnet/161", true, {{"CHAIN_ID", "39438161"}})};
}

std::vector<std::string> services_of(const Plan& plan, StepKind kind) {
    std::vector<std::string> services;
    for (const Step& step : plan.steps) {
        if (step.kind == kind) services.push_back(step.service);
    }
    return services;
}

TEST(ResetPlan, StopsVcClElThenArchivesClearsWipesActivatesInitsRecordsAndStartsElClVc) {
    const auto plan = make_plan(request());
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    std::vector<StepKind> phases;
    for (const Step& step : plan->steps) {
        if (phases.empty() || phases.back() != step.kind) phases.push_back(step.kind);
    }
    EXPECT_EQ(phases,
              (std::vector<StepKind>{StepKind::stop_client, StepKind::archive_slashing, StepKind::clear_slashing,
                                     StepKind::wipe_chain_data, StepKind::activate_release, StepKind::init_genesis,
                                     StepKind::record_iteration, StepKind::start_client}));
    const std::vector<std::string> vc_cl_el{"ephemery-validator-lighthouse", "ephemery-consensus-lighthouse",
                                            "ephemery-execution-geth"};
    EXPECT_EQ(services_of(*plan, StepKind::stop_client), vc_cl_el);
    EXPECT_EQ(services_of(*plan, StepKind::start_client), std::vector<std::string>(vc_cl_el.rbegin(), vc_cl_el.rend()));
    // The validator client's store and the node's own database, each archived before it is cleared.
    EXPECT_EQ(services_of(*plan, StepKind::archive_slashing),
              (std::vector<std::string>{"ephemery-validator-lighthouse", ""}));
    EXPECT_EQ(services_of(*plan, StepKind::clear_slashing), services_of(*plan, StepKind::archive_slashing));
    EXPECT_EQ(services_of(*plan, StepKind::init_genesis), std::vector<std::string>{"ephemery-execution-geth"});
}

TEST(ResetPlan, WipesKeepTheCatalogsKeptPathsAndInitUsesTheNewRelease) {
    const auto plan = make_plan(request());
    ASSERT_TRUE(plan.ok());
    for (const Step& step : plan->steps) {
        if (step.kind == StepKind::wipe_chain_data && step.service == "ephemery-execution-geth" &&
            step.path == "/node/execution-geth/geth") {
            EXPECT_NE(std::find(step.keep.begin(), step.keep.end(), "nodekey"), step.keep.end());
        }
        if (step.kind == StepKind::init_genesis) {
            ASSERT_GE(step.command.size(), 2U);
            EXPECT_EQ(step.command.front(), "geth");
            EXPECT_NE(std::find(step.command.begin(), step.command.end(), "/node/testnet/161/metadata/genesis.json"),
                      step.command.end());
        }
        if (step.kind == StepKind::archive_slashing && step.service.empty()) {
            EXPECT_EQ(step.path, "/node/archive/iteration-160/ephemery-slashing-protection.tar.gz");
            EXPECT_EQ(step.source, "/node/validators/slashing-protection.sqlite");
        }
    }
}

TEST(ResetPlan, TheConfiguredBinaryRunsTheInitCommand) {
    auto req = request();
    req.instances[1].binary = "/opt/geth/bin/geth";
    const auto plan = make_plan(req);
    ASSERT_TRUE(plan.ok());
    const auto init = std::find_if(plan->steps.begin(), plan->steps.end(),
                                   [](const Step& step) { return step.kind == StepKind::init_genesis; });
    ASSERT_NE(init, plan->steps.end());
    EXPECT_EQ(init->command.front(), "/opt/geth/bin/geth");
}

TEST(ResetPlan, RefusesAClientInARoleItDoesNotPlay) {
    auto req = request();
    req.instances.push_back(instance(Role::consensus, Client::geth, "consensus-geth"));
    const auto plan = make_plan(req);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.error().message, "geth cannot run as the consensus client");
}

TEST(ResetPlan, RoundTripsThroughJson) {
    const auto plan = make_plan(request());
    ASSERT_TRUE(plan.ok());
    const auto document = to_json(*plan);
    const auto back = plan_from_json(nlohmann::json::parse(document.dump()));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(to_json(*back), document);
    EXPECT_FALSE(plan_from_json(nlohmann::json::parse(R"({"target_iteration": 1})")).ok());
    const auto bad_kind = plan_from_json(nlohmann::json::parse(
        R"({"target_iteration": 1, "data_dir": "/n", "instances": [], "steps": [{"kind": "explode", "path": "/"}]})"));
    ASSERT_FALSE(bad_kind.ok());
    EXPECT_NE(bad_kind.error().message.find("steps[0]: unknown kind 'explode'"), std::string::npos);
}

// Issue 20 item 5: a client data dir may not be, lie inside or contain a path of the node's own layout.
TEST(DataDirConflicts, EveryOverlapWithTheNodesOwnPathsIsReportedNamingTheSetting) {
    EXPECT_TRUE(data_dir_conflicts("/node", request().instances).empty()) << "the default layout is fine";
    for (const OwnedPath& owned : node_owned_paths) {
        auto instances = request().instances;
        instances[1].data_dir = fs::path("/node") / owned.path;  // execution-geth
        const auto problems = data_dir_conflicts("/node", instances);
        ASSERT_EQ(problems.size(), 1U) << owned.path;
        EXPECT_TRUE(problems[0].starts_with("clients.execution.data_dir (/node/" + std::string(owned.path) + ") is "))
            << problems[0];
        EXPECT_NE(problems[0].find(owned.what), std::string::npos) << problems[0];
        EXPECT_NE(problems[0].find("such as /node/execution-geth"), std::string::npos) << problems[0];
    }
    auto instances = request().instances;
    instances[1].data_dir = "/node/archive";       // reth's data_dir: <data>/archive, from the issue
    instances[2].data_dir = "/node/testnet/reth";  // inside the release store
    instances[0].data_dir = "/node/validators";    // contains ephemery's slashing database
    const auto problems = data_dir_conflicts("/node", instances);
    ASSERT_EQ(problems.size(), 3U) << "every problem at once";
    EXPECT_NE(problems[0].find("clients.validator.data_dir (/node/validators) contains "
                               "/node/validators/slashing-protection.sqlite"),
              std::string::npos)
        << problems[0];
    EXPECT_NE(problems[1].find("clients.execution.data_dir (/node/archive) is /node/archive"), std::string::npos);
    EXPECT_NE(problems[2].find("clients.consensus.data_dir (/node/testnet/reth) lies inside /node/testnet"),
              std::string::npos);

    instances = request().instances;
    instances[0].data_dir = "/";
    instances[2].data_dir = "/node/execution-geth/beacon";
    const auto more = data_dir_conflicts("/node", instances);
    ASSERT_EQ(more.size(), 2U);
    EXPECT_NE(more[0].find("contains the node's data dir /node"), std::string::npos) << more[0];
    EXPECT_NE(more[1].find("share the data dir /node/execution-geth"), std::string::npos) << more[1];
    EXPECT_NE(more[1].find("clients.consensus.data_dir is /node/execution-geth/beacon"), std::string::npos) << more[1];
}

// Issue 20 item 10: a journal's plan must be the one the configuration and the catalog give.
TEST(PlanDisagreement, OnlyTheProgramOfAnInitCommandMayDiffer) {
    const auto derived = make_plan(request());
    ASSERT_TRUE(derived.ok());
    EXPECT_EQ(plan_disagreement(*derived, *derived), std::nullopt);
    const auto edited = [&](const std::function<void(Plan&)>& edit) {
        Plan recorded = *derived;
        edit(recorded);
        return plan_disagreement(recorded, *derived);
    };
    const auto step_of = [](Plan& plan, StepKind kind) -> Step& {
        return *std::find_if(plan.steps.begin(), plan.steps.end(), [kind](const Step& s) { return s.kind == kind; });
    };
    EXPECT_EQ(edited([&](Plan& p) { step_of(p, StepKind::init_genesis).command.front() = "/usr/local/bin/geth"; }),
              std::nullopt);
    const auto command = edited([&](Plan& p) {
        step_of(p, StepKind::init_genesis).command = {"sh", "-c", "rm -rf ~"};
    });
    ASSERT_TRUE(command.has_value());
    EXPECT_NE(command->find("command \"sh -c rm -rf ~\""), std::string::npos) << *command;
    const auto argument =
        edited([&](Plan& p) { step_of(p, StepKind::init_genesis).command.back() = "/tmp/evil.json"; });
    EXPECT_TRUE(argument.has_value());
    const auto wiped = edited([&](Plan& p) { step_of(p, StepKind::wipe_chain_data).path = "/node/execution-geth"; });
    ASSERT_TRUE(wiped.has_value());
    EXPECT_NE(wiped->find("path \"/node/execution-geth\""), std::string::npos) << *wiped;
    EXPECT_TRUE(edited([&](Plan& p) { step_of(p, StepKind::wipe_chain_data).keep.clear(); }).has_value());
    EXPECT_TRUE(edited([&](Plan& p) { p.instances[0].data_dir = "/srv/elsewhere"; }).has_value());
    EXPECT_TRUE(edited([&](Plan& p) { p.instances.pop_back(); }).has_value());
    EXPECT_TRUE(edited([&](Plan& p) { p.steps.pop_back(); }).has_value());
    EXPECT_TRUE(edited([&](Plan& p) { step_of(p, StepKind::archive_slashing).source = "/node/x"; }).has_value());
    EXPECT_TRUE(edited([](Plan& p) { p.target_iteration = 7; }).has_value());
}

TEST(ReleasePlaceholders, DepositContractBlockComesFromTheFileThenNodevars) {
    const std::map<std::string, std::string> nodevars{{"CHAIN_ID", "39438161"}, {"DEPOSIT_CONTRACT_BLOCK", "7"}};
    EXPECT_EQ(release_placeholders("/r", true, nodevars, " 12\n").at("deposit_contract_block"), "12");
    EXPECT_EQ(release_placeholders("/r", true, nodevars).at("deposit_contract_block"), "7");
    EXPECT_EQ(release_placeholders("/r", true, nodevars, "not a number").at("deposit_contract_block"), "7");
    // No number anywhere: left out, so a client that needs it fails to render instead of guessing.
    EXPECT_FALSE(release_placeholders("/r", true, {{"CHAIN_ID", "1"}}, "-1").contains("deposit_contract_block"));
}

TEST(ReleasePlaceholders, ReadsTheReleaseInMemoryInEitherLayout) {
    auto network_config = test::make_release(161);
    network_config.files.at("metadata/deposit_contract_block.txt") = "0\n";
    const auto values = release_placeholders("/release", network_config);
    EXPECT_EQ(values.at("deposit_contract_block"), "0");
    EXPECT_EQ(values.at("chain_id"), "39438161");
    EXPECT_EQ(values.at("testnet_dir"), "/release/metadata");
    EXPECT_EQ(values.at("genesis_ssz"), "/release/metadata/genesis.ssz");

    auto legacy = test::make_release(161, release::Layout::testnet_all);
    legacy.files.erase("deposit_contract_block.txt");
    legacy.files.at("deploy_block.txt") = "42\n";
    const auto legacy_values = release_placeholders("/node/testnet/161", legacy);
    EXPECT_EQ(legacy_values.at("deposit_contract_block"), "42");
    EXPECT_EQ(legacy_values.at("testnet_dir"), "/node/testnet/161");

    // Prysm's --contract-deployment-block renders from it.
    const auto rendered = clients::render_arguments({{"--contract-deployment-block={deposit_contract_block}"}}, values);
    ASSERT_TRUE(rendered.ok()) << rendered.error().message;
    EXPECT_EQ(rendered->front(), "--contract-deployment-block=0");
}

}  // namespace
}  // namespace ephemery::reset
