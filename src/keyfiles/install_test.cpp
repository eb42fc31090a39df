#include "keyfiles/install.hpp"

#include "keyfiles/definitions.hpp"
#include "keyfiles/test_keys.hpp"
#include "test_support/files.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ephemery::keyfiles {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

// A `keys new`-style source directory with two keys, checked.
struct Source {
    test::TempDir dir;
    Discovery discovery;
    std::vector<std::string> pubkeys;

    Source() {
        dir.write("keystores/k0.json", test::make_key(1, "p0").keystore_json);
        dir.write("keystores/k1.json", test::make_key(2, "p1").keystore_json);
        dir.write("passwords/k0.txt", "p0");
        dir.write("passwords/k1.txt", "p1\n");
        discovery = discover({dir.path(), std::nullopt, std::nullopt, std::nullopt}).value();
        for (const auto& key : keys::check_keystores(discovery.candidates, {}).keys) pubkeys.push_back(key.pubkey);
    }
};

class ImportInto : public testing::TestWithParam<Layout> {};

TEST_P(ImportInto, ClientLayoutThatChecksCleanAndReimportsIdempotently) {
    const Source source;
    const test::TempDir data;
    const auto imported = import_keys(source.discovery, source.pubkeys, GetParam(), data.path());
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    ASSERT_EQ(imported->size(), 2U);
    EXPECT_FALSE(imported->at(0).already_present);
    EXPECT_EQ(fs::status(imported->at(0).password_file).permissions() & fs::perms::mask, fs::perms(0600));

    const auto discovery = discover({data.path(), std::nullopt, std::nullopt, std::nullopt});
    ASSERT_TRUE(discovery.ok()) << discovery.error().message;
    EXPECT_EQ(discovery->layout, GetParam());
    const auto summary = keys::check_keystores(discovery->candidates, {});
    EXPECT_EQ(summary.keys.size(), 2U);
    EXPECT_EQ(summary.count(keys::Severity::ok), 2U) << test::findings_of(summary);

    const auto again = import_keys(source.discovery, source.pubkeys, GetParam(), data.path());
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_TRUE(again->at(1).already_present);
    EXPECT_EQ(keys::check_keystores(discover({data.path(), std::nullopt, std::nullopt, std::nullopt})->candidates, {})
                  .keys.size(),
              2U);
}

INSTANTIATE_TEST_SUITE_P(Layouts, ImportInto,
                         testing::Values(Layout::lighthouse, Layout::teku, Layout::nimbus, Layout::lodestar,
                                         Layout::generic),
                         [](const testing::TestParamInfo<Layout>& param_info) {
                             return std::string(layout_name(param_info.param));
                         });

TEST(Import, ConflictingKeystoreForTheSameKeyStopsEverything) {
    const Source source;
    const test::TempDir data;
    data.write("keystores/" + source.pubkeys[1] + "/voting-keystore.json", "{\"other\": true}");
    const auto imported = import_keys(source.discovery, source.pubkeys, Layout::lodestar, data.path());
    ASSERT_FALSE(imported.ok());
    EXPECT_THAT(imported.error().message, HasSubstr("already holds a different keystore"));
    EXPECT_FALSE(fs::exists(data.path() / "keystores" / source.pubkeys[0]));
}

// `keys import --client lighthouse --to <relative dir>` once wrote working-directory-relative paths into
// validator_definitions.yml, which Lighthouse (and `keys check`) then could not resolve.
TEST(Import, LighthouseDefinitionsNameAbsolutePathsWhateverTheTargetWasCalled) {
    const Source source;
    const test::TempDir data;
    const fs::path relative = fs::relative(data.path(), fs::current_path());
    ASSERT_TRUE(relative.is_relative());
    const auto imported = import_keys(source.discovery, source.pubkeys, Layout::lighthouse, relative);
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    const auto definitions = parse_validator_definitions(
        test::contents_of(data.path() / "validators" / "validator_definitions.yml"), "validator_definitions.yml");
    ASSERT_TRUE(definitions.ok()) << definitions.error().message;
    ASSERT_EQ(definitions->size(), 2U);
    for (const auto& definition : *definitions) {
        EXPECT_TRUE(fs::path(definition.voting_keystore_path).is_absolute()) << definition.voting_keystore_path;
        EXPECT_TRUE(fs::exists(definition.voting_keystore_path)) << definition.voting_keystore_path;
        EXPECT_TRUE(fs::path(definition.voting_keystore_password_path).is_absolute());
    }
}

TEST(Import, PrysmIsNotWrittenByUs) {
    const Source source;
    const test::TempDir data;
    EXPECT_EQ(import_keys(source.discovery, source.pubkeys, Layout::prysm, data.path()).error().code,
              Errc::unsupported);
}

}  // namespace
}  // namespace ephemery::keyfiles
