#include "config/reader.hpp"

#include <gtest/gtest.h>

#include <array>

namespace ephemery::config {
namespace {

enum class Colour { red, green };
constexpr std::array<std::pair<std::string_view, Colour>, 2> colour_names{
    {{"red", Colour::red}, {"green", Colour::green}}};

struct Fixture {
    explicit Fixture(const std::string& yaml, std::map<std::string, std::string> environment = {})
        : context("test.yaml", {}, std::move(environment)),
          node(YAML::Load(yaml)),
          root(context, node, "", effective) {}
    ReadContext context;
    YAML::Node node;
    nlohmann::ordered_json effective;
    Section root;
};

TEST(Reader, EnvironmentNames) {
    EXPECT_EQ(environment_name("data_dir"), "EPHEMERY_DATA_DIR");
    EXPECT_EQ(environment_name("network.genesis_interval"), "EPHEMERY_NETWORK_GENESIS_INTERVAL");
}

TEST(Reader, TypedValuesAndTheEffectiveTree) {
    Fixture f("name: node\ncount: 3\nflag: yes\ncolour: green\nitems: [a, b]\nminutes: [10, 40]\n");
    std::string name;
    std::int64_t count = 0;
    bool flag = false;
    Colour colour = Colour::red;
    std::vector<std::string> items;
    std::vector<int> minutes;
    f.root.string("name", name);
    f.root.integer("count", count, {0, 10, ""});
    f.root.boolean("flag", flag);
    f.root.choice("colour", colour, NameTable<Colour>(colour_names));
    f.root.string_list("items", items);
    f.root.integer_list("minutes", minutes, {0, 59, ""});
    f.root.finish();
    EXPECT_TRUE(f.context.diagnostics.empty());
    EXPECT_EQ(name, "node");
    EXPECT_EQ(count, 3);
    EXPECT_TRUE(flag);
    EXPECT_EQ(colour, Colour::green);
    EXPECT_EQ(items, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(minutes, (std::vector<int>{10, 40}));
    EXPECT_EQ(f.effective.dump(),
              R"({"name":"node","count":3,"flag":true,"colour":"green","items":["a","b"],"minutes":[10,40]})");
}

TEST(Reader, BadValuesKeepTheDefaultAndReportOnce) {
    Fixture f("count: 3.5\nflag: maybe\nitems: {a: 1}\nminutes: [61]\n");
    std::int64_t count = 7;
    bool flag = true;
    std::vector<std::string> items{"keep"};
    std::vector<int> minutes{10};
    f.root.integer("count", count, {0, 10, "things"});
    f.root.boolean("flag", flag);
    f.root.string_list("items", items);
    f.root.integer_list("minutes", minutes, {0, 59, ""});
    f.root.finish();
    ASSERT_EQ(f.context.diagnostics.size(), 4U);
    EXPECT_EQ(f.context.diagnostics[0].message, "\"3.5\" is not a whole number (allowed: 0 to 10 things)");
    EXPECT_EQ(f.context.diagnostics[1].message, "\"maybe\" is not a boolean (allowed: true, false)");
    EXPECT_NE(f.context.diagnostics[2].message.find("expected a list"), std::string::npos);
    EXPECT_NE(f.context.diagnostics[3].message.find("\"61\" is not a whole number in range"), std::string::npos);
    EXPECT_EQ(count, 7);
    EXPECT_TRUE(flag);
    EXPECT_EQ(items, (std::vector<std::string>{"keep"}));
    EXPECT_EQ(minutes, (std::vector<int>{10}));
}

TEST(Reader, NullMeansDefault) {
    Fixture f("name:\n");
    std::string name = "default";
    f.root.string("name", name);
    f.root.finish();
    EXPECT_TRUE(f.context.diagnostics.empty());
    EXPECT_EQ(name, "default");
}

TEST(Reader, SecretsAreRedactedInTheEffectiveTree) {
    Fixture f("token: s3cret\n");
    SecretString token;
    f.root.secret("token", token);
    f.root.finish();
    EXPECT_EQ(token.reveal(), "s3cret");
    EXPECT_EQ(f.effective["token"], "<redacted>");
}

TEST(Reader, ListOfSectionsKeepsDefaultsWhenAbsent) {
    struct Item {
        std::string name;
    };
    Fixture f("");
    std::vector<Item> items{{"default"}};
    f.root.section_list<Item>("items", items, [](Section& s, Item& item) { s.string("name", item.name); });
    f.root.finish();
    ASSERT_EQ(items.size(), 1U);
    EXPECT_EQ(f.effective["items"][0]["name"], "default");
}

TEST(Reader, ListItemsHaveIndexedPaths) {
    struct Item {
        std::int64_t size{0};
    };
    Fixture f("items:\n  - size: 1\n  - size: big\n  - 5\n");
    std::vector<Item> items;
    f.root.section_list<Item>("items", items, [](Section& s, Item& item) { s.integer("size", item.size, {0, 9, ""}); });
    f.root.finish();
    ASSERT_EQ(f.context.diagnostics.size(), 2U);
    EXPECT_EQ(f.context.diagnostics[0].key, "items");  // "- 5" is not a mapping
    EXPECT_EQ(f.context.diagnostics[1].key, "items[1].size");
    EXPECT_EQ(f.context.diagnostics[1].where, "test.yaml:3:11");
    EXPECT_EQ(items.size(), 2U);
}

}  // namespace
}  // namespace ephemery::config
