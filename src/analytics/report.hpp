#pragma once
// A report over one window of the history, and its renderings: an aligned table for a terminal, one JSON
// document, CSV (one row per validator) and one self-contained HTML page with inline SVG charts. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics.hpp"
#include "core/result.hpp"

namespace ephemery::analytics {

struct ReportInput {
    std::string title;
    Window window{Window::d7};
    std::int64_t now{0};  // Unix seconds: the window ends here (the caller reads the clock)
    std::vector<ValidatorEpoch> validators;
    std::vector<NodeEpoch> node;
    std::vector<NetworkEpoch> network;
    AnomalySettings anomaly_settings;
};

// The cumulative balance change of one label over time (the HTML line chart) and its trend.
struct LabelSeries {
    std::string label;
    std::vector<BalancePoint> points;
    std::optional<Trend> trend;
};

struct Report {
    std::string title;
    Window window{Window::all};
    std::int64_t now{0};
    std::optional<std::int64_t> from;  // the window's start; nullopt for `all`
    std::size_t validator_rows{0};     // rows inside the window
    std::size_t node_rows{0};
    std::size_t network_rows{0};
    std::vector<ValidatorSummary> validators;
    Aggregates aggregates;
    std::vector<LabelSeries> series;  // per label, ordered by label
    std::vector<RankedValidator> ranking;
    std::vector<Anomaly> anomalies;
    std::optional<NodeSummary> node;
    std::optional<NetworkSummary> network;
};

// Selects the window's rows and computes every part of the report.
[[nodiscard]] Report make_report(const ReportInput& input);

enum class Format { table, json, csv, html };

// "table", "json", "csv" or "html"; anything else is an error listing those.
[[nodiscard]] Result<Format> parse_format(std::string_view text);
[[nodiscard]] std::string_view format_name(Format format);

// Aligned plain text for a terminal.
[[nodiscard]] std::string render_table(const Report& report);
// One JSON document; keys are sorted, absent figures are null.
[[nodiscard]] std::string render_json(const Report& report);
// RFC 4180: a header and one CRLF-terminated row per validator summary; fields with , " CR or LF are quoted.
[[nodiscard]] std::string render_csv(const Report& report);
// One self-contained HTML document: inline CSS and SVG, no scripts, no external references; all text escaped.
[[nodiscard]] std::string render_html(const Report& report);
[[nodiscard]] std::string render(const Report& report, Format format);

// Text safe inside HTML elements and attribute values (& < > " ').
[[nodiscard]] std::string html_escape(std::string_view text);
// One CSV field, quoted when RFC 4180 requires it.
[[nodiscard]] std::string csv_field(std::string_view text);

}  // namespace ephemery::analytics
