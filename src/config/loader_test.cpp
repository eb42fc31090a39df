#include "config/config.hpp"
#include "config/emit.hpp"

#include <gtest/gtest.h>

namespace ephemery::config {
namespace {

LoadOutcome load(const std::string& yaml, std::map<std::string, std::string> environment = {},
                 std::map<std::string, Override> flags = {}) {
    LoadRequest request;
    request.file_label = "ephemery.yaml";
    request.yaml_text = yaml;
    request.environment = std::move(environment);
    request.cli_overrides = std::move(flags);
    request.home = "/home/operator";
    request.working_directory = "/srv";
    return load_config(request);
}

std::string all_messages(const LoadOutcome& outcome) {
    std::string text;
    for (const auto& diagnostic : outcome.diagnostics) text += to_string(diagnostic) + "\n";
    return text;
}

TEST(LoadConfig, EmptyFileGivesDefaults) {
    const auto outcome = load("");
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    EXPECT_TRUE(outcome.diagnostics.empty());
    EXPECT_EQ(outcome.config.network.preset, network::Preset::ephemery);
    EXPECT_EQ(outcome.config.network.schedule, network::public_ephemery_schedule());
    EXPECT_EQ(outcome.config.data_dir, "/home/operator/.ephemery");
    EXPECT_EQ(outcome.config.node.execution.client, clients::Client::geth);
    EXPECT_FALSE(outcome.config.node.validator.enabled);
    EXPECT_EQ(outcome.config.checkpoint.providers.size(), 4U);
    ASSERT_EQ(outcome.config.alerts.channels.size(), 1U);
    EXPECT_EQ(outcome.effective["alerts"]["channels"][0]["name"], "console");
    EXPECT_EQ(outcome.effective["api"]["port"], 5080);
    EXPECT_EQ(outcome.effective["data_dir"], "/home/operator/.ephemery");
}

TEST(LoadConfig, DefaultTemplateIsValidAndMatchesBuiltInDefaults) {
    const auto from_template = load(std::string(default_config_yaml()));
    ASSERT_TRUE(from_template.ok()) << all_messages(from_template);
    EXPECT_TRUE(from_template.diagnostics.empty()) << all_messages(from_template);
    EXPECT_EQ(from_template.effective, load("").effective);
}

TEST(LoadConfig, DumpRoundTripsThroughTheLoader) {
    const auto first = load("data_dir: /data\nclients:\n  execution:\n    client: reth\n    extra_args: [--a, --b]\n");
    ASSERT_TRUE(first.ok()) << all_messages(first);
    const auto second = load(to_yaml(first.effective));
    ASSERT_TRUE(second.ok()) << all_messages(second);
    EXPECT_EQ(second.effective, first.effective);
    EXPECT_EQ(second.config.node.execution.extra_args, (std::vector<std::string>{"--a", "--b"}));
}

TEST(LoadConfig, WrongTypeNamesLineKeyValueAndAllowedRange) {
    const auto outcome = load("api:\n  enabled: true\n  port: eighty\n");
    ASSERT_FALSE(outcome.ok());
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    const auto& diagnostic = outcome.diagnostics.front();
    EXPECT_EQ(diagnostic.where, "ephemery.yaml:3:9");
    EXPECT_EQ(diagnostic.key, "api.port");
    EXPECT_EQ(diagnostic.message, "\"eighty\" is not a whole number (allowed: 0 to 65535)");
}

TEST(LoadConfig, UnknownKeySuggestsTheClosest) {
    const auto outcome = load("netwrok:\n  preset: ephemery\napi:\n  prot: 1\n");
    ASSERT_EQ(outcome.diagnostics.size(), 2U) << all_messages(outcome);
    // In file order, although the unknown top-level key is found last.
    EXPECT_EQ(to_string(outcome.diagnostics[0]),
              "ephemery.yaml:1:1: error: netwrok: unknown key \"netwrok\" (did you mean \"network\"?)");
    EXPECT_EQ(to_string(outcome.diagnostics[1]),
              "ephemery.yaml:4:3: error: api.prot: unknown key \"prot\" (did you mean \"port\"?)");
}

TEST(LoadConfig, UnknownKeyWithoutNearMatchListsTheKnownOnes) {
    const auto outcome = load("logging:\n  colour: red\n");
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    EXPECT_EQ(outcome.diagnostics[0].message, "unknown key \"colour\"; logging takes: level, format");
}

TEST(LoadConfig, BadChoiceListsAllowedValues) {
    const auto outcome = load("clients:\n  execution:\n    client: gteh\n  consensus:\n    client: geth\n");
    ASSERT_EQ(outcome.diagnostics.size(), 2U) << all_messages(outcome);
    EXPECT_EQ(outcome.diagnostics[0].key, "clients.execution.client");
    EXPECT_EQ(outcome.diagnostics[0].message,
              "\"gteh\" is not one of: geth, nethermind, besu, erigon, reth (did you mean \"geth\"?)");
    EXPECT_EQ(outcome.diagnostics[1].key, "clients.consensus.client");
    EXPECT_NE(outcome.diagnostics[1].message.find("lighthouse, prysm, teku, nimbus, lodestar, grandine"),
              std::string::npos);
}

TEST(LoadConfig, SyntaxErrorNamesTheLine) {
    const auto outcome = load("network:\n  preset: ephemery\n bad indentation: [\n");
    ASSERT_FALSE(outcome.ok());
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    EXPECT_TRUE(outcome.diagnostics[0].where.starts_with("ephemery.yaml:3:")) << outcome.diagnostics[0].where;
    EXPECT_TRUE(outcome.diagnostics[0].message.starts_with("YAML syntax error")) << outcome.diagnostics[0].message;
}

TEST(LoadConfig, TopLevelMustBeAMapping) {
    const auto outcome = load("- just\n- a list\n");
    ASSERT_FALSE(outcome.ok());
    EXPECT_NE(outcome.diagnostics[0].message.find("mapping of settings"), std::string::npos);
}

TEST(LoadConfig, DuplicateKeysAreErrors) {
    const auto outcome = load("api:\n  port: 1\n  port: 2\n");
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(to_string(outcome.diagnostics[0]),
              "ephemery.yaml:3:3: error: api.port: duplicate key; each setting may appear once in a section");
}

TEST(LoadConfig, SectionOfWrongShape) {
    const auto outcome = load("api: 5080\n");
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    EXPECT_EQ(outcome.diagnostics[0].key, "api");
    EXPECT_NE(outcome.diagnostics[0].message.find("expected a mapping of settings"), std::string::npos);
}

TEST(LoadConfig, EnvironmentOverridesFileAndFlagsOverrideEnvironment) {
    const std::string yaml = "data_dir: /from/file\napi:\n  port: 6000\n";
    auto outcome = load(yaml, {{"EPHEMERY_API_PORT", "7000"}, {"EPHEMERY_DATA_DIR", "/from/env"}});
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    EXPECT_EQ(outcome.config.api.port, 7000);
    EXPECT_EQ(outcome.config.data_dir, "/from/env");

    outcome = load(yaml, {{"EPHEMERY_DATA_DIR", "/from/env"}}, {{"data_dir", {"/from/flag", "--data-dir"}}});
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    EXPECT_EQ(outcome.config.data_dir, "/from/flag");
}

TEST(LoadConfig, EnvironmentListsAreCommaSeparated) {
    const auto outcome = load("", {{"EPHEMERY_CHECKPOINT_PROVIDERS", "http://127.0.0.1:1, http://127.0.0.1:2"},
                                   {"EPHEMERY_CHECKPOINT_QUORUM", "1"}});
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    EXPECT_EQ(outcome.config.checkpoint.providers,
              (std::vector<std::string>{"http://127.0.0.1:1", "http://127.0.0.1:2"}));
}

TEST(LoadConfig, BadEnvironmentValueNamesTheVariable) {
    const auto outcome = load("", {{"EPHEMERY_API_PORT", "99999"}});
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    EXPECT_EQ(to_string(outcome.diagnostics[0]),
              "environment variable EPHEMERY_API_PORT: error: api.port: 99999 is out of range (allowed: 0 to 65535)");
}

TEST(LoadConfig, UnknownEnvironmentVariableSuggestsTheClosest) {
    const auto outcome = load("", {{"EPHEMERY_API_PROT", "1"}, {"EPHEMERY_CONFIG", "/x.yaml"}, {"PATH", "/bin"}});
    ASSERT_EQ(outcome.diagnostics.size(), 1U) << all_messages(outcome);
    EXPECT_EQ(outcome.diagnostics[0].message, "EPHEMERY_API_PROT matches no setting (did you mean EPHEMERY_API_PORT?)");
}

TEST(LoadConfig, PublicNetworkScheduleCannotBeChanged) {
    const auto outcome = load("network:\n  genesis_interval: 600\n");
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    EXPECT_EQ(outcome.diagnostics[0].key, "network.genesis_interval");
    EXPECT_NE(outcome.diagnostics[0].message.find("network.preset: custom"), std::string::npos);
}

TEST(LoadConfig, CustomNetworkSchedule) {
    const auto outcome = load(
        "network:\n  preset: custom\n  name: devnet\n  base_genesis_time: 1000\n  genesis_interval: 600\n"
        "  genesis_delay: 30\n  chain_id_base: 77000\n");
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    const auto& schedule = outcome.config.network.schedule;
    EXPECT_EQ(schedule.genesis_interval, 600);
    EXPECT_EQ(schedule.chain_id_base, 77000U);
    EXPECT_EQ(schedule.release_tag_prefix, "devnet-");
    EXPECT_EQ(outcome.config.network.name, "devnet");
}

TEST(LoadConfig, CustomNetworkNeedsItsSchedule) {
    const auto outcome = load("network:\n  preset: custom\n  genesis_delay: 30\n");
    const auto messages = all_messages(outcome);
    EXPECT_NE(messages.find("network.base_genesis_time: is required when network.preset is custom"), std::string::npos)
        << messages;
    EXPECT_NE(messages.find("network.genesis_interval: is required"), std::string::npos) << messages;
    EXPECT_NE(messages.find("network.chain_id_base: is required"), std::string::npos) << messages;
}

TEST(LoadConfig, CustomScheduleIsValidatedAsAWhole) {
    const auto outcome = load(
        "network:\n  preset: custom\n  base_genesis_time: 1000\n  genesis_interval: 600\n  genesis_delay: 600\n"
        "  chain_id_base: 1\n");
    const auto messages = all_messages(outcome);
    EXPECT_NE(messages.find("network.genesis_delay must be 0 or more and shorter than network.genesis_interval"),
              std::string::npos)
        << messages;
}

TEST(LoadConfig, HomeAndRelativeDataDirs) {
    EXPECT_EQ(load("data_dir: ~/nodes/a\n").config.data_dir, "/home/operator/nodes/a");
    const auto relative = load("data_dir: nodes/../b\n");
    EXPECT_EQ(relative.config.data_dir, "/srv/b");
    ASSERT_EQ(relative.diagnostics.size(), 1U);
    EXPECT_EQ(relative.diagnostics[0].severity, Diagnostic::Severity::warning);
    EXPECT_NE(relative.diagnostics[0].message.find("resolves to /srv/b"), std::string::npos);
    EXPECT_FALSE(load("data_dir: ~other/x\n").ok());
    EXPECT_FALSE(load("data_dir: \"\"\n").ok());
    LoadRequest no_home;
    no_home.yaml_text = "data_dir: ~/x\n";
    no_home.working_directory = "/";
    EXPECT_FALSE(load_config(no_home).ok());
}

TEST(LoadConfig, ValidatorClientNeedsKeystores) {
    const auto outcome = load("clients:\n  validator:\n    enabled: true\n");
    ASSERT_FALSE(outcome.ok());
    EXPECT_NE(all_messages(outcome).find("validators.keystores_dir is empty"), std::string::npos);
}

TEST(LoadConfig, ValidatorFieldChecks) {
    const auto outcome = load(
        "validators:\n  fee_recipient: 0x1234\n  graffiti: 012345678901234567890123456789012\n"
        "  password_file: /p\n  passwords_dir: /d\n");
    const auto messages = all_messages(outcome);
    EXPECT_NE(messages.find("validators.fee_recipient: \"0x1234\" is not an execution address"), std::string::npos)
        << messages;
    EXPECT_NE(messages.find("graffiti holds at most 32 bytes"), std::string::npos) << messages;
    EXPECT_NE(messages.find("not both"), std::string::npos) << messages;
}

TEST(LoadConfig, CheckpointQuorumNeedsEnoughProviders) {
    const auto outcome = load("checkpoint:\n  providers: [http://127.0.0.1:1]\n  quorum: 2\n");
    ASSERT_FALSE(outcome.ok());
    EXPECT_NE(all_messages(outcome).find("a quorum of 2 needs at least 2 providers; 1 are configured"),
              std::string::npos);
    const auto bad_url = load("checkpoint:\n  providers: [ftp://x]\n  quorum: 1\n");
    EXPECT_NE(all_messages(bad_url).find("\"ftp://x\" is not an http:// or https:// URL"), std::string::npos);
}

TEST(LoadConfig, MonitoringValidatorGroups) {
    const std::string pubkey = "0x" + std::string(96, 'a');
    auto outcome = load("monitoring:\n  validators:\n    - label: mine\n      pubkeys: [" + pubkey +
                        "]\n    - label: range\n      indices: 0-63,100\n");
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    ASSERT_EQ(outcome.config.monitoring.validators.size(), 2U);
    EXPECT_EQ(outcome.config.monitoring.validators[1].indices, "0-63,100");

    outcome = load("monitoring:\n  validators:\n    - label: bad\n      indices: 9-3\n    - label: empty\n");
    const auto messages = all_messages(outcome);
    EXPECT_NE(messages.find("monitoring.validators[0].indices: \"9-3\" has a bad range"), std::string::npos)
        << messages;
    EXPECT_NE(messages.find("monitoring.validators[1]: a validator group needs pubkeys or indices"), std::string::npos)
        << messages;
}

TEST(LoadConfig, AlertChannelsAreCheckedPerTypeAndSecretsRedacted) {
    auto outcome =
        load("alerts:\n  channels:\n    - name: ops\n      type: slack\n      url: https://hooks.example/T0/SECRET\n");
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    EXPECT_EQ(outcome.config.alerts.channels[0].url.reveal(), "https://hooks.example/T0/SECRET");
    EXPECT_EQ(outcome.effective["alerts"]["channels"][0]["url"], "<redacted>");
    EXPECT_EQ(to_yaml(outcome.effective).find("SECRET"), std::string::npos);

    outcome = load(
        "alerts:\n  channels:\n    - name: a\n      type: pagerduty\n      url: https://x/SECRET\n"
        "    - name: a\n      type: email\n");
    const auto messages = all_messages(outcome);
    EXPECT_EQ(messages.find("SECRET"), std::string::npos) << messages;
    EXPECT_NE(messages.find("alerts.channels[0].url: does not apply to this channel type"), std::string::npos)
        << messages;
    EXPECT_NE(messages.find("set exactly one of routing_key or routing_key_file"), std::string::npos) << messages;
    EXPECT_NE(messages.find("channel name \"a\" is used twice"), std::string::npos) << messages;
    EXPECT_NE(messages.find("an email channel needs smtp_url, from and to"), std::string::npos) << messages;
}

TEST(LoadConfig, PagerDutyEventsUrlIsReadAndOnlyForPagerDuty) {
    auto outcome = load(
        "alerts:\n  channels:\n    - name: pd\n      type: pagerduty\n      routing_key_file: /run/pd-key\n"
        "      events_url: http://127.0.0.1:9/v2/enqueue\n");
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    EXPECT_EQ(outcome.config.alerts.channels[0].events_url, "http://127.0.0.1:9/v2/enqueue");

    outcome = load(
        "alerts:\n  channels:\n    - name: hook\n      type: webhook\n      url_file: /run/hook\n"
        "      events_url: https://events.example/v2/enqueue\n"
        "    - name: pd\n      type: pagerduty\n      routing_key_file: /run/pd-key\n      events_url: ftp://x\n");
    const auto messages = all_messages(outcome);
    EXPECT_NE(messages.find("alerts.channels[0].events_url: does not apply to this channel type"), std::string::npos)
        << messages;
    EXPECT_NE(messages.find("is not an http:// or https:// URL"), std::string::npos) << messages;
}

TEST(LoadConfig, NonLoopbackApiIsAWarningNotAnError) {
    const auto outcome = load("api:\n  listen_address: 0.0.0.0\n");
    ASSERT_TRUE(outcome.ok()) << all_messages(outcome);
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    EXPECT_EQ(outcome.diagnostics[0].severity, Diagnostic::Severity::warning);
    EXPECT_FALSE(load("api:\n  listen_address: localhost:80\n").ok());
}

TEST(LoadConfig, InvalidUtf8IsRefusedWithItsLine) {
    auto outcome = load("network:\n  name: ok\nvalidators:\n  graffiti: \"\xff\xfe\"\n");
    ASSERT_EQ(outcome.diagnostics.size(), 1U);
    EXPECT_EQ(to_string(outcome.diagnostics[0]),
              "ephemery.yaml:4: error: the file is not valid UTF-8 on this line; save it as UTF-8");
    outcome = load("", {{"EPHEMERY_DATA_DIR", "/x\xc3"}});
    EXPECT_FALSE(outcome.ok());
    EXPECT_TRUE(load("validators:\n  graffiti: \"\xc3\xa9t\xc3\xa9\"\n").ok());  // UTF-8 is fine
}

TEST(LoadConfig, ReportsEveryProblemAtOnce) {
    const auto outcome = load("api:\n  port: x\nlogging:\n  level: loud\nruntime:\n  backend: k8s\n");
    EXPECT_EQ(outcome.diagnostics.size(), 3U) << all_messages(outcome);
}

TEST(LoadConfig, AQuotedValueWithoutItsClosingQuoteIsRefusedWithItsLine) {
    for (const std::string yaml :
         {"api:\n  port: 5080\ndata_dir: \"/var/lib/ephemery\n", "data_dir: '/var/lib/ephemery\n",
          "data_dir: \"/var/lib/eph\\\"emery\n", "data_dir: 'it''s\n"}) {
        const auto outcome = load(yaml);
        EXPECT_FALSE(outcome.ok()) << yaml;
        EXPECT_NE(all_messages(outcome).find("no closing quote"), std::string::npos) << all_messages(outcome);
        EXPECT_NE(all_messages(outcome).find("ephemery.yaml:"), std::string::npos) << all_messages(outcome);
    }
    EXPECT_NE(all_messages(load("api:\n  port: 5080\ndata_dir: \"/var/lib/ephemery\n")).find("ephemery.yaml:3:"),
              std::string::npos);
    for (const std::string yaml :
         {"data_dir: \"/var/lib/ephemery\"\n", "data_dir: '/var/lib/it''s'\n", "data_dir: \"/a\\\"b\"\n",
          "data_dir: /plain/it's\n", "# a \"comment\nnetwork: {}\n"}) {
        const auto outcome = load(yaml);
        EXPECT_TRUE(outcome.ok()) << yaml << all_messages(outcome);
    }
}

TEST(LoadConfig, ASecondYamlDocumentIsRefusedWhereItStarts) {
    const auto outcome = load("data_dir: /data\n---\napi:\n  port: 6000\n");
    ASSERT_FALSE(outcome.ok());
    EXPECT_NE(all_messages(outcome).find("2 YAML documents"), std::string::npos) << all_messages(outcome);
    EXPECT_NE(all_messages(outcome).find("ephemery.yaml:3:"), std::string::npos) << all_messages(outcome);
    EXPECT_TRUE(load("---\ndata_dir: /data\n").ok()) << "one document with its start marker is fine";
    EXPECT_TRUE(load("data_dir: /data\n...\n").ok()) << "an end marker alone starts no document";
}

TEST(LoadConfig, ControlAndBidiCharactersInKeysAreShownEscaped) {
    const std::string right_to_left_override{'\xe2', '\x80', '\xae'};  // spelled out: see Text tests
    const auto outcome = load("dat" + right_to_left_override + "a_dir: /data\n\x1b[31mapi: {}\n");
    ASSERT_FALSE(outcome.ok());
    const std::string messages = all_messages(outcome);
    EXPECT_EQ(messages.find(right_to_left_override), std::string::npos) << messages;
    EXPECT_EQ(messages.find('\x1b'), std::string::npos) << messages;
    EXPECT_NE(messages.find("dat\\u{202E}a_dir"), std::string::npos) << messages;
}

}  // namespace
}  // namespace ephemery::config
