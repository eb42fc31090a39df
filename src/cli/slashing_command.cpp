#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "core/text.hpp"
#include "genesis/fetch.hpp"
#include "genesis/store.hpp"
#include "infra/files.hpp"
#include "release/layout.hpp"
#include "release/verify.hpp"
#include "slashing/database.hpp"
#include "slashing/interchange.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <system_error>

namespace ephemery::cli {
namespace {

// Complete histories of many validators grow large; beyond this a file is not an interchange anyone wrote.
constexpr std::size_t max_interchange_bytes = std::size_t{512} << 20U;

struct ExportOptions {
    std::string db;
    std::string out;
    bool minimal{false};
    bool force{false};
    bool json{false};
};

struct ImportOptions {
    std::vector<std::string> files;
    std::string db;
    std::string genesis_validators_root;
    bool json{false};
};

struct MergeOptions {
    std::vector<std::string> files;
    std::string out;
    bool force{false};
    bool json{false};
};

struct CheckOptions {
    std::string file;
    std::string genesis_validators_root;
    bool json{false};
};

ExitCode exit_code_for(const Error& error) {
    switch (error.code) {
        case Errc::verification_failed: return ExitCode::check_failed;
        case Errc::invalid_argument:
        case Errc::parse_error:
        case Errc::not_found: return ExitCode::usage_error;
        default: return ExitCode::runtime_failure;
    }
}

ExitCode fail(const Error& error) {
    print_stderr("error: {}\n", error.message);
    return exit_code_for(error);
}

std::filesystem::path database_path(const std::string& flag, const config::Config& config) {
    if (!flag.empty()) return flag;
    return config.data_dir / "validators" / "slashing-protection.sqlite";
}

Result<slashing::Interchange> read_interchange(const std::string& file) {
    auto text = infra::read_file(file, max_interchange_bytes);
    if (!text) return text.error();
    return slashing::parse_interchange(*text, file);
}

// Reads every file before anything happens, so an operator sees all the broken ones at once.
Result<std::vector<slashing::Interchange>> read_interchanges(const std::vector<std::string>& files) {
    std::vector<slashing::Interchange> interchanges;
    std::vector<std::string> problems;
    Errc code = Errc::parse_error;
    for (const auto& file : files) {
        auto interchange = read_interchange(file);
        if (interchange) {
            interchanges.push_back(std::move(interchange).value());
        } else {
            problems.push_back(interchange.error().message);
            if (interchange.error().code != Errc::parse_error) code = interchange.error().code;
        }
    }
    if (!problems.empty()) return make_error(code, fmt::format("{}", fmt::join(problems, "\n")));
    return interchanges;
}

// The chain an interchange must belong to, and who says so.
struct ExpectedRoot {
    std::optional<std::string> root;  // nullopt: nobody but the file itself
    std::string source;
};

// --genesis-validators-root, else genesis.ssz of the current release, else nothing.
Result<ExpectedRoot> expected_root(const std::string& flag, const config::Config& config) {
    if (!flag.empty()) {
        auto root = slashing::parse_genesis_validators_root(flag, "--genesis-validators-root");
        if (!root) return root.error();
        return ExpectedRoot{std::move(root).value(), "--genesis-validators-root"};
    }
    const genesis::ReleaseStore store(config.data_dir);
    const auto current = store.current();
    if (!current) return ExpectedRoot{std::nullopt, "the file itself (no release is installed)"};
    const auto directory = store.release_dir(*current);
    const auto files = genesis::load_release_dir(directory);
    if (!files) return files.error();
    const auto genesis_path = release::path_of(files->layout, "genesis.ssz");
    const auto ssz = files->files.find(genesis_path);
    const auto fields = ssz == files->files.end() ? std::nullopt : release::read_genesis_state_fields(ssz->second);
    if (!fields) {
        return make_error(Errc::verification_failed,
                          fmt::format("the current release {} has no readable {}, so the chain of the interchange "
                                      "cannot be checked: pass --genesis-validators-root 0x...",
                                      directory.string(), genesis_path));
    }
    return ExpectedRoot{fields->genesis_validators_root,
                        fmt::format("the current release (iteration {}, {})", *current, genesis_path)};
}

Error wrong_chain(const std::string& file, const std::string& root, const ExpectedRoot& expected) {
    const bool from_flag = expected.source == "--genesis-validators-root";
    return make_error(Errc::verification_failed,
                      fmt::format("{} is for genesis validators root {}, but {} says {}: the file records another "
                                  "chain (another Ephemery iteration?) and would protect nothing here; use an export "
                                  "from this chain{}",
                                  file, root, expected.source, *expected.root,
                                  from_flag ? ", or correct --genesis-validators-root"
                                            : ", or pass --genesis-validators-root if the validators sign on another "
                                              "chain than the current release"));
}

void warn_unchecked_root(const ExpectedRoot& expected, const std::string& root) {
    if (!expected.root) {
        spdlog::warn(
            "no --genesis-validators-root and no installed release: trusting the root the file names ({}); "
            "pass --genesis-validators-root to check it",
            root);
    }
}

Status refuse_overwrite(const std::string& out, bool force) {
    std::error_code error;
    if (!force && std::filesystem::exists(out, error)) {
        return make_error(Errc::invalid_argument, fmt::format("{} already exists; pass --force to replace it", out));
    }
    return {};
}

nlohmann::ordered_json findings_json(const std::vector<slashing::SlashableFinding>& findings, const std::string& file) {
    auto items = nlohmann::ordered_json::array();
    for (const auto& finding : findings) {
        items.push_back({{"file", file},
                         {"pubkey", finding.pubkey},
                         {"kind", slashing::slashable_kind_name(finding.kind)},
                         {"message", finding.message}});
    }
    return items;
}

ExitCode run_export(const CommandContext& context, const ExportOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const auto path = database_path(options.db, loaded->outcome.config);
    if (!options.out.empty()) {
        if (auto status = refuse_overwrite(options.out, options.force); !status) return fail(status.error());
    }
    auto database = slashing::Database::open(path, slashing::OpenMode::existing_only, std::nullopt);
    if (!database) return fail(database.error());
    const auto form = options.minimal ? slashing::ExportForm::minimal : slashing::ExportForm::complete;
    const auto interchange = database->export_interchange(form);
    if (!interchange) return fail(interchange.error());
    const auto text = slashing::to_json(*interchange);
    if (options.out.empty()) {
        fmt::print("{}", text);  // the interchange is the one JSON document on stdout
        (void)std::fflush(stdout);
        return ExitCode::ok;
    }
    if (auto status = infra::write_file_atomically(options.out, text, infra::owner_only); !status) {
        return fail(status.error());
    }
    if (options.json) {
        print_json({{"db", path.string()},
                    {"out", options.out},
                    {"form", options.minimal ? "minimal" : "complete"},
                    {"genesis_validators_root", interchange->genesis_validators_root},
                    {"validators", interchange->data.size()}});
    } else {
        fmt::print("exported {} ({} form, genesis validators root {}) from {} to {}\n",
                   counted(interchange->data.size(), "validator"), options.minimal ? "minimal" : "complete",
                   interchange->genesis_validators_root, path.string(), options.out);
    }
    return ExitCode::ok;
}

ExitCode run_import(const CommandContext& context, const ImportOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    const auto& config = loaded->outcome.config;
    const auto path = database_path(options.db, config);
    auto expected = expected_root(options.genesis_validators_root, config);
    if (!expected) return fail(expected.error());
    const auto interchanges = read_interchanges(options.files);
    if (!interchanges) return fail(interchanges.error());

    if (!expected->root) {
        warn_unchecked_root(*expected, interchanges->front().genesis_validators_root);
        expected->root = interchanges->front().genesis_validators_root;
        expected->source = fmt::format("{} (unchecked)", options.files.front());
    }
    auto slashable = nlohmann::ordered_json::array();
    for (std::size_t index = 0; index < interchanges->size(); ++index) {
        const auto& interchange = (*interchanges)[index];
        if (interchange.genesis_validators_root != *expected->root) {
            return fail(wrong_chain(options.files[index], interchange.genesis_validators_root, *expected));
        }
        const auto findings = slashing::find_slashable_data(interchange);
        for (const auto& finding : findings) {
            // EIP-3076 imports slashable data all the same: it only ever makes the database more cautious.
            spdlog::warn("{} records slashable messages for {}: {}", options.files[index], finding.pubkey,
                         finding.message);
        }
        for (auto& item : findings_json(findings, options.files[index])) slashable.push_back(std::move(item));
    }

    std::error_code error;
    if (path.has_parent_path() && std::filesystem::create_directories(path.parent_path(), error)) {
        std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all, error);
    }
    if (error) {
        return fail(make_error(Errc::io_error,
                               fmt::format("cannot create {}: {}", path.parent_path().string(), error.message())));
    }
    auto database = slashing::Database::open(path, slashing::OpenMode::create_if_missing, expected->root);
    if (!database) {
        if (database.error().code == Errc::verification_failed) {
            print_stderr("note: the expected genesis validators root came from {}\n", expected->source);
        }
        return fail(database.error());
    }
    const auto report = database->import_interchanges(*interchanges);
    if (!report) return fail(report.error());

    if (options.json) {
        print_json({{"db", path.string()},
                    {"genesis_validators_root", *expected->root},
                    {"root_source", expected->source},
                    {"files", options.files},
                    {"validators", report->validators},
                    {"blocks", report->blocks},
                    {"attestations", report->attestations},
                    {"already_passed", report->conflicts},
                    {"slashable", slashable}});
        return ExitCode::ok;
    }
    fmt::print("imported {} ({}, {}) from {} into {}\n", counted(report->validators, "validator"),
               counted(report->blocks, "block"), counted(report->attestations, "attestation"),
               fmt::join(options.files, ", "), path.string());
    fmt::print("genesis validators root {} (from {})\n", *expected->root, expected->source);
    if (!report->conflicts.empty()) {
        fmt::print("already passed by the database (kept its higher watermarks):\n");
        for (const auto& conflict : report->conflicts) fmt::print("  {}\n", conflict);
    }
    return ExitCode::ok;
}

ExitCode run_merge(const CommandContext& context, const MergeOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    if (auto status = refuse_overwrite(options.out, options.force); !status) return fail(status.error());
    const auto interchanges = read_interchanges(options.files);
    if (!interchanges) return fail(interchanges.error());
    for (std::size_t index = 1; index < interchanges->size(); ++index) {
        const auto& root = (*interchanges)[index].genesis_validators_root;
        if (root != interchanges->front().genesis_validators_root) {
            return fail(make_error(Errc::invalid_argument,
                                   fmt::format("{} is for genesis validators root {} but {} is for {}: they record "
                                               "different chains and cannot be merged",
                                               options.files[index], root, options.files.front(),
                                               interchanges->front().genesis_validators_root)));
        }
    }
    const auto merged = slashing::merge(*interchanges);
    if (!merged) return fail(merged.error());
    if (auto status = infra::write_file_atomically(options.out, slashing::to_json(*merged), infra::owner_only);
        !status) {
        return fail(status.error());
    }
    if (options.json) {
        print_json({{"out", options.out},
                    {"files", options.files},
                    {"genesis_validators_root", merged->genesis_validators_root},
                    {"validators", merged->data.size()}});
    } else {
        fmt::print("merged {} into {}: {} in minimal form (genesis validators root {})\n",
                   counted(options.files.size(), "file"), options.out, counted(merged->data.size(), "validator"),
                   merged->genesis_validators_root);
    }
    return ExitCode::ok;
}

ExitCode run_check(const CommandContext& context, const CheckOptions& options) {
    const auto loaded = load_configuration(context.global);
    if (!loaded) return ExitCode::usage_error;
    auto expected = expected_root(options.genesis_validators_root, loaded->outcome.config);
    if (!expected) return fail(expected.error());
    auto text = infra::read_file(options.file, max_interchange_bytes);
    if (!text) return fail(text.error());

    const auto interchange = slashing::parse_interchange(*text, options.file);
    std::vector<std::string> problems;
    std::vector<slashing::SlashableFinding> findings;
    std::size_t blocks = 0;
    std::size_t attestations = 0;
    if (!interchange) {
        problems.push_back(interchange.error().message);
    } else {
        if (expected->root && interchange->genesis_validators_root != *expected->root) {
            problems.push_back(wrong_chain(options.file, interchange->genesis_validators_root, *expected).message);
        }
        warn_unchecked_root(*expected, interchange->genesis_validators_root);
        findings = slashing::find_slashable_data(*interchange);
        for (const auto& history : interchange->data) {
            blocks += history.signed_blocks.size();
            attestations += history.signed_attestations.size();
        }
    }
    const bool valid = problems.empty() && findings.empty();

    if (options.json) {
        nlohmann::ordered_json document{{"file", options.file}, {"valid", valid}};
        if (interchange) {
            document["interchange_format_version"] = slashing::interchange_format_version;
            document["genesis_validators_root"] = interchange->genesis_validators_root;
            document["validators"] = interchange->data.size();
            document["blocks"] = blocks;
            document["attestations"] = attestations;
        }
        document["expected_genesis_validators_root"] =
            expected->root ? nlohmann::ordered_json(*expected->root) : nlohmann::ordered_json();
        document["root_source"] = expected->source;
        document["problems"] = problems;
        document["slashable"] = findings_json(findings, options.file);
        print_json(document);
        return valid ? ExitCode::ok : ExitCode::check_failed;
    }
    if (interchange) {
        fmt::print("{}: EIP-3076 interchange version {}, {}, {}, {}\n", options.file,
                   slashing::interchange_format_version, counted(interchange->data.size(), "validator"),
                   counted(blocks, "block"), counted(attestations, "attestation"));
        if (expected->root && interchange->genesis_validators_root == *expected->root) {
            fmt::print("  ok    genesis validators root {} matches {}\n", *expected->root, expected->source);
        }
    }
    for (const auto& problem : problems) fmt::print("  FAIL  {}\n", problem);
    for (const auto& finding : findings) {
        fmt::print("  FAIL  slashable ({}): {}: {}\n", slashing::slashable_kind_name(finding.kind), finding.pubkey,
                   finding.message);
    }
    fmt::print("{}\n", valid ? "the interchange is valid" : "the interchange FAILED the check");
    return valid ? ExitCode::ok : ExitCode::check_failed;
}

}  // namespace

void add_slashing_command(CLI::App& app, CommandContext& context) {
    auto* command = app.add_subcommand(
        "slashing", "Slashing protection (EIP-3076): import, export, merge and check interchange files");
    command->require_subcommand(1);
    const std::string db_help =
        "Slashing-protection database (default: <data_dir>/validators/slashing-protection.sqlite)";
    const std::string root_help =
        "Genesis validators root the file must carry (default: the current release's genesis.ssz)";

    auto export_options = std::make_shared<ExportOptions>();
    auto* export_command =
        command->add_subcommand("export", "Write the database as an interchange file (stdout without --out)");
    export_command->add_option("--db", export_options->db, db_help);
    export_command->add_option("--out", export_options->out, "Interchange file to write (mode 0600)");
    export_command->add_flag("--minimal", export_options->minimal, "Watermarks only, without signing roots");
    export_command->add_flag("--force", export_options->force, "Replace an existing --out file");
    export_command->add_flag("--json", export_options->json, "With --out: print one JSON document");
    export_command->callback([&context, export_options] { context.exit_code = run_export(context, *export_options); });

    auto import_options = std::make_shared<ImportOptions>();
    auto* import_command = command->add_subcommand(
        "import", "Import interchange files into the database in one transaction (stop the validator client first)");
    import_command->add_option("files", import_options->files, "Interchange files")->required();
    import_command->add_option("--db", import_options->db, db_help);
    import_command->add_option("--genesis-validators-root", import_options->genesis_validators_root, root_help);
    import_command->add_flag("--json", import_options->json, "Print one JSON document");
    import_command->callback([&context, import_options] { context.exit_code = run_import(context, *import_options); });

    auto merge_options = std::make_shared<MergeOptions>();
    auto* merge_command = command->add_subcommand(
        "merge", "Merge interchange files of one chain into one minimal file (highest slot and epochs per key)");
    merge_command->add_option("files", merge_options->files, "Interchange files")->required();
    merge_command->add_option("--out", merge_options->out, "Merged file to write (mode 0600)")->required();
    merge_command->add_flag("--force", merge_options->force, "Replace an existing --out file");
    merge_command->add_flag("--json", merge_options->json, "Print one JSON document");
    merge_command->callback([&context, merge_options] { context.exit_code = run_merge(context, *merge_options); });

    auto check_options = std::make_shared<CheckOptions>();
    auto* check_command = command->add_subcommand(
        "check", "Validate an interchange file: format, version, chain, slashable data; exit 1 if it fails");
    check_command->add_option("file", check_options->file, "Interchange file")->required();
    check_command->add_option("--genesis-validators-root", check_options->genesis_validators_root, root_help);
    check_command->add_flag("--json", check_options->json, "Print one JSON document");
    check_command->callback([&context, check_options] { context.exit_code = run_check(context, *check_options); });
}

}  // namespace ephemery::cli
