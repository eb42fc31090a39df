#include "clients/catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace ephemery::clients {
namespace {

bool is_safe_relative(const std::string& path) {
    if (path.empty() || path.front() == '/') return false;
    if (path == ".") return true;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return true;
}

// a is b or below b.
bool is_within(const std::string& a, const std::string& b) {
    return b == "." || a == b || (a.size() > b.size() && a.compare(0, b.size(), b) == 0 && a[b.size()] == '/');
}

TEST(Catalog, HasEveryClientOnceInEnumOrder) {
    const auto& entries = catalog();
    ASSERT_EQ(entries.size(), execution_client_names.size() + consensus_client_names.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(static_cast<std::size_t>(entries[i].client), i);
        EXPECT_EQ(entries[i].name, client_name(entries[i].client));
    }
}

TEST(Catalog, ExecutionClientsRunExecutionConsensusClientsRunConsensusAndValidator) {
    for (const auto& [name, client] : execution_client_names) {
        EXPECT_NE(role_spec(client, Role::execution), nullptr) << name;
        EXPECT_EQ(role_spec(client, Role::consensus), nullptr) << name;
    }
    for (const auto& [name, client] : consensus_client_names) {
        EXPECT_NE(role_spec(client, Role::consensus), nullptr) << name;
        EXPECT_NE(role_spec(client, Role::validator), nullptr) << name;
        EXPECT_EQ(role_spec(client, Role::execution), nullptr) << name;
    }
}

// The roles of both editions (current and devnet).
std::vector<RoleSpec> every_edition(const ClientSpec& client) {
    std::vector<RoleSpec> roles = client.roles;
    roles.insert(roles.end(), client.devnet_roles.begin(), client.devnet_roles.end());
    return roles;
}

TEST(Catalog, PathsAreRelativeAndKeptPathsAreNeverWipedAsSlashingData) {
    for (const ClientSpec& client : catalog()) {
        for (const RoleSpec& role : every_edition(client)) {
            const std::string where = client.name + " " + std::string(role_name(role.role));
            EXPECT_FALSE(role.keep.empty()) << where << ": a reset must know what it keeps";
            for (const KeptPath& kept : role.keep) {
                EXPECT_TRUE(is_safe_relative(kept.path)) << where << ": " << kept.path;
                EXPECT_NE(kept.path, ".") << where;
                for (const SlashingStore& store : role.slashing) {
                    EXPECT_FALSE(is_within(store.path, kept.path) && store.path == kept.path) << where;
                    EXPECT_FALSE(is_within(kept.path, store.path)) << where << ": " << kept.path << " is slashing data";
                }
            }
            for (const WipedPath& wiped : role.wipe) {
                EXPECT_TRUE(is_safe_relative(wiped.path)) << where << ": " << wiped.path;
                for (const KeptPath& kept : role.keep) {
                    EXPECT_FALSE(is_within(wiped.path, kept.path)) << where << ": " << wiped.path << " is kept data";
                }
            }
            for (const SlashingStore& store : role.slashing) {
                EXPECT_TRUE(is_safe_relative(store.path)) << where << ": " << store.path;
                EXPECT_NE(store.path, ".") << where;
            }
            EXPECT_EQ(role.role == Role::validator, !role.slashing.empty()) << where;
            EXPECT_FALSE(role.program.empty()) << where;
        }
    }
}

TEST(Catalog, ArgumentsUseOnlyKnownPlaceholders) {
    for (const ClientSpec& client : catalog()) {
        for (const RoleSpec& role : every_edition(client)) {
            for (const auto* list : {&role.run, &role.init, &role.json_logs}) {
                for (const std::string& name : placeholders_in(*list)) {
                    EXPECT_NE(std::find(placeholder_names.begin(), placeholder_names.end(), name),
                              placeholder_names.end())
                        << client.name << ": {" << name << "}";
                }
            }
        }
    }
}

TEST(Catalog, OnlyLodestarHasADevnetEditionAndItRunsWithoutExecutionClient) {
    for (const ClientSpec& client : catalog()) {
        EXPECT_EQ(!client.devnet_roles.empty(), client.client == Client::lodestar) << client.name;
    }
    const RoleSpec* beacon = role_spec(Client::lodestar, Role::consensus, Edition::devnet);
    ASSERT_NE(beacon, nullptr);
    EXPECT_NE(beacon, role_spec(Client::lodestar, Role::consensus));
    const auto uses = placeholders_in(beacon->run);
    for (const char* absent : {"engine_url", "jwt_file", "bootnodes_enr"}) {
        EXPECT_EQ(std::find(uses.begin(), uses.end(), absent), uses.end()) << absent;
    }
    EXPECT_EQ(role_spec(Client::geth, Role::execution, Edition::devnet), nullptr);
    EXPECT_EQ(role_spec(Client::lodestar, Role::validator, Edition::devnet)->slashing.front().path, "validator-db");
}

TEST(Catalog, ServiceNamesFollowNetworkRoleClient) {
    EXPECT_EQ(service_name("ephemery", Role::execution, Client::geth), "ephemery-execution-geth");
    EXPECT_EQ(service_name("devnet", Role::validator, Client::lodestar), "devnet-validator-lodestar");
    EXPECT_EQ(client_from_name("grandine"), Client::grandine);
    EXPECT_EQ(client_from_name("Geth"), std::nullopt);
    EXPECT_EQ(role_from_name("validator"), Role::validator);
}

TEST(RenderArguments, FillsPlaceholdersAndDropsOptionalArgumentsWithoutValues) {
    const std::vector<Argument> arguments{
        {"--datadir={data_dir}"}, {"--checkpoint-sync-url={checkpoint_url}", true}, {"--port"}, {"{p2p_port}"}};
    const auto rendered = render_arguments(arguments, {{"data_dir", "/d"}, {"p2p_port", "30303"}});
    ASSERT_TRUE(rendered.ok()) << rendered.error().message;
    EXPECT_EQ(*rendered, (std::vector<std::string>{"--datadir=/d", "--port", "30303"}));
}

TEST(RenderArguments, NamesTheArgumentWhenARequiredValueIsMissingOrUnknown) {
    const auto missing = render_arguments({{"--datadir={data_dir}"}}, {});
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("--datadir={data_dir}"), std::string::npos);
    const auto unknown = render_arguments({{"--x={nope}"}}, {{"nope", "1"}});
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("unknown placeholder {nope}"), std::string::npos);
    EXPECT_FALSE(render_arguments({{"--x={data_dir"}}, {}).ok());
}

}  // namespace
}  // namespace ephemery::clients
