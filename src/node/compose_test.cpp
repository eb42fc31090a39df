#include "node/compose.hpp"
#include "node/test_inputs.hpp"

#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace ephemery::node {
namespace {

namespace fs = std::filesystem;
using clients::Client;
using clients::Role;
using testing::ElementsAre;
using testing::HasSubstr;

NodeInputs compose_plan_inputs(Client execution, Client consensus, bool validator) {
    return example_node_inputs(Backend::compose, execution, consensus, validator, "/var/lib/ephemery",
                               std::string(compose_release_dir), fs::path(compose_jwt_file),
                               std::string(compose_keys_dir));
}

ComposeInputs host_paths() {
    return {.release_dir = "/var/lib/ephemery/testnet/160",
            .jwt_file = "/var/lib/ephemery/jwt.hex",
            .keys_dir = "/var/lib/ephemery/keys",
            .user = "1000:1000"};
}

NodePlan plan_for(const NodeInputs& in) {
    auto plan = make_node_plan(in);
    EXPECT_TRUE(plan.ok()) << plan.error().message;
    return plan.ok() ? std::move(plan).value() : NodePlan{};
}

YAML::Node render_and_parse(const NodePlan& plan, const ComposeInputs& inputs) {
    const auto text = render_compose(plan, inputs);
    EXPECT_TRUE(text.ok()) << text.error().message;
    return text.ok() ? YAML::Load(text.value()) : YAML::Node{};
}

// What docker compose makes of a value: "$$" is one '$'.
std::string interpolated(const std::string& value) {
    std::string result;
    for (std::size_t i = 0; i < value.size(); ++i) {
        result += value[i];
        if (value[i] == '$' && i + 1 < value.size() && value[i + 1] == '$') ++i;
    }
    return result;
}

std::vector<std::string> strings(const YAML::Node& list) {
    std::vector<std::string> values;
    for (const auto& item : list) values.push_back(interpolated(item.as<std::string>()));
    return values;
}

struct ParsedMount {
    std::string source;
    bool read_only{false};
};

// target -> mount, checking what every mount must say.
std::map<std::string, ParsedMount> mounts_of(const YAML::Node& service) {
    std::map<std::string, ParsedMount> mounts;
    for (const auto& volume : service["volumes"]) {
        EXPECT_EQ(volume["type"].as<std::string>(), "bind");
        EXPECT_FALSE(volume["bind"]["create_host_path"].as<bool>()) << "Docker must not create missing host paths";
        mounts[volume["target"].as<std::string>()] = {.source = interpolated(volume["source"].as<std::string>()),
                                                      .read_only = volume["read_only"].as<bool>(false)};
    }
    return mounts;
}

// Published ports as the brief wants them: APIs on loopback, peer-to-peer ports on every interface.
std::set<std::string> expected_ports(const ServicePlan& service) {
    std::set<std::string> ports;
    for (const AssignedPort& port : service.ports) {
        const bool peer_to_peer = port.name == "p2p" || port.name == "quic" || port.name == "discovery";
        const std::string prefix = peer_to_peer ? "" : "127.0.0.1:";
        const std::string number = std::to_string(port.number);
        const std::string mapping = fmt::format("{}{}:{}", prefix, number, number);
        if (port.transport != clients::Transport::udp) ports.insert(mapping + "/tcp");
        if (port.transport != clients::Transport::tcp) ports.insert(mapping + "/udp");
    }
    return ports;
}

std::set<std::string> published_ports(const YAML::Node& service) {
    const auto list = strings(service["ports"]);
    return {list.begin(), list.end()};
}

TEST(Compose, GethLighthouseAndItsValidatorBecomeNamedServicesWithTheirMountsPortsAndOrder) {
    const NodePlan plan = plan_for(compose_plan_inputs(Client::geth, Client::lighthouse, true));
    ASSERT_EQ(plan.services.size(), 3U);
    const ComposeInputs inputs = host_paths();
    const YAML::Node doc = render_and_parse(plan, inputs);
    ASSERT_TRUE(doc.IsMap());
    EXPECT_EQ(doc["name"].as<std::string>(), "ephemery");

    std::vector<std::string> keys;
    for (const auto& entry : doc["services"]) keys.push_back(entry.first.as<std::string>());
    EXPECT_THAT(
        keys, ElementsAre("ephemery-execution-geth", "ephemery-consensus-lighthouse", "ephemery-validator-lighthouse"));

    for (const ServicePlan& service : plan.services) {
        SCOPED_TRACE(service.name);
        const YAML::Node node = doc["services"][service.name];
        ASSERT_TRUE(node.IsMap());
        EXPECT_EQ(node["container_name"].as<std::string>(), service.name);
        EXPECT_EQ(node["image"].as<std::string>(), service.image);
        EXPECT_EQ(strings(node["command"]), service.arguments);
        EXPECT_EQ(node["restart"].as<std::string>(), "unless-stopped");
        EXPECT_EQ(node["stop_grace_period"].as<std::string>(), "2m");
        EXPECT_EQ(node["user"].as<std::string>(), "1000:1000");
        EXPECT_EQ(node["logging"]["driver"].as<std::string>(), "json-file");
        EXPECT_EQ(node["logging"]["options"]["max-size"].as<std::string>(), "50m");
        EXPECT_EQ(published_ports(node), expected_ports(service));
        if (service.depends_on.empty()) {
            EXPECT_FALSE(node["depends_on"]);
        } else {
            EXPECT_EQ(strings(node["depends_on"]), service.depends_on);
        }

        const auto mounts = mounts_of(node);
        ASSERT_TRUE(mounts.contains("/data"));
        EXPECT_EQ(mounts.at("/data").source, service.host_data_dir.string());
        EXPECT_FALSE(mounts.at("/data").read_only);
        ASSERT_TRUE(mounts.contains("/release"));
        EXPECT_EQ(mounts.at("/release").source, inputs.release_dir.string());
        EXPECT_TRUE(mounts.at("/release").read_only);
        if (service.role == Role::validator) {
            EXPECT_FALSE(mounts.contains("/jwt/jwt.hex")) << "the validator client has no use for the JWT";
            ASSERT_TRUE(mounts.contains("/keys"));
            EXPECT_EQ(mounts.at("/keys").source, inputs.keys_dir.string());
        } else {
            ASSERT_TRUE(mounts.contains("/jwt/jwt.hex"));
            EXPECT_EQ(mounts.at("/jwt/jwt.hex").source, inputs.jwt_file.string());
            EXPECT_TRUE(mounts.at("/jwt/jwt.hex").read_only);
            EXPECT_FALSE(mounts.contains("/keys"));
        }
    }

    const YAML::Node geth = doc["services"]["ephemery-execution-geth"];
    const YAML::Node beacon = doc["services"]["ephemery-consensus-lighthouse"];
    const YAML::Node validator = doc["services"]["ephemery-validator-lighthouse"];
    EXPECT_FALSE(geth["entrypoint"]) << "Geth's image runs geth";
    EXPECT_THAT(strings(beacon["entrypoint"]), ElementsAre("lighthouse")) << "Lighthouse's image has no entrypoint";
    EXPECT_THAT(strings(validator["entrypoint"]), ElementsAre("lighthouse"));
    EXPECT_THAT(strings(validator["depends_on"]),
                ElementsAre("ephemery-execution-geth", "ephemery-consensus-lighthouse"));
    EXPECT_TRUE(published_ports(geth).contains("127.0.0.1:8545:8545/tcp"));
    EXPECT_TRUE(published_ports(geth).contains("127.0.0.1:8551:8551/tcp"));
    EXPECT_TRUE(published_ports(geth).contains("30303:30303/tcp"));
    EXPECT_TRUE(published_ports(geth).contains("30303:30303/udp"));

    const auto geth_check = strings(geth["healthcheck"]["test"]);
    ASSERT_EQ(geth_check.size(), 2U);
    EXPECT_EQ(geth_check[0], "CMD-SHELL");
    EXPECT_THAT(geth_check[1], HasSubstr("--post-data"));
    EXPECT_THAT(geth_check[1], HasSubstr("eth_syncing"));
    EXPECT_THAT(geth_check[1], HasSubstr("http://127.0.0.1:8545"));
    const auto beacon_check = strings(beacon["healthcheck"]["test"]);
    ASSERT_EQ(beacon_check.size(), 2U);
    EXPECT_THAT(beacon_check[1], HasSubstr("http://127.0.0.1:5052/eth/v1/node/health"));
    EXPECT_EQ(geth["healthcheck"]["retries"].as<int>(), 3);
}

TEST(Compose, NethermindAndTekuKeepTheirImagesEntrypointsAndPublishQuicOnEveryInterface) {
    const NodePlan plan = plan_for(compose_plan_inputs(Client::nethermind, Client::teku, false));
    ASSERT_EQ(plan.services.size(), 2U);
    ComposeInputs inputs = host_paths();
    inputs.user.clear();
    const YAML::Node doc = render_and_parse(plan, inputs);
    const YAML::Node nethermind = doc["services"]["ephemery-execution-nethermind"];
    const YAML::Node teku = doc["services"]["ephemery-consensus-teku"];
    ASSERT_TRUE(nethermind.IsMap());
    ASSERT_TRUE(teku.IsMap());
    EXPECT_FALSE(nethermind["entrypoint"]);
    EXPECT_FALSE(teku["entrypoint"]) << "Teku's image runs /opt/teku/bin/teku";
    EXPECT_FALSE(teku["user"]) << "no user given: the image's own";
    EXPECT_EQ(strings(nethermind["command"]), plan.services[0].arguments);
    EXPECT_EQ(strings(teku["command"]), plan.services[1].arguments);
    EXPECT_THAT(strings(teku["depends_on"]), ElementsAre("ephemery-execution-nethermind"));
    EXPECT_EQ(published_ports(teku), expected_ports(plan.services[1]));
    EXPECT_TRUE(published_ports(teku).contains("9000:9000/udp"));
    EXPECT_TRUE(published_ports(teku).contains("9001:9001/udp"));
    EXPECT_TRUE(published_ports(teku).contains("127.0.0.1:5051:5051/tcp"));
    EXPECT_THAT(strings(nethermind["healthcheck"]["test"])[1], HasSubstr("eth_syncing"));
    EXPECT_THAT(strings(teku["healthcheck"]["test"])[1], HasSubstr("http://127.0.0.1:5051/eth/v1/node/health"));
}

const std::vector<std::string>& tricky_values() {
    static const std::vector<std::string> values{
        R"(--graffiti=a: b # c {d} [e] "quoted" 'single' \back)",
        "--x=$HOME ${HOME} $$ $",
        "--y=50%",
        "yes",
        "on",
        "null",
        "~",
        "0x10",
        "1e3",
        "9000:9000",
        "",
        " leading and trailing ",
        "line\nbreak\ttab",
        "- looks like a list",
        "&anchor *alias !tag |block >folded",
        "\xc3\xbcnicode",
    };
    return values;
}

TEST(Compose, TrickyValuesSurviveYamlAndInterpolationExactly) {
    NodeInputs in = compose_plan_inputs(Client::geth, Client::lighthouse, false);
    in.settings.execution.extra_args = tricky_values();
    const NodePlan plan = plan_for(in);
    ComposeInputs inputs = host_paths();
    inputs.release_dir = "/srv/my: release #1/$HOME/{160}";
    inputs.jwt_file = "/srv/\"jwt\" 'file'.hex";
    const auto text = render_compose(plan, inputs);
    ASSERT_TRUE(text.ok()) << text.error().message;

    // Every '$' is doubled, so docker compose interpolates nothing.
    const std::string& yaml = text.value();
    for (std::size_t i = 0; i < yaml.size();) {
        std::size_t run = 0;
        while (i + run < yaml.size() && yaml[i + run] == '$') ++run;
        EXPECT_EQ(run % 2, 0U) << "a lone '$' at offset " << i;
        i += run == 0 ? 1 : run;
    }

    const YAML::Node service = YAML::Load(yaml)["services"]["ephemery-execution-geth"];
    const auto command = strings(service["command"]);
    ASSERT_GE(command.size(), tricky_values().size());
    EXPECT_EQ(
        std::vector<std::string>(command.end() - static_cast<std::ptrdiff_t>(tricky_values().size()), command.end()),
        tricky_values());
    EXPECT_EQ(command, plan.services[0].arguments);
    const auto mounts = mounts_of(service);
    EXPECT_EQ(mounts.at("/release").source, inputs.release_dir.string());
    EXPECT_EQ(mounts.at("/jwt/jwt.hex").source, inputs.jwt_file.string());
}

TEST(Compose, RefusesWhatComposeWouldMisreadWithAMessageNamingIt) {
    const NodePlan plan = plan_for(compose_plan_inputs(Client::geth, Client::lighthouse, false));
    NodePlan upper = plan;
    upper.network = "Ephemery";
    const auto bad_name = render_compose(upper, host_paths());
    ASSERT_FALSE(bad_name.ok());
    EXPECT_THAT(bad_name.error().message, HasSubstr("\"Ephemery\""));

    ComposeInputs relative = host_paths();
    relative.jwt_file = "jwt.hex";
    const auto relative_jwt = render_compose(plan, relative);
    ASSERT_FALSE(relative_jwt.ok());
    EXPECT_THAT(relative_jwt.error().message, HasSubstr("jwt.hex"));

    ComposeInputs no_release = host_paths();
    no_release.release_dir.clear();
    EXPECT_FALSE(render_compose(plan, no_release).ok());
}

TEST(Compose, DockerComposeAcceptsTheFile) {
    const fs::path docker = test::find_on_path("docker");
    const test::TempDir home;
    const std::map<std::string, std::string> env{{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                                 {"HOME", home.path().string()}};
    if (docker.empty() || test::run_command({docker.string(), "compose", "version"}, env, "/").exit_code != 0) {
        GTEST_SKIP() << "docker compose is not installed: the file was checked by parsing it back only";
    }
    NodeInputs in = compose_plan_inputs(Client::geth, Client::lighthouse, true);
    in.settings.execution.extra_args = tricky_values();
    const NodePlan plan = plan_for(in);
    const auto text = render_compose(plan, host_paths());
    ASSERT_TRUE(text.ok()) << text.error().message;
    const fs::path file = home.write("compose.yaml", text.value());
    const auto checked =
        test::run_command({docker.string(), "compose", "-f", file.string(), "config", "-q"}, env, home.path().string());
    EXPECT_EQ(checked.exit_code, 0) << checked.err;
}

}  // namespace
}  // namespace ephemery::node
