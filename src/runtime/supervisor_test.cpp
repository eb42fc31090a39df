#include "runtime/supervisor.hpp"

#include "runtime/process_group.hpp"
#include "test_support/background_process.hpp"
#include "test_support/files.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ephemery::runtime {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;
using testing::HasSubstr;

// A fake client: a /bin/sh script, executable, run directly (the kernel reads its #! line).
fs::path write_script(const test::TempDir& dir, const std::string& name, const std::string& body) {
    fs::path path = dir.write(name, "#!/bin/sh\n" + body);
    fs::permissions(path, fs::perms::owner_all);
    return path;
}

// Numbers a script wrote one per line ("echo $$ > file"); only complete lines count.
std::vector<long long> read_numbers(const fs::path& path) {
    std::vector<long long> numbers;
    const std::string text = test::contents_of(path);
    std::size_t start = 0;
    for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        long long number = 0;
        const auto [parsed, error] = std::from_chars(text.data() + start, text.data() + end, number);
        if (error == std::errc{} && parsed == text.data() + end) numbers.push_back(number);
        start = end + 1;
    }
    return numbers;
}

// The state letter of /proc/<pid>/stat ('T' stopped, 'S' sleeping, ...); 0 when the process is gone.
char process_state(pid_t pid) {
    const std::string stat = test::contents_of(fs::path("/proc") / std::to_string(pid) / "stat");
    const auto name_end = stat.rfind(')');
    return name_end == std::string::npos || name_end + 2 >= stat.size() ? '\0' : stat[name_end + 2];
}

std::optional<pid_t> read_pid(const fs::path& path) {
    const auto numbers = read_numbers(path);
    if (numbers.empty()) return std::nullopt;
    return static_cast<pid_t>(numbers.front());
}

// Settings that keep the tests fast; each test sets the durations it is about.
SupervisorSettings fast_settings(const test::TempDir& dir) {
    SupervisorSettings settings;
    settings.log_dir = dir.path() / "logs";
    settings.backoff_initial = milliseconds(50);
    settings.backoff_max = milliseconds(200);
    settings.started_after = milliseconds(20);
    settings.interrupt_timeout = seconds(2);
    settings.terminate_timeout = seconds(2);
    settings.kill_timeout = seconds(2);
    settings.orphan_timeout = seconds(2);
    return settings;
}

ProcessSpec script_spec(const std::string& name, const fs::path& script, std::vector<std::string> arguments = {}) {
    return ProcessSpec{.name = name,
                       .program = script.string(),
                       .arguments = std::move(arguments),
                       .working_directory = {},
                       .environment = {}};
}

Supervisor make_supervisor(SupervisorSettings settings, std::vector<ProcessSpec> specs) {
    auto supervisor = Supervisor::create(std::move(settings), std::move(specs));
    if (!supervisor.ok()) throw std::runtime_error(supervisor.error().message);
    return std::move(supervisor).value();
}

ServiceStatus status_of(const Supervisor& supervisor, std::string_view name) {
    auto status = supervisor.status(name);
    if (!status.ok()) throw std::runtime_error(status.error().message);
    return std::move(status).value();
}

bool reaches_state(const Supervisor& supervisor, std::string_view name, ServiceState state,
                   milliseconds timeout = seconds(10)) {
    return test::wait_until([&] { return status_of(supervisor, name).state == state; }, timeout, milliseconds(5));
}

bool file_has_lines(const fs::path& path, std::size_t count, milliseconds timeout = seconds(10)) {
    return test::wait_until([&] { return read_numbers(path).size() >= count; }, timeout, milliseconds(5));
}

milliseconds time_to_stop(Supervisor& supervisor, std::string_view name) {
    const auto begun = Clock::now();
    const Status stopped = supervisor.stop(name);
    EXPECT_TRUE(stopped.ok()) << stopped.error().message;
    return std::chrono::duration_cast<milliseconds>(Clock::now() - begun);
}

TEST(BackoffDelay, GrowsByTheFactorUpToTheMaximum) {
    SupervisorSettings settings;
    settings.backoff_initial = seconds(1);
    settings.backoff_max = seconds(60);
    settings.backoff_factor = 2.0;
    EXPECT_EQ(backoff_delay(settings, 1), seconds(1));
    EXPECT_EQ(backoff_delay(settings, 2), seconds(2));
    EXPECT_EQ(backoff_delay(settings, 6), seconds(32));
    EXPECT_EQ(backoff_delay(settings, 7), seconds(60));
    EXPECT_EQ(backoff_delay(settings, 5000), seconds(60)) << "no overflow however long it crashes";
    settings.backoff_factor = 1.0;
    EXPECT_EQ(backoff_delay(settings, 9), seconds(1));
}

TEST(ProcessSpec, RunsAPlannedServiceInItsDataDir) {
    node::ServicePlan service;
    service.name = "ephemery-execution-geth";
    service.program = "geth";
    service.arguments = {"--datadir", "/data/execution-geth", "--networkid", "39438"};
    service.data_dir = "/data/execution-geth";
    service.host_data_dir = "/data/execution-geth";
    const ProcessSpec spec = process_spec(service);
    EXPECT_EQ(spec.name, "ephemery-execution-geth");
    EXPECT_EQ(spec.program, "geth");
    EXPECT_EQ(spec.arguments, service.arguments);
    EXPECT_EQ(spec.working_directory, fs::path("/data/execution-geth"));
    EXPECT_TRUE(spec.environment.empty());
}

TEST(Supervisor, RestartsACrashingClientWithGrowingBackoffThenDeclaresACrashLoop) {
    const test::TempDir dir;
    const fs::path starts = dir.path() / "starts";
    const fs::path script = write_script(dir, "crasher.sh", "date +%s%N >> \"$1\"\nsleep 0.05\nexit 1\n");
    SupervisorSettings settings = fast_settings(dir);
    settings.backoff_initial = milliseconds(100);
    settings.backoff_factor = 3.0;
    settings.backoff_max = seconds(10);
    settings.crash_loop_limit = 4;
    settings.crash_loop_window = seconds(60);
    Supervisor supervisor = make_supervisor(settings, {script_spec("crasher", script, {starts.string()})});
    ASSERT_TRUE(supervisor.start("crasher").ok());

    bool saw_backing_off = false;
    const bool looped = test::wait_until(
        [&] {
            const ServiceStatus status = status_of(supervisor, "crasher");
            if (status.state == ServiceState::backing_off && status.next_restart_at && !status.pid.has_value() &&
                status.last_exit_code == 1) {
                saw_backing_off = true;
            }
            return status.state == ServiceState::crash_loop;
        },
        seconds(15), milliseconds(5));
    ASSERT_TRUE(looped);
    EXPECT_TRUE(saw_backing_off);
    const ServiceStatus looping = status_of(supervisor, "crasher");
    EXPECT_EQ(looping.restarts, 3U) << "the fourth crash within the window is the limit";
    EXPECT_EQ(looping.recent_crashes, 4U);
    EXPECT_EQ(looping.last_exit_code, 1);
    EXPECT_FALSE(looping.last_signal.has_value());
    EXPECT_FALSE(looping.pid.has_value());
    EXPECT_FALSE(looping.next_restart_at.has_value());

    const auto times = read_numbers(starts);
    ASSERT_EQ(times.size(), 4U);
    // Between starts: the 50 ms run plus a backoff of 100, 300, then 900 ms.
    const std::array<long long, 3> backoff_ms{100, 300, 900};
    for (std::size_t i = 0; i < backoff_ms.size(); ++i) {
        const long long gap_ms = (times[i + 1] - times[i]) / 1'000'000;
        EXPECT_GE(gap_ms, backoff_ms[i] + 50) << "restart " << i + 1;
        EXPECT_LT(gap_ms, backoff_ms[i] + 2000) << "restart " << i + 1;
    }
    EXPECT_FALSE(file_has_lines(starts, 5, milliseconds(300))) << "no restart in a crash loop";

    // A start by hand clears the crash history; a stop while it backs off cancels the restart.
    ASSERT_TRUE(supervisor.start("crasher").ok());
    EXPECT_EQ(status_of(supervisor, "crasher").recent_crashes, 0U);
    ASSERT_TRUE(file_has_lines(starts, 5));
    ASSERT_TRUE(reaches_state(supervisor, "crasher", ServiceState::backing_off));
    ASSERT_TRUE(supervisor.stop("crasher").ok());
    EXPECT_EQ(status_of(supervisor, "crasher").state, ServiceState::stopped);
    EXPECT_FALSE(file_has_lines(starts, 6, milliseconds(300)));
}

TEST(Supervisor, StopsAClientThatHandlesSigintWithoutCountingACrash) {
    const test::TempDir dir;
    const fs::path ready = dir.path() / "ready";
    const fs::path script = write_script(dir, "polite.sh", "echo $$ > \"$1\"\nexec sleep 300\n");
    SupervisorSettings settings = fast_settings(dir);
    settings.interrupt_timeout = seconds(5);
    {
        Supervisor supervisor = make_supervisor(settings, {script_spec("polite", script, {ready.string()})});
        ASSERT_TRUE(supervisor.start_all().ok());
        ASSERT_TRUE(file_has_lines(ready, 1));
        const pid_t pid = *read_pid(ready);
        EXPECT_EQ(status_of(supervisor, "polite").pid, pid);
        EXPECT_TRUE(supervisor.start("polite").ok()) << "starting a running service changes nothing";
        EXPECT_EQ(status_of(supervisor, "polite").pid, pid);
        ASSERT_TRUE(reaches_state(supervisor, "polite", ServiceState::running));

        EXPECT_LT(time_to_stop(supervisor, "polite"), milliseconds(2000));
        const ServiceStatus status = status_of(supervisor, "polite");
        EXPECT_EQ(status.state, ServiceState::stopped);
        EXPECT_EQ(status.last_signal, SIGINT);
        EXPECT_EQ(status.restarts, 0U);
        EXPECT_EQ(status.recent_crashes, 0U);
        EXPECT_FALSE(process_is_alive(pid));
        EXPECT_TRUE(supervisor.stop("polite").ok()) << "stopping a stopped service succeeds";

        ASSERT_TRUE(supervisor.restart("polite").ok());
        ASSERT_TRUE(test::wait_until([&] { return read_pid(ready) != pid; }, seconds(10), milliseconds(5)));
    }
    // The supervisor is gone: the client stopped and every watchdog was released and reaped.
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD) << "no child of the test process is left, running or unreaped";
}

TEST(Supervisor, StopsAStoppedClientWithTheFirstRung) {
    const test::TempDir dir;
    const fs::path ready = dir.path() / "ready";
    const fs::path script = write_script(dir, "frozen.sh", "echo $$ > \"$1\"\nexec sleep 300\n");
    SupervisorSettings settings = fast_settings(dir);
    // Long rungs: a stopped client that waited for them would show as SIGTERM or SIGKILL below.
    settings.interrupt_timeout = seconds(60);
    settings.terminate_timeout = seconds(60);
    Supervisor supervisor = make_supervisor(settings, {script_spec("frozen", script, {ready.string()})});
    ASSERT_TRUE(supervisor.start_all().ok());
    ASSERT_TRUE(file_has_lines(ready, 1));
    const pid_t pid = *read_pid(ready);
    ASSERT_EQ(::kill(pid, SIGSTOP), 0);
    ASSERT_TRUE(test::wait_until([&] { return process_state(pid) == 'T'; }, seconds(10), milliseconds(5)));
    EXPECT_TRUE(supervisor.stop("frozen").ok());
    const ServiceStatus status = status_of(supervisor, "frozen");
    EXPECT_EQ(status.state, ServiceState::stopped);
    EXPECT_EQ(status.last_signal, SIGINT) << "the stopped client was continued with SIGINT, not left for SIGTERM";
    EXPECT_FALSE(process_is_alive(pid));
}

TEST(Supervisor, SendsSigtermWhenSigintIsIgnored) {
    const test::TempDir dir;
    const fs::path ready = dir.path() / "ready";
    const fs::path script = write_script(dir, "stubborn.sh", "trap '' INT\necho $$ > \"$1\"\nexec sleep 300\n");
    SupervisorSettings settings = fast_settings(dir);
    settings.interrupt_timeout = milliseconds(300);
    settings.terminate_timeout = seconds(5);
    Supervisor supervisor = make_supervisor(settings, {script_spec("stubborn", script, {ready.string()})});
    ASSERT_TRUE(supervisor.start_all().ok());
    ASSERT_TRUE(file_has_lines(ready, 1));
    const milliseconds took = time_to_stop(supervisor, "stubborn");
    EXPECT_GE(took, milliseconds(300));
    EXPECT_LT(took, milliseconds(3000));
    EXPECT_EQ(status_of(supervisor, "stubborn").last_signal, SIGTERM);
    EXPECT_EQ(status_of(supervisor, "stubborn").state, ServiceState::stopped);
}

TEST(Supervisor, SendsSigkillWhenSigintAndSigtermAreIgnored) {
    const test::TempDir dir;
    const fs::path ready = dir.path() / "ready";
    const fs::path script = write_script(dir, "deaf.sh", "trap '' INT TERM\necho $$ > \"$1\"\nexec sleep 300\n");
    SupervisorSettings settings = fast_settings(dir);
    settings.interrupt_timeout = milliseconds(200);
    settings.terminate_timeout = milliseconds(300);
    Supervisor supervisor = make_supervisor(settings, {script_spec("deaf", script, {ready.string()})});
    ASSERT_TRUE(supervisor.start_all().ok());
    ASSERT_TRUE(file_has_lines(ready, 1));
    const milliseconds took = time_to_stop(supervisor, "deaf");
    EXPECT_GE(took, milliseconds(500));
    EXPECT_LT(took, milliseconds(3500));
    EXPECT_EQ(status_of(supervisor, "deaf").last_signal, SIGKILL);
}

TEST(Supervisor, StopEndsWhatTheClientForked) {
    const test::TempDir dir;
    const fs::path child_file = dir.path() / "child";
    const fs::path leader_file = dir.path() / "leader";
    // A non-interactive shell starts `&` jobs with SIGINT ignored: the child survives the first rung.
    const fs::path script = write_script(dir, "parent.sh", "sleep 300 &\necho $! > \"$1\"\necho $$ > \"$2\"\nwait\n");
    SupervisorSettings settings = fast_settings(dir);
    settings.interrupt_timeout = milliseconds(200);
    Supervisor supervisor =
        make_supervisor(settings, {script_spec("parent", script, {child_file.string(), leader_file.string()})});
    ASSERT_TRUE(supervisor.start_all().ok());
    ASSERT_TRUE(file_has_lines(leader_file, 1));
    ASSERT_TRUE(file_has_lines(child_file, 1));
    const pid_t leader = *read_pid(leader_file);
    const pid_t child = *read_pid(child_file);
    EXPECT_EQ(status_of(supervisor, "parent").pid, leader);
    ASSERT_TRUE(process_is_alive(child));
    EXPECT_EQ(read_process_stat(child)->group, leader) << "the child is in the client's process group";

    ASSERT_TRUE(supervisor.stop("parent").ok());
    EXPECT_FALSE(process_is_alive(leader));
    EXPECT_FALSE(process_is_alive(child)) << "stop returns once the whole group has ended";
    EXPECT_EQ(status_of(supervisor, "parent").state, ServiceState::stopped);
}

TEST(Supervisor, EndsWhatACrashedClientLeftBeforeRestartingIt) {
    const test::TempDir dir;
    const fs::path children = dir.path() / "children";
    const fs::path script = write_script(dir, "leaky.sh", "sleep 300 &\necho $! >> \"$1\"\nsleep 0.1\nexit 3\n");
    SupervisorSettings settings = fast_settings(dir);
    settings.interrupt_timeout = milliseconds(200);  // the `&` child ignores SIGINT
    Supervisor supervisor = make_supervisor(settings, {script_spec("leaky", script, {children.string()})});
    ASSERT_TRUE(supervisor.start_all().ok());
    ASSERT_TRUE(file_has_lines(children, 2)) << "restarted";
    const auto pids = read_numbers(children);
    EXPECT_FALSE(process_is_alive(static_cast<pid_t>(pids[0]))) << "the first run's child ended before the restart";
    ASSERT_TRUE(supervisor.stop("leaky").ok());
    for (const long long pid : read_numbers(children)) EXPECT_FALSE(process_is_alive(static_cast<pid_t>(pid)));
    EXPECT_EQ(status_of(supervisor, "leaky").state, ServiceState::stopped);
}

TEST(Supervisor, RotatesAChattyClientsLogKeepingItsOutputInOrder) {
    const test::TempDir dir;
    const fs::path script = write_script(dir, "chatty.sh",
                                         "echo 'to stderr first' >&2\n"
                                         "i=0\n"
                                         "while [ $i -lt 3000 ]; do\n"
                                         "  echo \"line $i from a chatty client\"\n"
                                         "  i=$((i+1))\n"
                                         "done\n"
                                         "exec sleep 300\n");
    std::string expected = "to stderr first\n";
    for (int line = 0; line < 3000; ++line) expected += "line " + std::to_string(line) + " from a chatty client\n";
    SupervisorSettings settings = fast_settings(dir);
    settings.log_max_bytes = 8192;
    settings.log_files_kept = 30;
    Supervisor supervisor = make_supervisor(settings, {script_spec("chatty", script)});
    ASSERT_TRUE(supervisor.start_all().ok());

    const fs::path log = settings.log_dir / "chatty.log";
    const auto numbered = [&log](int number) {
        fs::path path = log;
        path += "." + std::to_string(number);
        return path;
    };
    const auto everything = [&] {
        std::string text;
        for (int number = settings.log_files_kept; number >= 1; --number) text += test::contents_of(numbered(number));
        return text + test::contents_of(log);
    };
    ASSERT_TRUE(test::wait_until([&] { return everything() == expected; }, seconds(20), milliseconds(20)))
        << "the log holds " << everything().size() << " of " << expected.size() << " bytes";
    int rotated = 0;
    for (int number = 1; fs::exists(numbered(number)); ++number) {
        const std::string text = test::contents_of(numbered(number));
        EXPECT_LE(text.size(), 8192U);
        EXPECT_EQ(text.back(), '\n');
        ++rotated;
    }
    EXPECT_GE(rotated, 10);
    EXPECT_LE(fs::file_size(log), 8192U);
    ASSERT_TRUE(supervisor.stop_all().ok());
}

TEST(Supervisor, LooksUpThePathAndRunsInTheWorkingDirectoryWithTheEnvironment) {
    const test::TempDir dir;
    const fs::path script = dir.write("env.sh", "echo \"$EPHEMERY_TEST_GREETING\"\n/bin/pwd\nexec sleep 300\n");
    SupervisorSettings settings = fast_settings(dir);
    const fs::path work = dir.path() / "data" / "client";
    Supervisor supervisor =
        make_supervisor(settings, {ProcessSpec{.name = "env",
                                               .program = "sh",
                                               .arguments = {script.string()},
                                               .working_directory = work,
                                               .environment = {{"EPHEMERY_TEST_GREETING", "hello"}}}});
    ASSERT_TRUE(supervisor.start("env").ok());
    EXPECT_TRUE(fs::is_directory(work)) << "the working directory is created";
    const std::string expected = "hello\n" + fs::canonical(work).string() + "\n";
    EXPECT_TRUE(test::wait_until([&] { return test::contents_of(settings.log_dir / "env.log") == expected; },
                                 seconds(10), milliseconds(10)))
        << test::contents_of(settings.log_dir / "env.log");
}

TEST(Supervisor, ReportsWhatCannotWork) {
    const test::TempDir dir;
    const SupervisorSettings settings = fast_settings(dir);
    const ProcessSpec missing{.name = "missing",
                              .program = (dir.path() / "no-such-client").string(),
                              .arguments = {},
                              .working_directory = {},
                              .environment = {}};
    EXPECT_FALSE(Supervisor::create(settings, {missing, missing}).ok()) << "duplicate names";
    ProcessSpec slashed = missing;
    slashed.name = "a/b";
    EXPECT_FALSE(Supervisor::create(settings, {slashed}).ok());
    ProcessSpec no_program = missing;
    no_program.program.clear();
    EXPECT_FALSE(Supervisor::create(settings, {no_program}).ok());

    Supervisor supervisor = make_supervisor(settings, {missing});
    const Status started = supervisor.start("missing");
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, Errc::not_found);
    EXPECT_THAT(started.error().message, HasSubstr("no-such-client"));
    const ServiceStatus status = status_of(supervisor, "missing");
    EXPECT_EQ(status.state, ServiceState::stopped);
    EXPECT_THAT(status.last_error, HasSubstr("no-such-client"));

    const Status unknown = supervisor.stop("misssing");
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code, Errc::not_found);
    EXPECT_THAT(unknown.error().message, HasSubstr("did you mean missing?"));
    EXPECT_FALSE(supervisor.status("other").ok());
}

TEST(Supervisor, LeavesNoOrphansWhenEphemeryIsKilled) {
    const test::TempDir dir;
    const fs::path grandchild_file = dir.path() / "grandchild";
    const fs::path client_file = dir.path() / "client";
    const fs::path script = write_script(dir, "client.sh", "sleep 300 &\necho $! > \"$1\"\necho $$ > \"$2\"\nwait\n");
    const ProcessSpec spec = script_spec("client", script, {grandchild_file.string(), client_file.string()});
    const SupervisorSettings settings = fast_settings(dir);

    // The forked child stands in for ephemery: it supervises the client until it is SIGKILLed. The test process
    // has no other thread here, so the child may start the supervisor's; it never returns into GoogleTest.
    const pid_t ephemery = ::fork();
    ASSERT_GE(ephemery, 0);
    if (ephemery == 0) {
        auto supervisor = Supervisor::create(settings, {spec});
        if (!supervisor.ok() || !supervisor->start_all().ok()) ::_exit(1);
        for (;;) ::pause();
    }
    const bool started = file_has_lines(client_file, 1) && file_has_lines(grandchild_file, 1);
    ::kill(ephemery, SIGKILL);
    int ignored = 0;
    ASSERT_EQ(::waitpid(ephemery, &ignored, 0), ephemery);
    ASSERT_TRUE(started);
    const pid_t client = *read_pid(client_file);
    const pid_t grandchild = *read_pid(grandchild_file);

    const bool gone = test::wait_until([&] { return !process_is_alive(client) && !process_is_alive(grandchild); },
                                       seconds(5), milliseconds(10));
    if (!gone) {  // leave nothing behind for the next test
        ::kill(-client, SIGKILL);
    }
    EXPECT_TRUE(gone) << "the watchdog ended the client (pid " << client << ") and its child (pid " << grandchild
                      << ")";
}

}  // namespace
}  // namespace ephemery::runtime
