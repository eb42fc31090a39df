#include "checkpoint/server.hpp"

#include "core/text.hpp"
#include "infra/files.hpp"
#include "infra/http_service.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace ephemery::checkpoint {
namespace {

constexpr std::size_t max_block_bytes = std::size_t{64} << 20;
constexpr std::size_t chunk_size = std::size_t{1} << 20;

std::string root_hex(const std::array<std::uint8_t, 32>& root) {
    return "0x" + to_hex(root);
}

void reply_json(httplib::Response& response, int status, const nlohmann::json& body) {
    response.status = status;
    response.set_content(body.dump(), "application/json");
}

void reply_error(httplib::Response& response, int status, const std::string& message) {
    reply_json(response, status, {{"code", status}, {"message", message}});
}

// Streams a file; the size is known, so clients see a Content-Length.
void reply_file(httplib::Response& response, const std::filesystem::path& path, std::uint64_t size,
                const std::string& fork) {
    response.set_header("Eth-Consensus-Version", fork);
    response.set_content_provider(static_cast<std::size_t>(size), "application/octet-stream",
                                  [path](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                      std::ifstream in(path, std::ios::binary);
                                      in.seekg(static_cast<std::streamoff>(offset));
                                      std::string buffer(std::min(length, chunk_size), '\0');
                                      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                                      const auto got = static_cast<std::size_t>(in.gcount());
                                      return got > 0 && sink.write(buffer.data(), got);
                                  });
}

bool wants_ssz(const httplib::Request& request) {
    const auto accept = request.get_header_value("Accept");
    return accept.find("application/octet-stream") != std::string::npos;
}

}  // namespace

struct CheckpointServer::State {
    infra::HttpService http;
    CacheEntryInfo entry;
    ssz::BlockSummary block;
};

CheckpointServer::CheckpointServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

CheckpointServer::~CheckpointServer() {
    stop();
}

int CheckpointServer::port() const {
    return state_->http.port();
}

void CheckpointServer::stop() {
    if (state_) state_->http.stop();
}

Result<std::unique_ptr<CheckpointServer>> CheckpointServer::start(const CacheEntryInfo& entry,
                                                                  const NetworkFacts& facts,
                                                                  const ServeSettings& settings) {
    auto block_bytes = infra::read_file(entry.block_file(), max_block_bytes);
    if (!block_bytes) return block_bytes.error();
    const auto fork = ssz::parse_fork_name(entry.fork);
    if (!fork)
        return make_error(Errc::parse_error, fmt::format("{}: unknown fork `{}`", entry.dir.string(), entry.fork));
    auto block = ssz::inspect_signed_beacon_block(as_bytes(*block_bytes), *fork, facts.preset);
    if (!block) return block.error();
    if (block->root != entry.checkpoint.root) {
        return make_error(
            Errc::verification_failed,
            fmt::format("{}: block.ssz does not hash to the entry's block root; delete the entry and fetch again",
                        entry.dir.string()));
    }

    auto state = std::make_unique<State>();
    state->entry = entry;
    state->block = *block;
    State& shared = *state;
    httplib::Server& server = state->http.server();
    const nlohmann::json checkpoint_json{{"epoch", std::to_string(entry.checkpoint.epoch)},
                                         {"root", root_hex(entry.checkpoint.root)}};
    const auto genesis_fork_version = facts.config.contains("GENESIS_FORK_VERSION")
                                          ? facts.config.at("GENESIS_FORK_VERSION")
                                          : std::string("0x00000000");
    const nlohmann::json genesis{{"data",
                                  {{"genesis_time", std::to_string(facts.genesis.genesis_time)},
                                   {"genesis_validators_root", root_hex(facts.genesis.genesis_validators_root)},
                                   {"genesis_fork_version", genesis_fork_version}}}};
    nlohmann::json spec_data = nlohmann::json::object();
    for (const auto& [key, value] : facts.config) spec_data[key] = value;
    spec_data["SLOTS_PER_EPOCH"] = std::to_string(facts.slots_per_epoch);
    const nlohmann::json spec{{"data", spec_data}};

    // The ids this server can answer: the checkpoint by name, slot or root.
    const auto is_block_id = [&shared](const std::string& id) {
        return id == "finalized" || id == "head" || id == "justified" || id == std::to_string(shared.entry.slot) ||
               id == root_hex(shared.entry.checkpoint.root);
    };
    const auto is_state_id = [&shared](const std::string& id) {
        return id == "finalized" || id == "head" || id == "justified" || id == std::to_string(shared.entry.slot) ||
               id == root_hex(shared.entry.state_root);
    };

    server.Get("/eth/v1/beacon/genesis",
               [genesis](const httplib::Request&, httplib::Response& response) { reply_json(response, 200, genesis); });
    server.Get("/eth/v1/config/spec",
               [spec](const httplib::Request&, httplib::Response& response) { reply_json(response, 200, spec); });
    server.Get("/eth/v1/node/version", [](const httplib::Request&, httplib::Response& response) {
        reply_json(response, 200, {{"data", {{"version", "ephemery/0.1 (checkpoint serve)"}}}});
    });
    server.Get("/eth/v1/node/health",
               [](const httplib::Request&, httplib::Response& response) { response.status = 200; });
    server.Get(R"(/eth/v1/beacon/states/([^/]+)/finality_checkpoints)",
               [is_state_id, checkpoint_json](const httplib::Request& request, httplib::Response& response) {
                   if (!is_state_id(request.matches[1])) {
                       reply_error(response, 404, "this server holds only the verified finalized checkpoint");
                       return;
                   }
                   reply_json(response, 200,
                              {{"execution_optimistic", false},
                               {"finalized", true},
                               {"data",
                                {{"previous_justified", checkpoint_json},
                                 {"current_justified", checkpoint_json},
                                 {"finalized", checkpoint_json}}}});
               });
    server.Get(R"(/eth/v1/beacon/headers/([^/]+))",
               [is_block_id, &shared](const httplib::Request& request, httplib::Response& response) {
                   if (!is_block_id(request.matches[1])) {
                       reply_error(response, 404, "this server holds only the verified finalized block");
                       return;
                   }
                   const auto& header = shared.block;
                   reply_json(response, 200,
                              {{"execution_optimistic", false},
                               {"finalized", true},
                               {"data",
                                {{"root", root_hex(header.root)},
                                 {"canonical", true},
                                 {"header",
                                  {{"message",
                                    {{"slot", std::to_string(header.slot)},
                                     {"proposer_index", std::to_string(header.proposer_index)},
                                     {"parent_root", root_hex(header.parent_root)},
                                     {"state_root", root_hex(header.state_root)},
                                     {"body_root", root_hex(header.body_root)}}},
                                   {"signature", "0x" + std::string(192, '0')}}}}}});
               });
    server.Get(R"(/eth/v1/beacon/blocks/([^/]+)/root)",
               [is_block_id, &shared](const httplib::Request& request, httplib::Response& response) {
                   if (!is_block_id(request.matches[1])) {
                       reply_error(response, 404, "this server holds only the verified finalized block");
                       return;
                   }
                   reply_json(response, 200, {{"finalized", true}, {"data", {{"root", root_hex(shared.block.root)}}}});
               });
    server.Get(R"(/eth/v2/beacon/blocks/([^/]+))", [is_block_id, &shared](const httplib::Request& request,
                                                                          httplib::Response& response) {
        if (!is_block_id(request.matches[1])) {
            reply_error(response, 404, "this server holds only the verified finalized block");
            return;
        }
        if (!wants_ssz(request)) {
            reply_error(response, 406, "this server answers with SSZ only (Accept: application/octet-stream)");
            return;
        }
        reply_file(response, shared.entry.block_file(), shared.entry.block_bytes, shared.entry.fork);
    });
    // v1 is what clients ask for a phase0 state; the bytes are the same.
    server.Get(R"(/eth/v[12]/debug/beacon/states/([^/]+))", [is_state_id, &shared](const httplib::Request& request,
                                                                                   httplib::Response& response) {
        if (!is_state_id(request.matches[1])) {
            reply_error(response, 404, "this server holds only the verified finalized state");
            return;
        }
        if (!wants_ssz(request)) {
            reply_error(response, 406, "this server answers with SSZ only (Accept: application/octet-stream)");
            return;
        }
        reply_file(response, shared.entry.state_file(), shared.entry.state_bytes, shared.entry.fork);
    });

    if (auto listening =
            state->http.listen(settings.listen_address, settings.port, "pass --port or set checkpoint.serve_port");
        !listening) {
        return listening.error();
    }
    return std::unique_ptr<CheckpointServer>(new CheckpointServer(std::move(state)));
}

}  // namespace ephemery::checkpoint
