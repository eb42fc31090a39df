#include "release/layout.hpp"

#include "test_support/release_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ephemery::release {
namespace {

using testing::HasSubstr;

TEST(ReleaseFileAdmission, EveryFileOfBothLayoutsIsNamed) {
    for (const Layout layout : {Layout::network_config, Layout::testnet_all}) {
        for (const auto& [path, contents] : test::make_release(160, layout).files) {
            if (path.starts_with("bootnode-keys/")) continue;  // any names: they share the allowance
            EXPECT_TRUE(named_file_cap(layout, path).has_value()) << layout_name(layout) << " " << path;
        }
        for (const auto& path : mandatory_files(layout)) EXPECT_TRUE(named_file_cap(layout, path)) << path;
    }
    EXPECT_EQ(named_file_cap(Layout::network_config, "metadata/genesis.ssz"), large_release_file_bytes);
    EXPECT_EQ(named_file_cap(Layout::network_config, "parsed/parsedConsensusGenesis.json"), large_release_file_bytes);
    EXPECT_EQ(named_file_cap(Layout::network_config, "metadata/config.yaml"), small_release_file_bytes);
    EXPECT_EQ(named_file_cap(Layout::network_config, "metadata/boot_enr.yaml"), small_release_file_bytes);
    EXPECT_EQ(named_file_cap(Layout::testnet_all, "parsedBeaconState.json"), large_release_file_bytes);
    // A name in the wrong place for its layout is not the file the layout names.
    EXPECT_FALSE(named_file_cap(Layout::network_config, "genesis.ssz"));
    EXPECT_FALSE(named_file_cap(Layout::testnet_all, "metadata/genesis.ssz"));
    EXPECT_FALSE(named_file_cap(Layout::network_config, "payload.bin"));
}

TEST(ReleaseFileAdmission, NamedFilesWithinTheirCapUnnamedOnesWithinTheAllowance) {
    ReleaseFileAdmission admission(Layout::network_config);
    EXPECT_EQ(admission.admit("metadata/genesis.ssz", 5'000'000).value(), large_release_file_bytes);
    const auto too_large = admission.admit("metadata/config.yaml", small_release_file_bytes + 1);
    ASSERT_FALSE(too_large.ok());
    EXPECT_EQ(too_large.error().code, Errc::verification_failed);
    EXPECT_EQ(too_large.error().message,
              "is 1048577 bytes; a network-config release's metadata/config.yaml is at "
              "most 1048576 bytes");

    EXPECT_EQ(admission.admit("bootnode-keys/a.pub", 3 << 20U).value(), std::uint64_t{3} << 20U);
    EXPECT_EQ(admission.admit("README", 1 << 20U).value(), std::uint64_t{1} << 20U);
    const auto stray = admission.admit("payload.bin", 1);
    ASSERT_FALSE(stray.ok());
    EXPECT_THAT(stray.error().message, HasSubstr("is 1 bytes, and it is not a file a network-config release has: "
                                                 "such files may hold 4194304 bytes in all (0 left)"));
    // Named files never draw on the allowance.
    EXPECT_TRUE(admission.admit("metadata/genesis.json", 1000).ok());
}

}  // namespace
}  // namespace ephemery::release
