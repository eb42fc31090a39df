#include "analytics/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ephemery::analytics {
namespace {

constexpr std::int64_t epoch_seconds = 384;
constexpr std::int64_t now = 1'800'000'000;

ValidatorEpoch report_row(const std::string& pubkey, const std::string& label, std::uint64_t epoch,
                          std::int64_t reward) {
    ValidatorEpoch record;
    record.iteration = 3;
    record.epoch = epoch;
    record.time = now - 2 * seconds_per_day + static_cast<std::int64_t>(epoch) * epoch_seconds;
    record.label = label;
    record.pubkey = pubkey;
    record.index = 4;
    record.balance = 32'000'000'000;
    record.balance_delta = epoch == 0 ? 0 : reward;
    record.effective_balance = 32'000'000'000;
    record.source = FigureSource::participation_flags;
    record.source_hit = true;
    record.target_hit = true;
    record.head_hit = reward >= 1000;
    record.live = true;
    record.attestation_reward = reward;
    record.ideal_attestation_reward = 1000;
    return record;
}

// Three labels (one hostile), ten epochs in the 7-day window and one row outside it.
ReportInput sample_input() {
    ReportInput input;
    input.title = "Ephemery validators";
    input.window = Window::d7;
    input.now = now;
    for (std::uint64_t epoch = 0; epoch < 10; ++epoch) {
        input.validators.push_back(report_row("0xaaaa", "solo", epoch, 1000));
        input.validators.push_back(report_row("0xbbbb", "pool, \"east\"", epoch, 960));
        input.validators.push_back(report_row("0xcccc", "<script>alert('x')</script>", epoch, 980));
        input.validators.push_back(report_row("0xdddd", "solo", epoch, epoch == 7 ? 100 : 1000));
        NodeEpoch node;
        node.iteration = 3;
        node.epoch = epoch;
        node.time = input.validators.back().time;
        node.peers = 40;
        node.data_dir_bytes = 1'000'000 * (epoch + 1);
        input.node.push_back(node);
        NetworkEpoch network;
        network.iteration = 3;
        network.epoch = epoch;
        network.time = node.time;
        network.target_participation = 0.97;
        input.network.push_back(network);
    }
    ValidatorEpoch old = report_row("0xaaaa", "solo", 0, 1000);
    old.iteration = 2;
    old.time = now - 10 * seconds_per_day;
    old.balance_delta = -5'000'000;
    input.validators.push_back(old);
    return input;
}

TEST(Format, ParsesTheFourNames) {
    EXPECT_EQ(parse_format("table").value(), Format::table);
    EXPECT_EQ(parse_format("json").value(), Format::json);
    EXPECT_EQ(parse_format("csv").value(), Format::csv);
    EXPECT_EQ(parse_format("html").value(), Format::html);
    for (const Format format : {Format::table, Format::json, Format::csv, Format::html}) {
        EXPECT_EQ(parse_format(format_name(format)).value(), format);
    }
    const Result<Format> bad = parse_format("htm");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("table, json, csv, html"), std::string::npos) << bad.error().message;
    EXPECT_NE(bad.error().message.find("did you mean 'html'"), std::string::npos) << bad.error().message;
}

TEST(Report, SelectsTheWindowAndComputesEveryPart) {
    const Report report = make_report(sample_input());
    EXPECT_EQ(report.title, "Ephemery validators");
    EXPECT_EQ(report.from, now - 7 * seconds_per_day);
    EXPECT_EQ(report.validator_rows, 40U);  // the 10-day-old row is outside
    EXPECT_EQ(report.node_rows, 10U);
    EXPECT_EQ(report.network_rows, 10U);
    ASSERT_EQ(report.validators.size(), 4U);
    for (const ValidatorSummary& summary : report.validators) {
        EXPECT_EQ(summary.iterations.size(), 1U) << summary.pubkey;
    }
    EXPECT_EQ(report.aggregates.labels.size(), 3U);
    EXPECT_EQ(report.aggregates.overall.validators, 4U);
    ASSERT_EQ(report.ranking.size(), 4U);
    EXPECT_EQ(report.ranking[0].pubkey, "0xaaaa");
    EXPECT_EQ(report.ranking[1].pubkey, "0xcccc");
    EXPECT_EQ(report.ranking[2].pubkey, "0xbbbb");
    EXPECT_EQ(report.ranking[3].pubkey, "0xdddd");
    ASSERT_EQ(report.anomalies.size(), 2U);  // 0xdddd's empty epoch, against its peers and its own baseline
    EXPECT_EQ(report.anomalies[0].pubkey, "0xdddd");
    EXPECT_EQ(report.anomalies[0].epoch, 7U);
    ASSERT_TRUE(report.node.has_value());
    ASSERT_TRUE(report.node->data_dir_bytes_per_day.has_value());
    EXPECT_NEAR(*report.node->data_dir_bytes_per_day,
                1e6 * static_cast<double>(seconds_per_day) / static_cast<double>(epoch_seconds), 1e-3);
    ASSERT_TRUE(report.network.has_value());
    ASSERT_EQ(report.series.size(), 3U);
    EXPECT_EQ(report.series[2].label, "solo");
    EXPECT_EQ(report.series[2].points.back().cumulative_gwei, 9 * 1000 + 8 * 1000 + 100);

    ReportInput everything = sample_input();
    everything.window = Window::all;
    EXPECT_EQ(make_report(everything).validator_rows, 41U);
    EXPECT_EQ(make_report(everything).validators[2].iterations.size(), 2U);  // 0xaaaa across the reset
}

TEST(Report, CsvFieldsAreQuotedPerRfc4180) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");

    const std::string csv = render_csv(make_report(sample_input()));
    EXPECT_EQ(csv.rfind("rank,percentile,pubkey,label,", 0), 0U) << csv;
    EXPECT_NE(csv.find(",\"pool, \"\"east\"\"\","), std::string::npos) << csv;
    // A header and one row per validator, each ended by CRLF.
    std::size_t rows = 0;
    for (std::size_t at = csv.find("\r\n"); at != std::string::npos; at = csv.find("\r\n", at + 2)) ++rows;
    EXPECT_EQ(rows, 5U);
    EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
    const std::string header = csv.substr(0, csv.find("\r\n"));
    const auto columns = std::count(header.begin(), header.end(), ',') + 1;
    const std::string first_row =
        csv.substr(header.size() + 2, csv.find("\r\n", header.size() + 2) - header.size() - 2);
    EXPECT_EQ(std::count(first_row.begin(), first_row.end(), ',') + 1, columns) << first_row;
}

TEST(Report, HtmlIsSelfContainedEscapedAndHasCharts) {
    EXPECT_EQ(html_escape("<a href=\"x\">O'Neil & co</a>"),
              "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");

    const std::string html = render_html(make_report(sample_input()));
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0U);
    EXPECT_EQ(html.find("<script"), std::string::npos) << "a label injected markup";
    EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("<polyline"), std::string::npos);
    EXPECT_NE(html.find("<rect"), std::string::npos);
    EXPECT_NE(html.find("<style>"), std::string::npos);
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    // One document.
    EXPECT_EQ(html.find("</html>"), html.rfind("</html>"));

    // Empty history still renders both charts, saying there is nothing.
    ReportInput empty;
    empty.title = "<b>nothing</b>";
    empty.now = now;
    const std::string nothing = render_html(make_report(empty));
    EXPECT_NE(nothing.find("<svg"), std::string::npos);
    EXPECT_EQ(nothing.find("<b>"), std::string::npos);
    EXPECT_NE(nothing.find("No balance figures"), std::string::npos);
}

TEST(Report, JsonParsesBackWithStableKeys) {
    const std::string text = render_json(make_report(sample_input()));
    const nlohmann::json document = nlohmann::json::parse(text);
    EXPECT_EQ(document.at("title"), "Ephemery validators");
    EXPECT_EQ(document.at("window"), "7d");
    EXPECT_EQ(document.at("now"), now);
    EXPECT_EQ(document.at("rows").at("validators"), 40);
    ASSERT_EQ(document.at("validators").size(), 4U);
    EXPECT_EQ(document.at("labels").size(), 3U);
    EXPECT_TRUE(document.at("overall").at("label").is_null());
    const nlohmann::json& solo = document.at("validators").at(2);
    EXPECT_EQ(solo.at("pubkey"), "0xaaaa");
    EXPECT_EQ(solo.at("label"), "solo");
    EXPECT_DOUBLE_EQ(solo.at("performance").at("effectiveness").get<double>(), 1.0);
    EXPECT_EQ(solo.at("performance").at("figure_sources").at("participation_flags"), 10);
    EXPECT_EQ(solo.at("iterations").size(), 1U);
    EXPECT_TRUE(solo.at("trend").at("gwei_per_day").is_number());
    EXPECT_EQ(document.at("ranking").at(0).at("rank"), 1);
    EXPECT_EQ(document.at("anomalies").at(0).at("kind"), "below_watched_set");
    EXPECT_TRUE(document.at("node").at("data_dir_bytes_per_day").is_number());
    EXPECT_EQ(document.at("balance_series").size(), 3U);
    // The same report renders to the same text.
    EXPECT_EQ(render_json(make_report(sample_input())), text);

    ReportInput empty;
    empty.now = now;
    empty.window = Window::all;
    const nlohmann::json nothing = nlohmann::json::parse(render_json(make_report(empty)));
    EXPECT_TRUE(nothing.at("from").is_null());
    EXPECT_TRUE(nothing.at("node").is_null());
    EXPECT_TRUE(nothing.at("overall").at("performance").at("effectiveness").is_null());
    EXPECT_TRUE(nothing.at("overall").at("trend").is_null());

    // Invalid UTF-8 in a label is replaced, not thrown.
    ReportInput broken = sample_input();
    broken.validators[0].label = "bad\xff";
    const std::string repaired = render_json(make_report(broken));
    EXPECT_TRUE(nlohmann::json::accept(repaired));
}

TEST(Report, TableIsAlignedAndHarmlessOnATerminal) {
    ReportInput input = sample_input();
    for (ValidatorEpoch& record : input.validators) {
        if (record.pubkey == "0xaaaa") record.label = "solo\x1b[2J";  // an escape sequence from operator config
    }
    const std::string table = render_table(make_report(input));
    EXPECT_EQ(table.rfind("Ephemery validators\n", 0), 0U);
    EXPECT_EQ(table.find('\x1b'), std::string::npos);
    for (const char* section :
         {"Groups", "Per iteration", "Balance trend", "Validators", "Anomalies", "Node", "Network"}) {
        EXPECT_NE(table.find(std::string("\n") + section + "\n"), std::string::npos) << section;
    }
    EXPECT_NE(table.find("(all)"), std::string::npos);
    EXPECT_NE(table.find("effectiveness"), std::string::npos);

    // In the validators table every row's "percentile" column ends where its header does.
    const std::size_t start = table.find("\nValidators\n") + 12;
    const std::size_t header_end = table.find('\n', start);
    const std::string header = table.substr(start, header_end - start);
    const std::size_t column_end = header.find("percentile") + std::string("percentile").size();
    std::size_t line_start = table.find('\n', header_end + 1) + 1;  // after the rule
    for (int i = 0; i < 4; ++i) {
        const std::size_t line_end = table.find('\n', line_start);
        const std::string line = table.substr(line_start, line_end - line_start);
        ASSERT_GT(line.size(), column_end) << line;
        EXPECT_NE(line[column_end - 1], ' ') << line;
        EXPECT_EQ(line[column_end], ' ') << line;
        line_start = line_end + 1;
    }

    ReportInput empty;
    empty.now = now;
    const std::string nothing = render_table(make_report(empty));
    EXPECT_NE(nothing.find("no trend"), std::string::npos);
    EXPECT_NE(nothing.find("no node samples"), std::string::npos);
}

TEST(Report, RenderDispatchesOnTheFormat) {
    const Report report = make_report(sample_input());
    EXPECT_EQ(render(report, Format::json), render_json(report));
    EXPECT_EQ(render(report, Format::csv), render_csv(report));
    EXPECT_EQ(render(report, Format::html), render_html(report));
    EXPECT_EQ(render(report, Format::table), render_table(report));
}

}  // namespace
}  // namespace ephemery::analytics
