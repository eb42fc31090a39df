#include "checkpoint/quorum.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ephemery::checkpoint {
namespace {

using testing::HasSubstr;

beacon::Root root_of(std::uint8_t byte) {
    beacon::Root root{};
    root.fill(byte);
    return root;
}

const ExpectedGenesis expected{.genesis_time = 1000, .genesis_validators_root = root_of(0xaa)};

ProviderAnswer honest(const std::string& url, std::uint64_t epoch, std::uint8_t root) {
    ProviderAnswer answer{.url = url};
    answer.genesis =
        beacon::Genesis{.genesis_time = 1000, .genesis_validators_root = root_of(0xaa), .genesis_fork_version = {}};
    beacon::FinalityCheckpoints finality;
    finality.finalized = {.epoch = epoch, .root = root_of(root)};
    answer.finality = finality;
    return answer;
}

TEST(Quorum, AgreesWhenEnoughValidProvidersReportTheSameCheckpoint) {
    auto stale = honest("stale", 9, 1);
    stale.genesis->genesis_time = 500;
    stale.genesis->genesis_validators_root = root_of(0xbb);
    auto foreign = honest("foreign", 9, 1);
    foreign.genesis->genesis_validators_root = root_of(0xcc);
    foreign.genesis->genesis_time = 2000;
    ProviderAnswer down{.url = "down"};
    down.genesis = make_error(Errc::io_error, "HTTP 500");
    const auto decision =
        decide_quorum({honest("a", 5, 1), stale, honest("b", 5, 1), foreign, down, honest("c", 6, 2)}, expected, 2);
    ASSERT_TRUE(decision.agreed.has_value()) << decision.problem;
    EXPECT_EQ(decision.agreed->epoch, 5U);
    EXPECT_THAT(decision.agreeing, testing::ElementsAre(0, 2));
    EXPECT_EQ(decision.providers[1].verdict, Verdict::stale);
    EXPECT_THAT(decision.providers[1].detail, HasSubstr("previous iteration"));
    EXPECT_EQ(decision.providers[3].verdict, Verdict::foreign);
    EXPECT_EQ(decision.providers[4].verdict, Verdict::unreachable);
    EXPECT_EQ(decision.providers[5].verdict, Verdict::disagreeing);
}

TEST(Quorum, TooFewValidProvidersIsAProblemNamingTheFix) {
    auto stale = honest("stale", 9, 1);
    stale.genesis->genesis_time = 500;
    const auto decision = decide_quorum({honest("a", 5, 1), stale}, expected, 2);
    EXPECT_FALSE(decision.agreed.has_value());
    EXPECT_THAT(decision.problem, HasSubstr("only 1 of 2 providers"));
    EXPECT_THAT(decision.problem, HasSubstr("--quorum"));
    EXPECT_EQ(decision.providers[0].verdict, Verdict::short_of_quorum)
        << "the only good provider disagrees with nobody";
    EXPECT_THAT(decision.providers[0].detail, HasSubstr("quorum not met, 1 of 2: finalized epoch 5"));
    EXPECT_EQ(verdict_name(decision.providers[0].verdict), "short of quorum");
}

TEST(Quorum, DisagreementBelowQuorumIsRefused) {
    const auto decision = decide_quorum({honest("a", 5, 1), honest("b", 5, 2), honest("c", 6, 3)}, expected, 2);
    EXPECT_FALSE(decision.agreed.has_value());
    EXPECT_THAT(decision.problem, HasSubstr("disagree"));
    for (const auto& report : decision.providers) EXPECT_EQ(report.verdict, Verdict::disagreeing) << report.url;
}

TEST(Quorum, TiesGoToTheLaterEpochAndEpochZeroIsNotACheckpoint) {
    const auto tie = decide_quorum({honest("a", 5, 1), honest("b", 6, 2)}, expected, 1);
    ASSERT_TRUE(tie.agreed.has_value());
    EXPECT_EQ(tie.agreed->epoch, 6U);
    const auto unfinalized = decide_quorum({honest("a", 0, 1), honest("b", 0, 1)}, expected, 2);
    EXPECT_FALSE(unfinalized.agreed.has_value());
    EXPECT_THAT(unfinalized.problem, HasSubstr("not finalized"));
}

}  // namespace
}  // namespace ephemery::checkpoint
