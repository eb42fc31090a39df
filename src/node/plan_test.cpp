#include "node/plan.hpp"

#include "node/test_inputs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace ephemery::node {
namespace {

using clients::Client;
using testing::Contains;
using testing::HasSubstr;

NodeInputs inputs(Client execution, Client consensus, bool validator) {
    return example_node_inputs(Backend::native, execution, consensus, validator);
}

TEST(NodePlan, EveryClientCombinationRendersWithDistinctPorts) {
    for (const auto& [el_name, el] : clients::execution_client_names) {
        for (const auto& [cl_name, cl] : clients::consensus_client_names) {
            const auto plan = make_node_plan(inputs(el, cl, true));
            ASSERT_TRUE(plan.ok()) << el_name << "+" << cl_name << ": " << plan.error().message;
            ASSERT_EQ(plan->services.size(), 3U);
            std::set<std::pair<std::uint16_t, bool>> used;  // (number, is udp-ish) per transport side
            for (const ServicePlan& service : plan->services) {
                for (const AssignedPort& port : service.ports) {
                    const bool tcp = port.transport != clients::Transport::udp;
                    const bool udp = port.transport != clients::Transport::tcp;
                    if (tcp) {
                        EXPECT_TRUE(used.emplace(port.number, false).second) << service.name << " " << port.name;
                    }
                    if (udp) {
                        EXPECT_TRUE(used.emplace(port.number, true).second) << service.name << " " << port.name;
                    }
                }
                for (const std::string& argument : service.arguments) {
                    EXPECT_EQ(argument.find('{'), std::string::npos) << service.name << ": " << argument;
                }
            }
        }
    }
}

TEST(NodePlan, NamesDataDirsAndWiringFollowTheNetworkAndTheOtherServices) {
    const auto plan = make_node_plan(inputs(Client::geth, Client::lighthouse, true));
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    const ServicePlan& el = plan->services[0];
    const ServicePlan& cl = plan->services[1];
    const ServicePlan& vc = plan->services[2];
    EXPECT_EQ(el.name, "ephemery-execution-geth");
    EXPECT_EQ(cl.name, "ephemery-consensus-lighthouse");
    EXPECT_EQ(vc.name, "ephemery-validator-lighthouse");
    EXPECT_EQ(el.data_dir, "/var/lib/ephemery/execution-geth");
    EXPECT_EQ(cl.depends_on, std::vector<std::string>{"ephemery-execution-geth"});
    EXPECT_THAT(el.arguments, Contains("--networkid=39438161"));
    EXPECT_THAT(el.arguments, Contains("--authrpc.jwtsecret=/var/lib/ephemery/jwt.hex"));
    const std::string engine = "http://127.0.0.1:" + std::to_string(*el.port("engine"));
    EXPECT_TRUE(std::any_of(cl.arguments.begin(), cl.arguments.end(), [&](const std::string& a) {
        return a.find(engine) != std::string::npos;
    })) << "the CL reaches the EL's engine API";
    const std::string beacon = "http://127.0.0.1:" + std::to_string(*cl.port("http"));
    EXPECT_TRUE(std::any_of(vc.arguments.begin(), vc.arguments.end(),
                            [&](const std::string& a) { return a.find(beacon) != std::string::npos; }));
}

TEST(NodePlan, TheDevnetEditionRunsLodestarWithoutExecutionClientOnPortsFromTheBase) {
    NodeInputs devnet = inputs(Client::geth, Client::lodestar, true);
    devnet.network = "devnet";
    devnet.settings.execution.enabled = false;
    devnet.settings.validator.client = Client::lodestar;
    devnet.settings.edition = clients::Edition::devnet;
    devnet.settings.port_base = 40000;
    const auto plan = make_node_plan(devnet);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    ASSERT_EQ(plan->services.size(), 2U);
    const ServicePlan& cl = plan->services[0];
    const ServicePlan& vc = plan->services[1];
    EXPECT_EQ(cl.name, "devnet-consensus-lodestar");
    EXPECT_EQ(vc.name, "devnet-validator-lodestar");
    EXPECT_THAT(cl.arguments, Contains("--preset=minimal"));
    EXPECT_THAT(cl.arguments, Contains("--execution.engineMock"));
    EXPECT_EQ(cl.port("p2p"), 40000);
    EXPECT_EQ(cl.port("http"), 40001);
    EXPECT_EQ(vc.port("keymanager"), 40004);
    EXPECT_THAT(vc.arguments, Contains("--beaconNodes=http://127.0.0.1:40001"));

    devnet.settings.consensus.client = Client::teku;
    const auto refused = make_node_plan(devnet);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message, HasSubstr("of the devnet"));
}

TEST(NodePlan, ComposeUsesServiceNamesContainerPathsAndAllInterfaces) {
    auto in = inputs(Client::geth, Client::lodestar, false);
    in.settings.backend = Backend::compose;
    in.settings.execution.binary = "/opt/geth";  // a host path means nothing in a container
    const auto plan = make_node_plan(in);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_EQ(plan->services[0].program, "geth");
    EXPECT_EQ(plan->services[0].data_dir, "/data");
    EXPECT_EQ(plan->services[0].host_data_dir, "/var/lib/ephemery/execution-geth");
    EXPECT_THAT(plan->services[0].arguments, Contains("--http.addr=0.0.0.0"));
    EXPECT_THAT(plan->services[1].arguments, Contains(HasSubstr("http://ephemery-execution-geth:")));
}

TEST(NodePlan, OptionalValuesAreDroppedExtraArgumentsComeLastAndJsonLogsAreAsked) {
    auto in = inputs(Client::geth, Client::lighthouse, false);
    in.json_logs = true;
    in.settings.execution.extra_args = {"--cache=4096"};
    in.settings.consensus.data_dir = "/srv/lighthouse";
    const auto plan = make_node_plan(in);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->services[0].arguments.back(), "--cache=4096");
    EXPECT_THAT(plan->services[0].arguments, Contains("--log.format=json"));
    EXPECT_EQ(plan->services[1].data_dir, "/srv/lighthouse");
    for (const std::string& argument : plan->services[1].arguments) {
        EXPECT_EQ(argument.find("checkpoint"), std::string::npos);
    }
    in.checkpoint_url = "http://127.0.0.1:5099";
    const auto with_checkpoint = make_node_plan(in);
    ASSERT_TRUE(with_checkpoint.ok());
    EXPECT_THAT(with_checkpoint->services[1].arguments, Contains(HasSubstr("http://127.0.0.1:5099")));
}

TEST(NodePlan, AMissingReleaseValueNamesTheServiceAndArgument) {
    auto in = inputs(Client::geth, Client::lighthouse, false);
    in.release_values.erase("chain_id");
    const auto plan = make_node_plan(in);
    ASSERT_FALSE(plan.ok());
    EXPECT_THAT(plan.error().message, HasSubstr("ephemery-execution-geth"));
    EXPECT_THAT(plan.error().message, HasSubstr("{chain_id}"));
}

}  // namespace
}  // namespace ephemery::node
