#include "reset/engine.hpp"

#include "core/text.hpp"
#include "genesis/fetch.hpp"
#include "genesis/store.hpp"
#include "infra/clock.hpp"
#include "infra/download.hpp"
#include "infra/files.hpp"
#include "release/layout.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <system_error>

namespace ephemery::reset {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_journal_bytes = std::size_t{16} << 20;
constexpr std::string_view step_pending = "pending";
constexpr std::string_view step_started = "started";
constexpr std::string_view step_done = "done";

struct Journal {
    Plan plan;
    std::vector<std::string> progress;  // per step: pending, started, done
};

Status write_journal(const fs::path& data_dir, const Journal& journal) {
    nlohmann::ordered_json document;
    document["version"] = 1;
    document["updated_at"] = infra::unix_now();
    document["plan"] = to_json(journal.plan);
    document["progress"] = journal.progress;
    return infra::write_file_atomically(journal_path(data_dir), document.dump(2) + "\n", infra::owner_only);
}

Result<std::optional<Journal>> read_journal(const fs::path& data_dir) {
    const fs::path path = journal_path(data_dir);
    std::error_code error;
    if (!fs::exists(path, error)) return std::optional<Journal>{};
    auto text = infra::read_file(path, max_journal_bytes);
    if (!text) return text.error();
    const auto document = nlohmann::json::parse(*text, nullptr, false);
    const auto unreadable = [&path](std::string_view why) {
        return make_error(Errc::parse_error,
                          fmt::format("the reset journal {} {}; it records an interrupted reset, so ephemery will not "
                                      "guess: inspect it, and move it away to plan a fresh reset",
                                      path.string(), why));
    };
    if (document.is_discarded() || !document.is_object()) return unreadable("is not JSON");
    if (!document.contains("plan") || !document.contains("progress") || !document["progress"].is_array()) {
        return unreadable("lacks its plan or progress");
    }
    auto plan = plan_from_json(document["plan"]);
    if (!plan) return unreadable(plan.error().message);
    Journal journal{std::move(plan).value(), {}};
    for (const auto& state : document["progress"]) {
        if (!state.is_string()) return unreadable("has a progress entry that is not a string");
        journal.progress.push_back(state.get<std::string>());
    }
    if (journal.progress.size() != journal.plan.steps.size()) return unreadable("has progress for other steps");
    return std::optional<Journal>{std::move(journal)};
}

// Re-reads the installed release and checks it again: the files match the manifest written at install, and
// every cross-check passes. Returns the refusal, if any.
std::optional<std::string> check_release(const fs::path& release_dir, const release::Expectation& expectation,
                                         release::ReleaseFiles& files) {
    const std::uint64_t n = expectation.iteration;
    std::error_code error;
    const fs::path manifest_path = release_dir / "manifest.json";
    if (!fs::exists(manifest_path, error)) {
        return fmt::format(
            "release {} is not installed ({} is missing); fetch it first: ephemery genesis fetch "
            "--iteration {} --no-activate",
            n, manifest_path.string(), n);
    }
    auto loaded = genesis::load_release_dir(release_dir);
    if (!loaded) return fmt::format("release {} cannot be read: {}", n, loaded.error().message);
    files = std::move(loaded).value();
    auto manifest_text = infra::read_file(manifest_path, max_journal_bytes);
    const auto manifest = manifest_text ? nlohmann::json::parse(*manifest_text, nullptr, false) : nlohmann::json();
    if (!manifest.is_object() || !manifest.contains("files") || !manifest["files"].is_array()) {
        return fmt::format(
            "release {}: {} is unreadable; reinstall it with ephemery genesis fetch --iteration {} "
            "--force --no-activate",
            n, manifest_path.string(), n);
    }
    for (const auto& entry : manifest["files"]) {
        const std::string path = entry.value("path", "");
        const std::string expected = entry.value("sha256", "");
        const auto found = files.files.find(path);
        if (found == files.files.end()) return fmt::format("release {}: {} is missing since it was installed", n, path);
        if (!expected.empty() && infra::sha256_of(found->second) != expected) {
            return fmt::format(
                "release {}: {} changed since it was installed (SHA-256 differs from manifest.json); "
                "reinstall it with ephemery genesis fetch --iteration {} --force --no-activate",
                n, path, n);
        }
    }
    const auto report = release::verify_release(files, expectation);
    if (!report.ok()) {
        std::string message = fmt::format("release {} fails verification:", n);
        for (const auto& failure : report.failures) message += fmt::format(" {}: {};", failure.check, failure.message);
        return message;
    }
    return std::nullopt;
}

std::string release_file(const release::ReleaseFiles& files, std::string_view name) {
    const auto found = files.files.find(release::path_of(files.layout, name));
    return found == files.files.end() ? std::string{} : found->second;
}

fs::path choose_archive_dir(const fs::path& data_dir, const std::optional<IterationMarker>& marker,
                            std::uint64_t target) {
    const fs::path base =
        data_dir / "archive" /
        (marker ? fmt::format("iteration-{}", marker->iteration) : fmt::format("before-iteration-{}", target));
    std::error_code error;
    fs::path chosen = base;
    for (int attempt = 2; fs::exists(chosen, error); ++attempt) chosen = fmt::format("{}-{}", base.string(), attempt);
    return chosen;
}

const Instance* instance_of(const Plan& plan, const std::string& service) {
    const auto found = std::find_if(plan.instances.begin(), plan.instances.end(),
                                    [&service](const Instance& instance) { return instance.service == service; });
    return found == plan.instances.end() ? nullptr : &*found;
}

// The directory a step may delete in: its instance's data dir, or the node's.
fs::path owner_dir(const Plan& plan, const Step& step) {
    const Instance* instance = instance_of(plan, step.service);
    return instance == nullptr ? plan.data_dir : instance->data_dir;
}

// Where a slashing store's symlink may lead: inside its data dir, never onto what a reset keeps.
StoreBounds store_bounds(const Plan& plan, const Step& step) {
    StoreBounds bounds{.root = owner_dir(plan, step), .protected_paths = {}};
    if (const Instance* instance = instance_of(plan, step.service)) {
        if (const auto* spec = clients::role_spec(instance->client, instance->role, instance->edition)) {
            for (const clients::KeptPath& kept : spec->keep)
                bounds.protected_paths.push_back(instance->data_dir / kept.path);
        }
        return bounds;
    }
    for (const OwnedPath& owned : node_owned_paths) {
        if (!owned.path.starts_with(ephemery_slashing_database))
            bounds.protected_paths.push_back(plan.data_dir / owned.path);
    }
    for (const Instance& instance : plan.instances) bounds.protected_paths.push_back(instance.data_dir);
    return bounds;
}

// What would stop the steps from `first` on before they destroy anything: symlinks a wipe would have to
// delete through, slashing stores behind a symlink that leads where a reset may not follow.
Result<std::vector<std::string>> step_refusals(const Plan& plan, std::size_t first) {
    std::vector<std::string> refusals;
    for (std::size_t i = first; i < plan.steps.size(); ++i) {
        const Step& step = plan.steps[i];
        if (step.kind == StepKind::wipe_chain_data) {
            auto blocked = wipe_obstacles(owner_dir(plan, step), step.path, step.keep);
            if (!blocked) return blocked.error();
            for (std::string& message : *blocked) {
                refusals.push_back(fmt::format("step {} ({}): {}", i + 1, step.description, message));
            }
        } else if (step.kind == StepKind::archive_slashing) {
            if (auto resolved = resolve_slashing_store(step.source, store_bounds(plan, step)); !resolved) {
                refusals.push_back(fmt::format("step {} ({}): {}", i + 1, step.description, resolved.error().message));
            }
        }
    }
    return refusals;
}

class DirectoryLock {
  public:
    static Result<DirectoryLock> acquire(const fs::path& directory) {
        std::error_code error;
        fs::create_directories(directory, error);
        if (error) {
            return make_error(Errc::io_error, fmt::format("cannot create {}: {}", directory.string(), error.message()));
        }
        const fs::path path = directory / ".lock";
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) return make_error(Errc::io_error, fmt::format("cannot open {}", path.string()));
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            return make_error(Errc::io_error,
                              fmt::format("another ephemery is resetting this node ({} is locked)", path.string()));
        }
        return DirectoryLock(fd);
    }
    DirectoryLock(DirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    DirectoryLock& operator=(DirectoryLock&&) = delete;
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    ~DirectoryLock() {
        if (fd_ >= 0) ::close(fd_);
    }

  private:
    explicit DirectoryLock(int fd) : fd_(fd) {}
    int fd_{-1};
};

Status execute(const Plan& plan, const Step& step, std::size_t index, const RunOptions& options) {
    const Instance* instance = instance_of(plan, step.service);
    const auto need_instance = [&]() -> Status {
        if (instance == nullptr || options.control == nullptr) {
            return make_error(Errc::invalid_argument, fmt::format("step {} names no known client", index + 1));
        }
        return {};
    };
    switch (step.kind) {
        case StepKind::stop_client:
            if (auto status = need_instance(); !status) return status;
            return options.control->stop(*instance);
        case StepKind::start_client:
            if (auto status = need_instance(); !status) return status;
            return options.control->start(*instance);
        case StepKind::init_genesis:
            if (auto status = need_instance(); !status) return status;
            return options.control->run(*instance, step.command);
        case StepKind::archive_slashing:
            return archive_slashing_store(step.source, step.format, step.path, store_bounds(plan, step));
        case StepKind::clear_slashing: return clear_slashing_store(step.path, store_bounds(plan, step));
        case StepKind::wipe_chain_data: {
            bool reported = false;
            auto removed = wipe(owner_dir(plan, step), step.path, step.keep, [&] {
                if (!reported && options.on_phase) options.on_phase(index, Phase::midway);
                reported = true;
            });
            if (!removed) return removed.error();
            return {};
        }
        case StepKind::activate_release: {
            genesis::ReleaseStore store(plan.data_dir);
            if (auto status = store.open_for_writing(); !status) return status;
            auto pruned = store.activate(plan.target_iteration);
            if (!pruned) return pruned.error();
            return {};
        }
        case StepKind::record_iteration: {
            const nlohmann::ordered_json marker{{"iteration", plan.target_iteration},
                                                {"genesis_validators_root", step.source},
                                                {"recorded_at", infra::unix_now()}};
            return infra::write_file_atomically(
                step.path, marker.dump(2) + "\n",
                fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
        }
    }
    return make_error(Errc::invalid_argument, "unknown step");
}

// A journal is read back from disk, so it is checked like input: it must be this node's, and every path a step
// touches must lie in the data dir it belongs to.
Status check_journal_paths(const Plan& plan, const fs::path& data_dir) {
    const auto refuse = [&](const std::string& why) {
        return make_error(Errc::invalid_argument,
                          fmt::format("the reset journal {} {}; it was not written by this node's ephemery: inspect "
                                      "it, and move it away to plan a fresh reset",
                                      journal_path(data_dir).string(), why));
    };
    if (plan.data_dir != data_dir) return refuse(fmt::format("belongs to the data dir {}", plan.data_dir.string()));
    for (const Instance& instance : plan.instances) {
        auto checked = checked_data_dir(instance.data_dir, instance.service);
        if (!checked || *checked != instance.data_dir || is_same_or_inside(data_dir, instance.data_dir)) {
            return refuse(fmt::format("names an unsafe data dir for {}", instance.service));
        }
    }
    for (const Step& step : plan.steps) {
        if (!step.service.empty() && instance_of(plan, step.service) == nullptr) {
            return refuse(fmt::format("has a step for an unknown client {}", step.service));
        }
        // Archives, releases and the marker live in the node's data dir; everything else in the client's.
        const bool node_level = step.kind == StepKind::archive_slashing || step.kind == StepKind::activate_release ||
                                step.kind == StepKind::record_iteration;
        const fs::path owner = node_level ? data_dir : owner_dir(plan, step);
        if (!is_same_or_inside(step.path.lexically_normal(), owner)) {
            return refuse(fmt::format("has a step on {}, outside {}", step.path.string(), owner.string()));
        }
        if (step.kind == StepKind::archive_slashing && !step.source.empty() &&
            !is_same_or_inside(fs::path(step.source).lexically_normal(), owner_dir(plan, step))) {
            return refuse(fmt::format("archives {}, outside {}", step.source, owner_dir(plan, step).string()));
        }
    }
    return {};
}

// The plan for the request's node and target with the installed release's values (placeholders and the genesis
// validators root the marker records).
Result<Plan> derive_plan(PlanRequest request, const fs::path& release_dir, const release::ReleaseFiles& files) {
    request.release_values = release_placeholders(release_dir, files);
    auto plan = make_plan(request);
    if (!plan) return plan.error();
    const std::string root(trim(release_file(files, "genesis_validators_root.txt")));
    for (Step& step : plan->steps) {
        if (step.kind == StepKind::record_iteration) step.source = root;
    }
    return plan;
}

// The archive dir an interrupted reset chose: the one choose_archive_dir names for the iteration the journal says
// the reset began on (with a -<k> suffix when that existed), so an edited journal cannot archive over older ones.
Result<fs::path> recorded_archive_dir(const Plan& recorded, const fs::path& data_dir) {
    const auto archive = std::find_if(recorded.steps.begin(), recorded.steps.end(),
                                      [](const Step& step) { return step.kind == StepKind::archive_slashing; });
    if (archive == recorded.steps.end()) return data_dir / "archive" / "none";  // the plan comparison refuses it
    const fs::path directory = archive->path.lexically_normal().parent_path();
    const std::string name = directory.filename().string();
    const std::string base = recorded.from_iteration ? fmt::format("iteration-{}", *recorded.from_iteration)
                                                     : fmt::format("before-iteration-{}", recorded.target_iteration);
    const std::string_view suffix = std::string_view(name).substr(std::min(name.size(), base.size()));
    const bool numbered = suffix.size() > 1 && suffix.front() == '-' &&
                          std::all_of(suffix.begin() + 1, suffix.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (directory.parent_path() != data_dir / "archive" || !name.starts_with(base) || !(suffix.empty() || numbered)) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("the reset journal {} archives into {}, not {}/{} (the directory for the "
                        "iteration it began on); it was not written by this node's ephemery: inspect "
                        "it, and move it away to plan a fresh reset",
                        journal_path(data_dir).string(), directory.string(), (data_dir / "archive").string(), base));
    }
    return directory;
}

// Until the reset records its iteration, the marker still says where it began (or, killed while recording it,
// already the target).
Status check_recorded_start(const Journal& recorded, const std::optional<IterationMarker>& marker,
                            const fs::path& data_dir) {
    for (std::size_t i = 0; i < recorded.plan.steps.size(); ++i) {
        if (recorded.plan.steps[i].kind == StepKind::record_iteration && recorded.progress[i] == step_done) return {};
    }
    const std::optional<std::uint64_t> current = marker ? std::optional(marker->iteration) : std::nullopt;
    if (current == recorded.plan.from_iteration || current == recorded.plan.target_iteration) return {};
    const auto named = [](const std::optional<std::uint64_t>& n) {
        return n ? fmt::format("iteration {}", *n) : std::string("no iteration");
    };
    return make_error(Errc::invalid_argument,
                      fmt::format("the reset journal {} says the reset began on {}, but {} records {}; inspect the "
                                  "journal and the marker, and move the journal away to plan a fresh reset",
                                  journal_path(data_dir).string(), named(recorded.plan.from_iteration),
                                  (data_dir / iteration_marker_file).string(), named(current)));
}

// An interrupted reset is finished with the plan the configuration and the catalog give now, never with the
// journal's paths and commands: the journal only says how far it got, and must agree with that plan.
Result<Prepared> resume_from_journal(Journal recorded, const fs::path& data_dir, const std::vector<Instance>& instances,
                                     const ResetRequest& request, std::optional<IterationMarker> marker) {
    if (auto status = check_journal_paths(recorded.plan, data_dir); !status) return status.error();
    Prepared prepared;
    prepared.resuming = true;
    prepared.resume_at =
        static_cast<std::size_t>(std::find_if(recorded.progress.begin(), recorded.progress.end(),
                                              [](const std::string& state) { return state != step_done; }) -
                                 recorded.progress.begin());
    prepared.marker = std::move(marker);

    const std::uint64_t n = recorded.plan.target_iteration;
    release::Expectation expectation = request.expectation;
    expectation.iteration = n;
    const fs::path release_dir = data_dir / "testnet" / std::to_string(n);
    release::ReleaseFiles files;
    if (auto refusal = check_release(release_dir, expectation, files)) {
        prepared.plan = std::move(recorded.plan);
        prepared.refusals.push_back(fmt::format("{} (the interrupted reset needs it to finish)", *refusal));
        return prepared;
    }
    if (auto status = check_recorded_start(recorded, prepared.marker, data_dir); !status) return status.error();
    auto archive_dir = recorded_archive_dir(recorded.plan, data_dir);
    if (!archive_dir) return archive_dir.error();
    auto derived = derive_plan({.data_dir = data_dir,
                                .instances = instances,
                                .target_iteration = n,
                                .from_iteration = recorded.plan.from_iteration,
                                .archive_dir = *archive_dir,
                                .release_values = {}},
                               release_dir, files);
    if (!derived) return derived.error();
    if (const auto why = plan_disagreement(recorded.plan, *derived)) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("the reset journal {} disagrees with the configuration and the client catalog: {}. It was "
                        "edited, or the configuration (or ephemery) changed since the reset began. Restore the "
                        "configuration the reset began with and run it again; or check what the interrupted reset "
                        "did (its progress is in the journal) and move the journal away to plan a fresh reset",
                        journal_path(data_dir).string(), *why));
    }
    prepared.plan = std::move(derived).value();
    auto refusals = step_refusals(prepared.plan, prepared.resume_at);
    if (!refusals) return refusals.error();
    prepared.refusals = std::move(refusals).value();
    return prepared;
}

}  // namespace

fs::path journal_path(const fs::path& data_dir) {
    return data_dir / "reset" / "journal.json";
}

Result<std::optional<IterationMarker>> read_iteration_marker(const fs::path& data_dir) {
    const fs::path path = data_dir / iteration_marker_file;
    std::error_code error;
    if (!fs::exists(path, error)) return std::optional<IterationMarker>{};
    auto text = infra::read_file(path, std::size_t{64} * 1024);
    if (!text) return text.error();
    const auto document = nlohmann::json::parse(*text, nullptr, false);
    if (!document.is_object() || !document.contains("iteration") || !document["iteration"].is_number_unsigned()) {
        return make_error(Errc::parse_error,
                          fmt::format("{} has no unsigned 'iteration'; it says which iteration the node's data is "
                                      "from: fix it, or delete it to treat the data as from an unknown iteration",
                                      path.string()));
    }
    return std::optional<IterationMarker>{IterationMarker{document["iteration"].get<std::uint64_t>(),
                                                          document.value("genesis_validators_root", ""),
                                                          document.value("recorded_at", std::int64_t{0})}};
}

Result<Prepared> prepare_reset(const ResetRequest& request) {
    auto data_dir = checked_data_dir(request.data_dir, "data_dir");
    if (!data_dir) return data_dir.error();
    std::vector<Instance> instances = request.instances;
    for (Instance& instance : instances) {
        auto checked = checked_data_dir(instance.data_dir, fmt::format("the data dir of {}", instance.service));
        if (!checked) return checked.error();
        instance.data_dir = std::move(checked).value();
    }
    if (const auto conflicts = data_dir_conflicts(*data_dir, instances); !conflicts.empty()) {
        return make_error(Errc::invalid_argument, join(conflicts, "\n"));
    }

    Prepared prepared;
    auto journal = read_journal(*data_dir);
    if (!journal) return journal.error();
    auto marker = read_iteration_marker(*data_dir);
    if (!marker) return marker.error();
    prepared.marker = *marker;
    if (journal->has_value()) {
        return resume_from_journal(std::move(**journal), *data_dir, instances, request, *marker);
    }

    const std::uint64_t n = request.target_iteration;
    const fs::path release_dir = data_dir.value() / "testnet" / std::to_string(n);
    release::ReleaseFiles files;
    if (auto refusal = check_release(release_dir, request.expectation, files)) {
        prepared.refusals.push_back(std::move(*refusal));
    }
    if (*marker && (*marker)->iteration == n && !request.force) {
        prepared.refusals.push_back(
            fmt::format("the node is already on iteration {} ({}); pass --force to reset it again", n,
                        (data_dir.value() / iteration_marker_file).string()));
    } else if (*marker && (*marker)->iteration > n && !request.force) {
        prepared.refusals.push_back(
            fmt::format("the node is on iteration {}, after {}; pass --force to go back", (*marker)->iteration, n));
    }

    auto plan = derive_plan({.data_dir = *data_dir,
                             .instances = instances,
                             .target_iteration = n,
                             .from_iteration = *marker ? std::optional((*marker)->iteration) : std::nullopt,
                             .archive_dir = choose_archive_dir(*data_dir, *marker, n),
                             .release_values = {}},
                            release_dir, files);
    if (!plan) return plan.error();
    prepared.plan = std::move(plan).value();
    auto refusals = step_refusals(prepared.plan, 0);
    if (!refusals) return refusals.error();
    prepared.refusals.insert(prepared.refusals.end(), refusals->begin(), refusals->end());
    return prepared;
}

Result<std::vector<StepPreview>> preview_plan(const Plan& plan) {
    std::vector<StepPreview> previews;
    for (const Step& step : plan.steps) {
        StepPreview preview;
        if (step.kind == StepKind::wipe_chain_data) {
            auto wiped = preview_wipe(owner_dir(plan, step), step.path, step.keep);
            if (!wiped) return wiped.error();
            preview.deletions = std::move(wiped->deletions);
            preview.kept = std::move(wiped->kept);
            preview.notes = std::move(wiped->notes);
            preview.notes.insert(preview.notes.end(), wiped->blocked.begin(), wiped->blocked.end());
        } else if (step.kind == StepKind::archive_slashing || step.kind == StepKind::clear_slashing) {
            const fs::path& store = step.kind == StepKind::archive_slashing ? fs::path(step.source) : step.path;
            if (auto resolved = resolve_slashing_store(store, store_bounds(plan, step))) {
                preview.store = inspect_slashing_store(*resolved, step.format);
            } else {
                preview.store = SlashingStoreSummary{.exists = true,
                                                     .bytes = 0,
                                                     .genesis_validators_root = std::nullopt,
                                                     .note = resolved.error().message};
            }
        }
        previews.push_back(std::move(preview));
    }
    return previews;
}

Result<RunOutcome> run_reset(const Prepared& prepared, const RunOptions& options) {
    if (!prepared.refusals.empty()) {
        std::string message = "refusing to reset:";
        for (const std::string& refusal : prepared.refusals) message += "\n  " + refusal;
        return make_error(Errc::verification_failed, message);
    }
    const Plan& plan = prepared.plan;
    auto lock = DirectoryLock::acquire(plan.data_dir / "reset");
    if (!lock) return lock.error();
    Journal journal{plan, std::vector<std::string>(plan.steps.size(), std::string(step_pending))};
    if (prepared.resuming) {
        // Re-read under the lock: another run may have moved on since prepare.
        auto current = read_journal(plan.data_dir);
        if (!current) return current.error();
        if (!current->has_value()) {
            return make_error(Errc::invalid_argument, "the interrupted reset was finished by another run");
        }
        // Only its progress is taken; the plan that runs is the one derived from the configuration.
        if (const auto why = plan_disagreement((*current)->plan, plan)) {
            return make_error(Errc::invalid_argument,
                              fmt::format("the reset journal {} changed while the reset was being prepared: {}; "
                                          "run `ephemery reset run` again",
                                          journal_path(plan.data_dir).string(), *why));
        }
        journal.progress = std::move((*current)->progress);
    } else if (auto status = write_journal(plan.data_dir, journal); !status) {
        return status.error();
    }

    RunOutcome outcome{0, 0, plan.target_iteration};
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        const Step& step = plan.steps[i];
        if (journal.progress[i] == step_done) {
            ++outcome.steps_skipped;
            continue;
        }
        const bool again = journal.progress[i] == step_started;
        journal.progress[i] = step_started;
        if (auto status = write_journal(plan.data_dir, journal); !status) return status.error();
        if (options.on_phase) options.on_phase(i, Phase::started);
        spdlog::info("reset step {}/{}{}: {}", i + 1, plan.steps.size(), again ? " (again, after an interruption)" : "",
                     step.description);
        if (auto status = execute(plan, step, i, options); !status) {
            return make_error(status.error().code,
                              fmt::format("step {}/{} ({}) failed: {}. Fix the cause and run `ephemery reset run` "
                                          "again: it resumes at this step",
                                          i + 1, plan.steps.size(), step.description, status.error().message));
        }
        if (options.on_phase) options.on_phase(i, Phase::finished);
        journal.progress[i] = step_done;
        if (auto status = write_journal(plan.data_dir, journal); !status) return status.error();
        ++outcome.steps_run;
    }
    if (auto status =
            infra::rename_durably(journal_path(plan.data_dir), plan.data_dir / "reset" / "last-completed.json");
        !status) {
        return status.error();
    }
    return outcome;
}

}  // namespace ephemery::reset
