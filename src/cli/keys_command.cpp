#include "cli/commands.hpp"
#include "infra/files.hpp"
#include "keyfiles/discover.hpp"
#include "keyfiles/install.hpp"
#include "keyfiles/rotate.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>

namespace ephemery::cli {
namespace {

struct RotateCommandOptions {
    std::vector<std::string> paths;
    std::string client;
    std::string new_password_file;
    unsigned threads{0};
    bool json{false};
};

struct ImportCommandOptions {
    std::string client;
    std::string from;
    std::string to;
    std::string password_file;
    bool json{false};
};

struct CheckCommandOptions {
    std::vector<std::string> paths;
    std::string client;
    std::string password_file;
    unsigned threads{0};
    bool json{false};
};

std::string_view severity_name(keys::Severity severity) {
    switch (severity) {
        case keys::Severity::ok: return "ok";
        case keys::Severity::warning: return "warning";
        case keys::Severity::failure: return "failed";
    }
    return "failed";
}

std::string short_pubkey(const std::string& pubkey) {
    if (pubkey.size() <= 18) return pubkey.empty() ? "-" : pubkey;
    return pubkey.substr(0, 10) + "..." + pubkey.substr(pubkey.size() - 6);
}

nlohmann::ordered_json report_json(const keys::CheckSummary& summary, const nlohmann::ordered_json& layouts,
                                   const std::vector<std::string>& notes) {
    nlohmann::ordered_json keys_json = nlohmann::ordered_json::array();
    for (const auto& key : summary.keys) {
        nlohmann::ordered_json problems = nlohmann::ordered_json::array();
        for (const auto& finding : key.findings) {
            problems.push_back(
                {{"severity", severity_name(finding.severity)}, {"problem", finding.problem}, {"fix", finding.fix}});
        }
        keys_json.push_back({{"keystore", key.keystore_label},
                             {"pubkey", key.pubkey},
                             {"status", severity_name(key.status())},
                             {"problems", problems}});
    }
    return {{"ok", summary.count(keys::Severity::failure) == 0},
            {"layouts", layouts},
            {"checked", summary.keys.size()},
            {"passed", summary.count(keys::Severity::ok)},
            {"warnings", summary.count(keys::Severity::warning)},
            {"failed", summary.count(keys::Severity::failure)},
            {"key_derivations", summary.key_derivations},
            {"keys", keys_json},
            {"notes", notes}};
}

void print_table(const keys::CheckSummary& summary, const std::vector<std::string>& notes) {
    fmt::print("{:<8} {:<20} {}\n", "STATUS", "PUBKEY", "KEYSTORE");
    for (const auto& key : summary.keys) {
        fmt::print("{:<8} {:<20} {}\n", severity_name(key.status()), short_pubkey(key.pubkey), key.keystore_label);
        for (const auto& finding : key.findings) {
            fmt::print("         {}: {}\n         fix: {}\n", severity_name(finding.severity), finding.problem,
                       finding.fix);
        }
    }
    for (const auto& note : notes) fmt::print("note: {}\n", note);
    fmt::print("{} {}: {} ok, {} with warnings, {} failed ({} key derivations)\n", summary.keys.size(),
               summary.keys.size() == 1 ? "key" : "keys", summary.count(keys::Severity::ok),
               summary.count(keys::Severity::warning), summary.count(keys::Severity::failure), summary.key_derivations);
}

std::optional<keyfiles::Layout> layout_option(const std::string& client) {
    if (client.empty()) return std::nullopt;
    return keyfiles::parse_layout(client);
}

bool report_bad_client(const std::string& client) {
    if (client.empty() || keyfiles::parse_layout(client)) return false;
    (void)std::fprintf(stderr, "error: --client %s is not a known layout (allowed: %s)\n", client.c_str(),
                       join(keyfiles::layout_names(), ", ").c_str());
    return true;
}

ExitCode run_check(const CheckCommandOptions& options, const GlobalOptions& global) {
    std::vector<keyfiles::DiscoverRequest> requests;
    if (report_bad_client(options.client)) return ExitCode::usage_error;
    const auto layout = layout_option(options.client);
    std::optional<std::filesystem::path> password_file;
    if (!options.password_file.empty()) password_file = options.password_file;
    if (options.paths.empty()) {
        // No path: the node's own keys, as ephemery.yaml's validators section describes them.
        const auto loaded = load_configuration(global);
        if (!loaded) return ExitCode::usage_error;
        const auto& settings = loaded->outcome.config.validators;
        if (settings.keystores_dir.empty()) {
            (void)std::fprintf(stderr,
                               "error: no keystore directory given: pass PATH, or set validators.keystores_dir in "
                               "%s\n",
                               loaded->source.c_str());
            return ExitCode::usage_error;
        }
        keyfiles::DiscoverRequest request{settings.keystores_dir, layout, password_file, std::nullopt};
        if (!password_file && !settings.password_file.empty()) request.password_file = settings.password_file;
        if (!settings.passwords_dir.empty()) request.passwords_dir = settings.passwords_dir;
        requests.push_back(std::move(request));
    }
    for (const auto& path : options.paths) requests.push_back({path, layout, password_file, std::nullopt});

    std::vector<keys::KeyCandidate> candidates;
    nlohmann::ordered_json layouts = nlohmann::ordered_json::array();
    std::vector<std::string> notes;
    std::vector<std::string> interrupted;  // rotation journals: a rotation stopped half-way
    for (const auto& request : requests) {
        auto discovery = keyfiles::discover(request);
        if (!discovery) {
            (void)std::fprintf(stderr, "error: %s\n", discovery.error().message.c_str());
            return ExitCode::usage_error;
        }
        layouts.push_back({{"path", request.root.string()}, {"layout", keyfiles::layout_name(discovery->layout)}});
        if (discovery->candidates.empty()) {
            notes.push_back(fmt::format("{}: no keystores found for the {} layout", request.root.string(),
                                        keyfiles::layout_name(discovery->layout)));
        }
        for (const auto& journal : keyfiles::interrupted_rotations(*discovery)) {
            interrupted.push_back(journal.string());
        }
        std::move(discovery->candidates.begin(), discovery->candidates.end(), std::back_inserter(candidates));
        notes.insert(notes.end(), discovery->notes.begin(), discovery->notes.end());
    }

    auto check_options = keyfiles::machine_check_options(options.threads);
    const bool show_progress = !options.json && ::isatty(STDERR_FILENO) == 1;
    if (show_progress) {
        check_options.progress = [](std::size_t done, std::size_t total) {
            (void)std::fprintf(stderr, "\rderiving keys %zu/%zu", done, total);
            (void)std::fflush(stderr);
        };
    }
    const auto summary = keys::check_keystores(std::move(candidates), check_options);
    if (show_progress) (void)std::fprintf(stderr, "\n");

    for (const auto& journal : interrupted) {
        notes.push_back(
            fmt::format("{}: a password rotation was interrupted; finish it with `ephemery keys "
                        "password rotate` on the same directory",
                        journal));
    }
    if (options.json) {
        auto document = report_json(summary, layouts, notes);
        document["interrupted_rotations"] = interrupted;
        if (!interrupted.empty()) document["ok"] = false;
        print_json(document);
    } else {
        print_table(summary, notes);
    }
    const bool failed = summary.count(keys::Severity::failure) != 0 || summary.keys.empty() || !interrupted.empty();
    return failed ? ExitCode::check_failed : ExitCode::ok;
}

ExitCode exit_code_of(const Error& error) {
    switch (error.code) {
        case Errc::verification_failed: return ExitCode::check_failed;
        case Errc::io_error: return ExitCode::runtime_failure;
        default: return ExitCode::usage_error;
    }
}

ExitCode run_rotate(const RotateCommandOptions& options) {
    if (report_bad_client(options.client)) return ExitCode::usage_error;
    auto new_password_text = infra::read_file(options.new_password_file, std::size_t{64} << 10U);
    if (!new_password_text) {
        (void)std::fprintf(stderr, "error: --new-password-file: %s\n", new_password_text.error().message.c_str());
        return ExitCode::usage_error;
    }
    const SecretString new_password(
        keyfiles::password_from_file_contents(*new_password_text, keyfiles::Layout::generic));
    nlohmann::ordered_json rotated_json = nlohmann::ordered_json::array();
    for (const auto& path : options.paths) {
        auto discovery = keyfiles::discover({path, layout_option(options.client), std::nullopt, std::nullopt});
        if (!discovery) {
            (void)std::fprintf(stderr, "error: %s\n", discovery.error().message.c_str());
            return ExitCode::usage_error;
        }
        // A rotation that stopped half-way is finished first; then the keys are read again.
        const auto journals = keyfiles::interrupted_rotations(*discovery);
        for (const auto& journal : journals) {
            if (auto status = keyfiles::resume_rotation(journal); !status) {
                (void)std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
                return ExitCode::runtime_failure;
            }
            (void)std::fprintf(stderr, "finished the interrupted rotation of %s\n", journal.c_str());
        }
        if (!journals.empty()) {
            discovery = keyfiles::discover({path, layout_option(options.client), std::nullopt, std::nullopt});
            if (!discovery) return ExitCode::runtime_failure;
        }
        auto rotated = keyfiles::rotate_passwords(*discovery, new_password, options.threads);
        if (!rotated) {
            (void)std::fprintf(stderr, "error: %s\n", rotated.error().message.c_str());
            return exit_code_of(rotated.error());
        }
        for (const auto& key : *rotated) {
            if (!options.json) fmt::print("rotated  {}  {}\n", short_pubkey(key.pubkey), key.keystore);
            rotated_json.push_back(
                {{"keystore", key.keystore}, {"password_file", key.password_file}, {"pubkey", key.pubkey}});
        }
    }
    if (options.json) print_json({{"rotated", rotated_json}});
    return ExitCode::ok;
}

ExitCode run_import(const ImportCommandOptions& options) {
    if (report_bad_client(options.client)) return ExitCode::usage_error;
    const auto target = keyfiles::parse_layout(options.client);
    if (auto status = keyfiles::can_import_into(*target); !status) {
        (void)std::fprintf(stderr, "error: --client %s: %s\n", options.client.c_str(), status.error().message.c_str());
        return ExitCode::usage_error;
    }
    std::optional<std::filesystem::path> password_file;
    if (!options.password_file.empty()) password_file = options.password_file;
    auto source = keyfiles::discover({options.from, std::nullopt, password_file, std::nullopt});
    if (!source) {
        (void)std::fprintf(stderr, "error: --from: %s\n", source.error().message.c_str());
        return ExitCode::usage_error;
    }
    // Pre-flight: nothing is imported unless every key passes.
    const auto summary = keys::check_keystores(source->candidates, keyfiles::machine_check_options(0));
    if (summary.keys.empty() || summary.count(keys::Severity::failure) != 0 ||
        summary.keys.size() != source->candidates.size()) {
        if (options.json) {
            print_json(report_json(summary, nlohmann::ordered_json::array(), {"nothing was imported"}));
        } else {
            print_table(summary, {"nothing was imported: fix the failures above first"});
        }
        return ExitCode::check_failed;
    }
    std::vector<std::string> pubkeys;
    pubkeys.reserve(summary.keys.size());
    for (const auto& key : summary.keys) pubkeys.push_back(key.pubkey);
    auto imported = keyfiles::import_keys(*source, pubkeys, *target, options.to);
    if (!imported) {
        (void)std::fprintf(stderr, "error: %s\n", imported.error().message.c_str());
        return exit_code_of(imported.error());
    }
    nlohmann::ordered_json keys_json = nlohmann::ordered_json::array();
    for (const auto& key : *imported) {
        if (!options.json) {
            fmt::print("{:<9} {}  {}\n", key.already_present ? "present" : "imported", short_pubkey(key.pubkey),
                       key.keystore.string());
        }
        keys_json.push_back({{"pubkey", key.pubkey},
                             {"keystore", key.keystore.string()},
                             {"password_file", key.password_file.string()},
                             {"already_present", key.already_present}});
    }
    if (options.json) print_json({{"client", options.client}, {"data_dir", options.to}, {"keys", keys_json}});
    return ExitCode::ok;
}

}  // namespace

void add_keys_command(CLI::App& app, CommandContext& context) {
    auto* keys = app.add_subcommand("keys", "Check, create, rotate and import validator keystores (EIP-2335)");
    keys->require_subcommand(1);

    auto check_options = std::make_shared<CheckCommandOptions>();
    auto* check = keys->add_subcommand(
        "check",
        "Pre-flight every keystore a validator client will load: password, public key, duplicates, "
        "permissions (exit 0 all pass, 1 any fails)");
    check->add_option("path", check_options->paths,
                      "Validator directories (default: validators.keystores_dir of the config)");
    check->add_option("--client", check_options->client,
                      "Layout: lighthouse, teku, nimbus, lodestar, prysm or generic (default: detected)");
    check->add_option("--password-file", check_options->password_file, "One password for every keystore");
    check->add_option("--threads", check_options->threads, "Parallel key derivations (default: one per core)");
    check->add_flag("--json", check_options->json, "Print one JSON document");
    check->callback([check_options, &context] { context.exit_code = run_check(*check_options, context.global); });

    auto* password = keys->add_subcommand("password", "Change keystore passwords");
    password->require_subcommand(1);
    auto rotate_options = std::make_shared<RotateCommandOptions>();
    auto* rotate = password->add_subcommand(
        "rotate",
        "Re-encrypt every keystore of the directories under a new password and replace their password "
        "files (journaled: an interrupted rotation is finished by the next run)");
    rotate->add_option("path", rotate_options->paths, "Validator directories, as for `keys check`")->required();
    rotate->add_option("--new-password-file", rotate_options->new_password_file, "File holding the new password")
        ->required();
    rotate->add_option("--client", rotate_options->client, "Layout (default: detected)");
    rotate->add_option("--threads", rotate_options->threads, "Parallel key derivations (default: one per core)");
    rotate->add_flag("--json", rotate_options->json, "Print one JSON document");
    rotate->callback([rotate_options, &context] { context.exit_code = run_rotate(*rotate_options); });

    auto import_options = std::make_shared<ImportCommandOptions>();
    auto* import = keys->add_subcommand(
        "import", "Check keystores, then install them with their passwords in a validator client's layout");
    import->add_option("--client", import_options->client, "lighthouse, teku, nimbus, lodestar or generic")->required();
    import->add_option("--from", import_options->from, "Directory of keystores (e.g. the output of `keys new`)")
        ->required();
    import->add_option("--to", import_options->to, "The client's data directory")->required();
    import->add_option("--password-file", import_options->password_file, "One password for every keystore");
    import->add_flag("--json", import_options->json, "Print one JSON document");
    import->callback([import_options, &context] { context.exit_code = run_import(*import_options);
});

add_keys_new_command(*keys, context);
}  // namespace ephemery::cli

}  // namespace ephemery::cli
