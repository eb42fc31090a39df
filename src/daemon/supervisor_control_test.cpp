#include "daemon/supervisor_control.hpp"

#include "test_support/files.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

namespace ephemery::daemon {
namespace {

using testing::HasSubstr;

class SupervisedReset : public testing::Test {
  protected:
    SupervisedReset() {
        const auto script = dir_.write("client.sh", "#!/bin/sh\nexec sleep 300\n");
        std::filesystem::permissions(script, std::filesystem::perms::owner_all);
        runtime::SupervisorSettings settings;
        settings.log_dir = dir_.path() / "logs";
        settings.interrupt_timeout = std::chrono::milliseconds(2000);
        auto created = runtime::Supervisor::create(settings, {{.name = "devnet-consensus-lodestar",
                                                               .program = script.string(),
                                                               .arguments = {},
                                                               .working_directory = dir_.path(),
                                                               .environment = {}}});
        EXPECT_TRUE(created.ok()) << created.error().message;
        supervisor_ = std::make_unique<runtime::Supervisor>(std::move(created).value());
    }
    reset::Instance instance() const {
        return {.role = clients::Role::consensus,
                .client = clients::Client::lodestar,
                .data_dir = dir_.path(),
                .binary = {},
                .service = "devnet-consensus-lodestar",
                .edition = clients::Edition::current};
    }
    test::TempDir dir_;
    std::unique_ptr<runtime::Supervisor> supervisor_;
};

TEST_F(SupervisedReset, StopAndStartGoThroughTheSupervisor) {
    SupervisorControl control(*supervisor_);
    ASSERT_TRUE(control.start(instance()).ok());
    EXPECT_NE(supervisor_->status("devnet-consensus-lodestar")->state, runtime::ServiceState::stopped);
    ASSERT_TRUE(control.stop(instance()).ok());
    EXPECT_EQ(supervisor_->status("devnet-consensus-lodestar")->state, runtime::ServiceState::stopped);
    ASSERT_TRUE(control.stop(instance()).ok()) << "stopping a stopped client succeeds";
    auto unknown = instance();
    unknown.service = "devnet-validator-lodestar";
    EXPECT_FALSE(control.stop(unknown).ok());
}

TEST_F(SupervisedReset, InitCommandsMustExitZeroAndTheirOutputExplainsAFailure) {
    SupervisorControl control(*supervisor_);
    EXPECT_TRUE(control.run(instance(), {"/bin/true"}).ok());
    const auto failed = control.run(instance(), {"/bin/sh", "-c", "echo Fatal: bad genesis >&2; exit 1"});
    ASSERT_FALSE(failed.ok());
    EXPECT_THAT(failed.error().message, HasSubstr("exited with 1"));
    EXPECT_THAT(failed.error().message, HasSubstr("Fatal: bad genesis"));
}

TEST_F(SupervisedReset, EachStartUsesTheRefreshedSpec) {
    const auto script = dir_.write("new-client.sh", "#!/bin/sh\necho started with \"$@\"\nexec sleep 300\n");
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    SupervisorControl control(*supervisor_, [&](const reset::Instance& which) -> Result<runtime::ProcessSpec> {
        return runtime::ProcessSpec{.name = which.service,
                                    .program = script.string(),
                                    .arguments = {"--chain-id=39438144"},
                                    .working_directory = dir_.path(),
                                    .environment = {}};
    });
    ASSERT_TRUE(control.start(instance()).ok());
    const std::string log = (dir_.path() / "logs" / "devnet-consensus-lodestar.log").string();
    for (int attempt = 0; attempt < 200 && test::contents_of(log).find("started with") == std::string::npos;
         ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_THAT(test::contents_of(log), HasSubstr("started with --chain-id=39438144"));
    ASSERT_TRUE(control.stop(instance()).ok());

    SupervisorControl failing(*supervisor_, [](const reset::Instance&) -> Result<runtime::ProcessSpec> {
        return make_error(Errc::not_found, "no release is active");
    });
    const auto refused = failing.start(instance());
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message, HasSubstr("no release is active"));
}

}  // namespace
}  // namespace ephemery::daemon
