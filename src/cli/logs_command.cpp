// `ephemery logs [ROLE] [-f] [-n N]`: the clients' output. Natively it is in <data-dir>/logs/<service>.log
// (size-rotated by the supervisor); Compose and systemd keep it themselves, so their own tools show it.
#include "cli/commands.hpp"
#include "cli/node_backends.hpp"
#include "cli/terminal.hpp"
#include "daemon/node_daemon.hpp"
#include "infra/process.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace ephemery::cli {
namespace {

namespace fs = std::filesystem;

struct LogsOptions {
    std::string role;  // empty: every client
    bool follow{false};
    unsigned lines{50};
};

struct FollowedFile {
    std::string label;
    fs::path path;
    ino_t inode{0};
    std::uint64_t offset{0};
    std::string partial;  // a line not finished yet
};

constexpr std::uint64_t tail_window = std::uint64_t{4} * 1024 * 1024;  // enough for any last N lines asked for

// Prints the last `lines` lines and returns where the file ended.
std::uint64_t print_tail(const FollowedFile& file, unsigned lines, bool labelled) {
    std::ifstream in(file.path, std::ios::binary | std::ios::ate);
    if (!in) return 0;
    const auto size = static_cast<std::uint64_t>(in.tellg());
    const std::uint64_t start = size > tail_window ? size - tail_window : 0;
    in.seekg(static_cast<std::streamoff>(start));
    std::string text(static_cast<std::size_t>(size - start), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (labelled) fmt::print("==> {} <==\n", file.label);
    const std::string tail = infra::last_lines(text, lines);
    fmt::print("{}{}", tail, tail.empty() || tail.back() == '\n' ? "" : "\n");
    return size;
}

// Prints what was appended since the last look, following a rotation (a new file under the same name).
void print_new_lines(FollowedFile& file, bool labelled) {
    struct stat info {};
    if (::stat(file.path.c_str(), &info) != 0) return;
    if (info.st_ino != file.inode || static_cast<std::uint64_t>(info.st_size) < file.offset) {
        file.inode = info.st_ino;
        file.offset = 0;
    }
    if (static_cast<std::uint64_t>(info.st_size) == file.offset) return;
    std::ifstream in(file.path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(file.offset));
    std::string chunk(static_cast<std::size_t>(static_cast<std::uint64_t>(info.st_size) - file.offset), '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    file.offset += chunk.size();
    file.partial += chunk;
    std::size_t end = 0;
    while ((end = file.partial.find('\n')) != std::string::npos) {
        if (labelled) {
            fmt::print("{} | {}\n", file.label, std::string_view(file.partial).substr(0, end));
        } else {
            fmt::print("{}\n", std::string_view(file.partial).substr(0, end));
        }
        file.partial.erase(0, end + 1);
    }
    (void)std::fflush(stdout);
}

ExitCode run_logs(const CommandContext& context, const LogsOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const config::Config& config = loaded->outcome.config;
    const auto instances = daemon::node_instances(config.network.name, config.data_dir, config.node);
    std::vector<FollowedFile> files;
    for (const auto& instance : instances) {
        if (!options.role.empty() && clients::role_name(instance.role) != options.role) continue;
        files.push_back({.label = instance.service,
                         .path = config.data_dir / daemon::logs_dir / (instance.service + ".log"),
                         .inode = 0,
                         .offset = 0,
                         .partial = {}});
    }
    if (options.role == "daemon") {
        files.push_back({.label = "ephemery",
                         .path = config.data_dir / daemon::logs_dir / "ephemery.log",
                         .inode = 0,
                         .offset = 0,
                         .partial = {}});
    }
    if (files.empty()) {
        print_stderr("error: this node runs no {} client (roles: execution, consensus, validator; or daemon)\n",
                     options.role);
        return ExitCode::usage_error;
    }
    if (config.node.backend != node::Backend::native) {
        std::vector<std::string> services;
        services.reserve(files.size());
        for (const auto& file : files) services.push_back(file.label);
        return exec_tool_logs(config, options.role.empty() ? std::vector<std::string>{} : services, options.follow,
                              options.lines);
    }
    const bool labelled = files.size() > 1;
    bool any = false;
    for (auto& file : files) {
        struct stat info {};
        if (::stat(file.path.c_str(), &info) != 0) {
            print_stderr("{}: no log yet ({} does not exist)\n", file.label, file.path.string());
            continue;
        }
        any = true;
        file.inode = info.st_ino;
        file.offset = print_tail(file, options.lines, labelled);
    }
    if (!options.follow) return any ? ExitCode::ok : ExitCode::runtime_failure;
    (void)std::fflush(stdout);
    for (;;) {  // until interrupted, as tail -f
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        for (auto& file : files) print_new_lines(file, labelled);
    }
}

}  // namespace

void add_logs_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<LogsOptions>();
    auto* logs = app.add_subcommand("logs", "Show the clients' output (the last lines; --follow for new ones)");
    logs->add_option("role", options->role, "execution, consensus, validator or daemon; default: every client")
        ->check(CLI::IsMember({"execution", "consensus", "validator", "daemon"}));
    logs->add_flag("--follow,-f", options->follow, "Keep printing new lines (Ctrl-C ends)");
    logs->add_option("--lines,-n", options->lines, "How many of the last lines to show")->capture_default_str();
    logs->callback([options, &context] { context.exit_code = run_logs(context, *options); });
}

}  // namespace ephemery::cli
