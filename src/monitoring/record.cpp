#include "monitoring/record.hpp"

#include <array>
#include <utility>

namespace ephemery::monitoring {

namespace {

constexpr std::array<std::pair<std::string_view, FigureSource>, 4> figure_source_names{{
    {"rewards_api", FigureSource::rewards_api},
    {"participation_flags", FigureSource::participation_flags},
    {"liveness", FigureSource::liveness},
    {"none", FigureSource::none},
}};

}  // namespace

std::string_view figure_source_name(FigureSource source) {
    for (const auto& [name, value] : figure_source_names) {
        if (value == source) return name;
    }
    return "none";
}

std::optional<FigureSource> figure_source_from_name(std::string_view name) {
    for (const auto& [candidate, value] : figure_source_names) {
        if (candidate == name) return value;
    }
    return std::nullopt;
}

}  // namespace ephemery::monitoring
