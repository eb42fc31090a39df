#include "daemon/supervisor_control.hpp"

#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
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
                .service = "devnet-consensus-lodestar"};
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

}  // namespace
}  // namespace ephemery::daemon
