#include "config/emit.hpp"

#include <yaml-cpp/yaml.h>

namespace ephemery::config {
namespace {

void emit(YAML::Emitter& out, const nlohmann::ordered_json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::object:
            out << YAML::BeginMap;
            for (const auto& [key, item] : value.items()) {
                out << YAML::Key << key << YAML::Value;
                emit(out, item);
            }
            out << YAML::EndMap;
            break;
        case nlohmann::json::value_t::array:
            out << (value.empty() ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
            for (const auto& item : value) emit(out, item);
            out << YAML::EndSeq;
            break;
        case nlohmann::json::value_t::string: out << YAML::DoubleQuoted << value.get<std::string>(); break;
        case nlohmann::json::value_t::boolean: out << value.get<bool>(); break;
        case nlohmann::json::value_t::number_integer: out << value.get<std::int64_t>(); break;
        case nlohmann::json::value_t::number_unsigned: out << value.get<std::uint64_t>(); break;
        case nlohmann::json::value_t::number_float: out << value.get<double>(); break;
        case nlohmann::json::value_t::null:
        case nlohmann::json::value_t::binary:
        case nlohmann::json::value_t::discarded: out << YAML::Null; break;
    }
}

}  // namespace

std::string to_yaml(const nlohmann::ordered_json& tree) {
    YAML::Emitter out;
    out.SetIndent(2);
    emit(out, tree);
    return std::string(out.c_str()) + "\n";
}

}  // namespace ephemery::config
