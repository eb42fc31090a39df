#include "runtime/launch.hpp"

#include "test_support/temp_dir.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

namespace ephemery::runtime {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

// Everything the process writes until it exits, then its exit code; releases and reaps its watchdog.
std::pair<std::string, int> finish(LaunchedProcess& process) {
    std::string output;
    std::array<char, 4096> buffer{};
    (void)::fcntl(process.output_fd, F_SETFL, 0);  // blocking: read to the end
    for (;;) {
        const ssize_t length = ::read(process.output_fd, buffer.data(), buffer.size());
        if (length < 0 && errno == EINTR) continue;
        if (length <= 0) break;
        output.append(buffer.data(), static_cast<std::size_t>(length));
    }
    ::close(process.output_fd);
    int status = 0;
    EXPECT_EQ(::waitpid(process.pid, &status, 0), process.pid);
    release_watchdog(process.watchdog);
    EXPECT_EQ(::waitpid(process.watchdog.pid, nullptr, 0), process.watchdog.pid);
    return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

TEST(FindProgram, LooksForAnExecutableFileOnTheSearchPath) {
    const test::TempDir dir;
    fs::create_directories(dir.path() / "bin" / "directory");
    const fs::path tool = dir.write("bin/tool", "#!/bin/sh\n");
    fs::permissions(tool, fs::perms::owner_all);
    dir.write("bin/plain", "not executable\n");
    const std::string search_path = "/nonexistent::" + (dir.path() / "bin").string();

    const auto found = find_program("tool", search_path);
    ASSERT_TRUE(found.ok()) << found.error().message;
    EXPECT_EQ(*found, tool);
    for (const std::string name : {"plain", "directory", "missing"}) {
        const auto missing = find_program(name, search_path);
        ASSERT_FALSE(missing.ok()) << name;
        EXPECT_EQ(missing.error().code, Errc::not_found);
        EXPECT_THAT(missing.error().message, HasSubstr(name + ": no such program on the PATH"));
    }
    EXPECT_EQ(*find_program("./relative/tool", ""), fs::path("./relative/tool")) << "a path is not looked up";
}

TEST(Launch, GivesTheProgramOnlyItsStandardDescriptorsInItsOwnGroup) {
    const test::TempDir dir;
    // Opened without close-on-exec, as a careless library might: the client must not inherit it.
    const int leaked = ::open("/dev/null", O_RDONLY);
    ASSERT_GE(leaked, 0);
    auto launched = launch(ProcessSpec{.name = "fds",
                                       .program = "sh",
                                       .arguments = {"-c", "cut -d' ' -f5 /proc/$$/stat; exec /bin/ls /proc/self/fd"},
                                       .working_directory = dir.path() / "work",
                                       .environment = {}},
                           std::chrono::seconds(1));
    ::close(leaked);
    ASSERT_TRUE(launched.ok()) << launched.error().message;
    const pid_t pid = launched->pid;
    const auto [output, exit_code] = finish(*launched);
    EXPECT_EQ(exit_code, 0);
    // ls itself has the directory open as 3.
    EXPECT_THAT(output, testing::EndsWith("\n0\n1\n2\n3\n"));
    EXPECT_EQ(std::stoi(output), pid) << "the program leads its own process group";
}

TEST(Launch, ReportsAProgramThatCannotBeExecuted) {
    const test::TempDir dir;
    const fs::path plain = dir.write("plain", "#!/bin/sh\n");
    const auto refused = launch(
        ProcessSpec{
            .name = "plain", .program = plain.string(), .arguments = {}, .working_directory = {}, .environment = {}},
        std::chrono::seconds(1));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::io_error);
    EXPECT_THAT(refused.error().message, HasSubstr("cannot start plain: cannot execute " + plain.string()));

    const auto missing = launch(ProcessSpec{.name = "missing",
                                            .program = "ephemery-no-such-program",
                                            .arguments = {},
                                            .working_directory = {},
                                            .environment = {}},
                                std::chrono::seconds(1));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "nothing left to reap";
}

}  // namespace
}  // namespace ephemery::runtime
