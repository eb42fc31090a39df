#pragma once

#include "core/result.hpp"
#include "release/verify.hpp"
#include "reset/plan.hpp"
#include "reset/slashing_store.hpp"
#include "reset/tree.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// Runs a reset plan: checks that it may run, shows what it would do, and does it through a journal in the
// data dir so that a crash at any point resumes to the same end state.
namespace ephemery::reset {

// How the engine stops and starts clients and runs their genesis-init commands. The node runtime implements
// it for its backends; tests use a double.
class ClientControl {
  public:
    ClientControl() = default;
    ClientControl(const ClientControl&) = delete;
    ClientControl& operator=(const ClientControl&) = delete;
    ClientControl(ClientControl&&) = delete;
    ClientControl& operator=(ClientControl&&) = delete;
    virtual ~ClientControl() = default;
    // Both must be idempotent: stopping a stopped client or starting a running one succeeds.
    [[nodiscard]] virtual Status stop(const Instance& instance) = 0;
    [[nodiscard]] virtual Status start(const Instance& instance) = 0;
    // Runs a command to completion; a non-zero exit is an error whose message carries the output's tail.
    [[nodiscard]] virtual Status run(const Instance& instance, const std::vector<std::string>& command) = 0;
};

// <data-dir>/iteration.json.
struct IterationMarker {
    std::uint64_t iteration{0};
    std::string genesis_validators_root;
    std::int64_t recorded_at{0};  // Unix seconds
};
[[nodiscard]] Result<std::optional<IterationMarker>> read_iteration_marker(const std::filesystem::path& data_dir);

struct ResetRequest {
    std::filesystem::path data_dir;   // the node's data dir
    std::vector<Instance> instances;  // data dirs need not be canonical yet
    std::uint64_t target_iteration{0};
    release::Expectation expectation;  // what the target release must satisfy
    bool force{false};                 // reset even when the node is already on the target iteration
};

enum class Phase {
    started,   // the journal records the step as started; nothing done yet
    midway,    // part of the step is done (a wipe after its first entry, an archive written)
    finished,  // the step's work is done; the journal does not say so yet
};

struct Prepared {
    Plan plan;
    std::size_t resume_at{0};  // first step not done (a resumed journal), 0 for a new plan
    bool resuming{false};      // a journal of an interrupted reset was found
    std::optional<IterationMarker> marker;
    std::vector<std::string> refusals;  // why `run` would refuse; empty: it may run
};

// Checks everything and builds the plan, or loads the journal of an interrupted reset (which then wins over
// the request: it is finished first). Refusals are reported, not returned as errors, so `plan` can show them.
// Fails only on a bad data dir or an unreadable journal.
[[nodiscard]] Result<Prepared> prepare_reset(const ResetRequest& request);

struct StepPreview {
    std::vector<PlannedDeletion> deletions;  // wipe
    std::vector<std::string> kept;           // wipe: kept paths present
    std::vector<std::string> notes;
    std::optional<SlashingStoreSummary> store;  // archive / clear
};

// What each step of the plan would touch now (sizes, kept paths, slashing stores with their roots).
[[nodiscard]] Result<std::vector<StepPreview>> preview_plan(const Plan& plan);

struct RunOptions {
    ClientControl* control{nullptr};
    // Called at each journal point; tests kill the process here.
    std::function<void(std::size_t step, Phase phase)> on_phase;
};

struct RunOutcome {
    std::size_t steps_run{0};
    std::size_t steps_skipped{0};  // already done by an interrupted run
    std::uint64_t iteration{0};
};

// Runs a prepared plan (refusing when prepared.refusals is not empty). Holds <data-dir>/reset/.lock.
[[nodiscard]] Result<RunOutcome> run_reset(const Prepared& prepared, const RunOptions& options);

// <data-dir>/reset/journal.json while a reset runs; renamed to last-completed.json when it ends.
[[nodiscard]] std::filesystem::path journal_path(const std::filesystem::path& data_dir);

}  // namespace ephemery::reset
