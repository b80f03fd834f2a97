/* The C API from C: compiling, diagnostics, a whole flow on a fake clock with a recording and a
 * callback transport, and every kind of failure a caller can provoke. Usage: test_c_api DIR,
 * where DIR holds tests/scenarios (sale_confirmation.flow). */
#include <nudge/nudge.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__,      \
                    #cond, nudge_last_error());                                                    \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_CONTAINS(text, part)                                                                 \
    do {                                                                                           \
        const char* text_ = (text);                                                                \
        if (!text_ || !strstr(text_, (part))) {                                                    \
            fprintf(stderr, "%s:%d: expected %s in %s\n", __FILE__, __LINE__, (part),              \
                    text_ ? text_ : "(null)");                                                     \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

static const char* bad_flow = "flow broken\n"
                              "field phone: phone\n"
                              "channel sms to phone from \"4790000000\"\n"
                              "trigger call.missed as phone {\n"
                              "  start nowhere\n"
                              "}\n";

static void test_bad_flow(void) {
    nudge_flow* flow = NULL;
    char* json = NULL;
    CHECK(nudge_flow_compile(bad_flow, "broken.flow", &flow) == NUDGE_ERROR_FLOW);
    CHECK(flow != NULL);
    CHECK(!nudge_flow_ok(flow));
    CHECK_CONTAINS(nudge_last_error(), "broken.flow:4:1: error: ");
    CHECK(nudge_flow_diagnostics_json(flow, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"severity\":\"error\"");
    CHECK_CONTAINS(json, "\"line\":4");
    CHECK_CONTAINS(json, "\"column\":1");
    CHECK_CONTAINS(json, "nowhere");
    nudge_string_free(json);

    /* A flow with errors cannot be loaded. */
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_engine* engine = NULL;
    CHECK(nudge_clock_new_fake("2026-03-28T20:55:00+01:00", &clock) == NUDGE_OK);
    CHECK(nudge_transport_new_recording(&out) == NUDGE_OK);
    CHECK(nudge_engine_new(clock, out, &engine) == NUDGE_OK);
    CHECK(nudge_engine_load(engine, flow) == NUDGE_ERROR_FLOW);
    nudge_engine_free(engine);
    nudge_transport_free(out);
    nudge_clock_free(clock);
    nudge_flow_free(flow);

    /* A missing file is a diagnostic too. */
    CHECK(nudge_flow_compile_file("/nonexistent/x.flow", &flow) == NUDGE_ERROR_FLOW);
    CHECK(nudge_flow_diagnostics_json(flow, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"code\":\"io\"");
    nudge_string_free(json);
    nudge_flow_free(flow);
}

/* tests/scenarios/sale_confirmation.scenario.yaml, step by step. */
static void test_sale_confirmation(const char* dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/sale_confirmation.flow", dir);
    nudge_flow* flow = NULL;
    CHECK(nudge_flow_compile_file(path, &flow) == NUDGE_OK);
    CHECK(nudge_flow_ok(flow));
    CHECK(strcmp(nudge_flow_name(flow), "sale_confirmation") == 0);

    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_engine* engine = NULL;
    CHECK(nudge_clock_new_fake("2026-03-28T20:55:00+01:00", &clock) == NUDGE_OK);
    CHECK(nudge_transport_new_recording(&out) == NUDGE_OK);
    CHECK(nudge_engine_new(clock, out, &engine) == NUDGE_OK);
    CHECK(nudge_engine_load(engine, flow) == NUDGE_OK);
    CHECK(nudge_engine_load(engine, flow) == NUDGE_ERROR_INVALID_ARGUMENT); /* loaded twice */
    nudge_flow_free(flow); /* the engine shares it */

    int64_t now = 0;
    CHECK(nudge_clock_now(clock, &now) == NUDGE_OK);
    CHECK(now == 1774727700); /* 2026-03-28T19:55:00Z */

    uint64_t ids[4] = {0};
    size_t count = 0;
    CHECK(nudge_engine_trigger(engine, "sale.saved",
                               "{\"phone\": \"+4791234567\", \"first_name\": \"Kari\", "
                               "\"product\": \"sykkelservice\"}",
                               ids, 4, &count) == NUDGE_OK);
    CHECK(count == 1);
    CHECK(ids[0] != 0);

    int has = 0;
    int64_t due = 0;
    CHECK(nudge_engine_next_due(engine, &has, &due) == NUDGE_OK);
    CHECK(has == 1 && due == now + 30);

    int fired = 0;
    CHECK(nudge_engine_advance(engine, 30, &fired) == NUDGE_OK);
    CHECK(fired == 1);
    size_t sent = 0;
    CHECK(nudge_transport_sent_count(out, &sent) == NUDGE_OK);
    CHECK(sent == 1);

    char* json = NULL;
    CHECK(nudge_transport_sent_json(out, "Europe/Oslo", &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"at\":\"2026-03-28T20:55:30+01:00\"");
    CHECK_CONTAINS(json, "\"text\":\"Hei Kari! Takk for at du valgte sykkelservice.");
    CHECK_CONTAINS(json, "\"channel\":\"sms\"");
    CHECK_CONTAINS(json, "\"subject\":null");
    CHECK_CONTAINS(json, "\"reminder\":false");
    nudge_string_free(json);

    /* Until 2026-03-29T12:00 local (10:00Z): the reminder waits for 09:00 on Sunday, in summer
     * time. */
    CHECK(nudge_engine_advance(engine, 1774778400 - (now + 30), NULL) == NUDGE_OK);
    CHECK(nudge_transport_sent_json(out, NULL, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"at\":\"2026-03-29T07:00:00+00:00\"");
    CHECK_CONTAINS(json, "\"reminder\":true");
    CHECK_CONTAINS(json, "Påminnelse: Hei Kari!");
    nudge_string_free(json);

    CHECK(nudge_engine_reply(engine, "+4791234567", NULL, "Okei") == NUDGE_OK);
    CHECK(nudge_engine_inbox_json(engine, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"reason\":\"routed\"");
    CHECK_CONTAINS(json, "\"text\":\"Okei\"");
    nudge_string_free(json);
    CHECK(nudge_engine_stats_json(engine, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"instances\":1");
    CHECK_CONTAINS(json, "\"live\":1");
    CHECK_CONTAINS(json, "\"inbox\":1");
    nudge_string_free(json);

    CHECK(nudge_engine_reply(engine, "+4791234567", "4790000000", "OK!") == NUDGE_OK);
    CHECK(nudge_engine_instance_json(engine, ids[0], &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"state\":\"confirmed\"");
    CHECK_CONTAINS(json, "\"status\":\"finished\"");
    CHECK_CONTAINS(json, "\"outcome\":\"confirmed_sale\"");
    CHECK_CONTAINS(json, "\"first_name\":\"Kari\"");
    CHECK_CONTAINS(json, "\"started\":\"2026-03-28T20:55:00+01:00\"");
    nudge_string_free(json);
    CHECK(nudge_engine_stats_json(engine, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"live\":0");
    CHECK_CONTAINS(json, "\"timers\":0");
    nudge_string_free(json);
    CHECK(nudge_engine_stats_json(engine, NULL) == NUDGE_ERROR_INVALID_ARGUMENT);

    CHECK(nudge_transport_sent_json(out, "Europe/Oslo", &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"text\":\"Takk, Kari! Bestillingen av sykkelservice er bekreftet.\","
                         "\"at\":\"2026-03-29T12:00:00+02:00\"");
    nudge_string_free(json);

    CHECK(nudge_engine_history_json(engine, ids[0], &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"kind\":\"sent\"");
    CHECK_CONTAINS(json, "\"kind\":\"finished\"");
    nudge_string_free(json);
    CHECK(nudge_engine_timeline_json(engine, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"kind\":\"inbox\"");
    nudge_string_free(json);
    CHECK(nudge_engine_instances_json(engine, "sale_confirmation", "confirmed", &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"key\":\"+4791234567\"");
    nudge_string_free(json);
    CHECK(nudge_engine_instances_by_key_json(engine, "+4700000000", &json) == NUDGE_OK);
    CHECK(strcmp(json, "[]") == 0);
    nudge_string_free(json);

    CHECK(nudge_transport_clear(out) == NUDGE_OK);
    CHECK(nudge_transport_sent_count(out, &sent) == NUDGE_OK && sent == 0);

    nudge_engine_free(engine);
    nudge_transport_free(out);
    nudge_clock_free(clock);
}

struct outbox {
    int calls;
    int refuse;
    char last_text[256];
    char last_to[64];
    int64_t last_at;
};

static nudge_send_status send_to_outbox(void* user_data, const nudge_message* m) {
    struct outbox* box = (struct outbox*)user_data;
    ++box->calls;
    snprintf(box->last_text, sizeof box->last_text, "%s", m->text);
    snprintf(box->last_to, sizeof box->last_to, "%s", m->to);
    box->last_at = m->at;
    return box->refuse ? NUDGE_SEND_REFUSED : NUDGE_SEND_ACCEPTED;
}

static const char* missed_call = "flow missed\n"
                                 "field phone: phone\n"
                                 "channel sms to phone from \"4790000000\"\n"
                                 "trigger call.missed as phone {\n"
                                 "  start sorry\n"
                                 "}\n"
                                 "state sorry {\n"
                                 "  send sms \"Sorry we missed your call!\"\n"
                                 "  on call.back -> done\n"
                                 "  after 1h -> done\n"
                                 "}\n"
                                 "final done\n";

static void test_callback_transport(void) {
    struct outbox box;
    memset(&box, 0, sizeof box);
    nudge_flow* flow = NULL;
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_engine* engine = NULL;
    CHECK(nudge_flow_compile(missed_call, NULL, &flow) == NUDGE_OK);
    CHECK(nudge_clock_new_fake("2026-03-28T12:00:00Z", &clock) == NUDGE_OK);
    CHECK(nudge_transport_new_callback(send_to_outbox, &box, &out) == NUDGE_OK);
    CHECK(nudge_engine_new(clock, out, &engine) == NUDGE_OK);
    CHECK(nudge_engine_load(engine, flow) == NUDGE_OK);

    uint64_t id = 0;
    CHECK(nudge_engine_trigger(engine, "call.missed", "{\"phone\": \"+4791234567\"}", &id, 1,
                               NULL) == NUDGE_OK);
    CHECK(box.calls == 1);
    CHECK(strcmp(box.last_text, "Sorry we missed your call!") == 0);
    CHECK_CONTAINS(box.last_to, "4791234567");
    CHECK(box.last_at == 1774699200);

    int moved = 0;
    CHECK(nudge_engine_signal(engine, NULL, "+4791234567", "call.back", NULL, &moved) == NUDGE_OK);
    CHECK(moved == 1);
    char* json = NULL;
    CHECK(nudge_engine_instance_json(engine, id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"state\":\"done\"");
    nudge_string_free(json);

    /* A refusal is recorded in the instance's history. */
    box.refuse = 1;
    CHECK(nudge_engine_trigger(engine, "call.missed", "{\"phone\": \"+4791111111\"}", &id, 1,
                               NULL) == NUDGE_OK);
    CHECK(box.calls == 2);
    CHECK(nudge_engine_history_json(engine, id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"kind\":\"failed\"");
    nudge_string_free(json);
    CHECK(nudge_engine_cancel(engine, id, "test") == NUDGE_OK);
    CHECK(nudge_engine_instance_json(engine, id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"status\":\"cancelled\"");
    nudge_string_free(json);

    /* Only a recording transport keeps messages. */
    size_t count = 0;
    CHECK(nudge_transport_sent_count(out, &count) == NUDGE_ERROR_UNSUPPORTED);

    nudge_engine_free(engine);
    nudge_transport_free(out);
    nudge_clock_free(clock);
    nudge_flow_free(flow);
}

/* Versions side by side, then a migration and a refused one. */
static const char* missed_call_v2 = "flow missed\n"
                                    "field phone: phone\n"
                                    "channel sms to phone from \"4790000000\"\n"
                                    "trigger call.missed as phone {\n"
                                    "  start sorry\n"
                                    "}\n"
                                    "state sorry {\n"
                                    "  send sms \"We missed your call and will ring back.\"\n"
                                    "  on call.back -> done\n"
                                    "  after 2h -> done\n"
                                    "}\n"
                                    "final done\n";
static const char* missed_call_v3 = "flow missed\n"
                                    "field phone: phone\n"
                                    "channel sms to phone from \"4790000000\"\n"
                                    "trigger call.missed as phone {\n"
                                    "  start waiting\n"
                                    "}\n"
                                    "state waiting {\n"
                                    "  send sms \"We missed your call.\"\n"
                                    "  after 2h -> done\n"
                                    "}\n"
                                    "final done\n";

static void test_versions(void) {
    nudge_flow* v1 = NULL;
    nudge_flow* v2 = NULL;
    nudge_flow* v3 = NULL;
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_engine* engine = NULL;
    CHECK(nudge_flow_compile(missed_call, NULL, &v1) == NUDGE_OK);
    CHECK(nudge_flow_compile(missed_call_v2, NULL, &v2) == NUDGE_OK);
    CHECK(nudge_flow_compile(missed_call_v3, NULL, &v3) == NUDGE_OK);
    CHECK(nudge_clock_new_fake("2026-03-28T12:00:00Z", &clock) == NUDGE_OK);
    CHECK(nudge_transport_new_recording(&out) == NUDGE_OK);
    CHECK(nudge_engine_new(clock, out, &engine) == NUDGE_OK);
    int version = 0;
    CHECK(nudge_engine_load_version(engine, v1, 0, &version) == NUDGE_OK);
    CHECK(version == 1);
    uint64_t old_id = 0;
    uint64_t new_id = 0;
    CHECK(nudge_engine_trigger(engine, "call.missed", "{\"phone\": \"+4791234567\"}", &old_id, 1,
                               NULL) == NUDGE_OK);
    CHECK(nudge_engine_load_version(engine, v2, 0, &version) == NUDGE_OK);
    CHECK(version == 2);
    CHECK(nudge_engine_load_version(engine, v1, 2, NULL) == NUDGE_ERROR_INVALID_ARGUMENT);
    CHECK(nudge_engine_trigger(engine, "call.missed", "{\"phone\": \"+4792222222\"}", &new_id, 1,
                               NULL) == NUDGE_OK);

    char* json = NULL;
    CHECK(nudge_engine_instance_json(engine, new_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"version\":2");
    nudge_string_free(json);
    CHECK(nudge_engine_timers_json(engine, old_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"what\":\"after 1h -> done\"");
    CHECK_CONTAINS(json, "\"due\":\"2026-03-28T13:00:00+00:00\"");
    nudge_string_free(json);

    CHECK(nudge_engine_migrate_json(engine, "missed", 1, &json) == NUDGE_OK); /* dry run */
    CHECK_CONTAINS(json, "\"ok\":true");
    CHECK_CONTAINS(json, "\"from_version\":1");
    nudge_string_free(json);
    CHECK(nudge_engine_instance_json(engine, old_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"version\":1");
    nudge_string_free(json);
    CHECK(nudge_engine_migrate_json(engine, "missed", 0, &json) == NUDGE_OK);
    nudge_string_free(json);
    CHECK(nudge_engine_timers_json(engine, old_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"what\":\"after 2h -> done\"");
    CHECK_CONTAINS(json, "\"due\":\"2026-03-28T14:00:00+00:00\"");
    nudge_string_free(json);

    /* Version 3 has no state `sorry`: both instances sit there, so nothing moves. */
    CHECK(nudge_engine_load_version(engine, v3, 0, NULL) == NUDGE_OK);
    CHECK(nudge_engine_migrate_json(engine, "missed", 0, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"ok\":false");
    CHECK_CONTAINS(json, "{\"state\":\"sorry\",\"version\":2,\"instances\":2}");
    nudge_string_free(json);
    CHECK(nudge_engine_migrate_json(engine, "nothing", 0, &json) == NUDGE_ERROR_NOT_FOUND);
    CHECK(nudge_engine_timers_json(engine, 999, &json) == NUDGE_ERROR_NOT_FOUND);

    nudge_engine_free(engine);
    nudge_transport_free(out);
    nudge_clock_free(clock);
    nudge_flow_free(v3);
    nudge_flow_free(v2);
    nudge_flow_free(v1);
}

static void test_scenarios(const char* dir) {
    char path[4096];
    char* json = NULL;
    snprintf(path, sizeof path, "%s/booking.scenario.yaml", dir);
    CHECK(nudge_scenario_run_file(path, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "{\"ok\":true,\"steps\":16,\"zone\":\"Europe/Stockholm\"");
    CHECK_CONTAINS(json, "\"failures\":[],\"diagnostics\":[]");
    CHECK_CONTAINS(json, "\"kind\":\"emitted\"");
    nudge_string_free(json);

    /* An unreadable file is a diagnostic in a result that did not pass. */
    CHECK(nudge_scenario_run_file("/nonexistent/x.scenario.yaml", &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "{\"ok\":false");
    CHECK_CONTAINS(json, "\"code\":\"io\"");
    nudge_string_free(json);
}

static void test_misuse(void) {
    nudge_clock* clock = NULL;
    nudge_clock* system = NULL;
    nudge_transport* out = NULL;
    nudge_engine* engine = NULL;
    nudge_flow* flow = NULL;
    char* json = NULL;
    int64_t now = 0;

    CHECK(nudge_clock_new_fake("not a time", &clock) == NUDGE_ERROR_INVALID_ARGUMENT);
    CHECK(clock == NULL);
    CHECK_CONTAINS(nudge_last_error(), "not a time");
    CHECK(nudge_clock_new_fake(NULL, &clock) == NUDGE_ERROR_INVALID_ARGUMENT);
    CHECK(nudge_flow_compile(NULL, NULL, &flow) == NUDGE_ERROR_INVALID_ARGUMENT);
    CHECK(nudge_engine_new(NULL, NULL, &engine) == NUDGE_ERROR_INVALID_ARGUMENT);

    CHECK(nudge_clock_new_system(&system) == NUDGE_OK);
    CHECK(nudge_clock_now(system, &now) == NUDGE_OK && now > 1700000000);
    CHECK(nudge_clock_advance(system, 10) == NUDGE_ERROR_UNSUPPORTED);
    CHECK(nudge_transport_new_recording(&out) == NUDGE_OK);
    CHECK(nudge_engine_new(system, out, &engine) == NUDGE_OK);
    CHECK(nudge_engine_advance(engine, 10, NULL) == NUDGE_ERROR_UNSUPPORTED);
    CHECK(nudge_engine_instance_json(engine, 42, &json) == NUDGE_ERROR_NOT_FOUND);
    CHECK(nudge_engine_cancel(engine, 42, NULL) == NUDGE_ERROR_NOT_FOUND);
    CHECK(nudge_engine_trigger(engine, "x", "{not json", NULL, 0, NULL) ==
          NUDGE_ERROR_INVALID_ARGUMENT);
    CHECK(nudge_engine_trigger(engine, "x", "{\"a\": [1]}", NULL, 0, NULL) ==
          NUDGE_ERROR_INVALID_ARGUMENT);
    CHECK(nudge_engine_trigger(engine, "x", "{\"a\": 1, \"b\": true}", NULL, 0, NULL) == NUDGE_OK);
    CHECK(nudge_transport_sent_json(out, "Mars/Olympus", &json) == NUDGE_ERROR_INVALID_ARGUMENT);
    /* No flow is loaded, so there is no sender number to reply to by default. */
    CHECK(nudge_engine_reply(engine, "+4791234567", NULL, "hei") == NUDGE_ERROR_INVALID_ARGUMENT);
    CHECK_CONTAINS(nudge_last_error(), "needs 'to'");
    CHECK(nudge_engine_reply(engine, "+4791234567", "4790000000", "hei") == NUDGE_OK);
    CHECK(nudge_engine_timeline_json(engine, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "[");
    nudge_string_free(json);

    CHECK(strcmp(nudge_status_string(NUDGE_ERROR_NOT_FOUND), "not found") == 0);
    CHECK(strlen(nudge_version()) > 0);
    nudge_string_free(NULL);
    nudge_flow_free(NULL);
    nudge_engine_free(engine);
    nudge_transport_free(out);
    nudge_clock_free(system);
}

static const char* shop_flow = "flow shop\n"
                               "field phone: phone\n"
                               "field shop: text = \"The shop\"\n"
                               "channel sms to phone from \"4532100000\"\n"
                               "list blocked = \"+4533445566\"\n"
                               "settings shop, sms, blocked\n"
                               "trigger call.missed as phone {\n"
                               "  unless phone in blocked\n"
                               "  start sorry\n"
                               "}\n"
                               "final sorry {\n"
                               "  send sms \"Sorry we missed your call at {shop}!\"\n"
                               "}\n";

static void test_businesses(void) {
    nudge_flow* flow = NULL;
    nudge_flow* north = NULL;
    nudge_flow* bad = NULL;
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_engine* engine = NULL;
    char* json = NULL;
    uint64_t ids[4];
    size_t count = 9;
    CHECK(nudge_flow_compile(shop_flow, "shop.flow", &flow) == NUDGE_OK);
    CHECK(nudge_flow_apply_settings(flow, "north",
                                    "{\"shop\": \"North\", \"sms\": \"on, from 4532100001\", "
                                    "\"blocked\": [\"+4520000001\", \"+4520000002\"]}",
                                    &north) == NUDGE_OK);
    CHECK(strcmp(nudge_flow_name(north), "shop@north") == 0);
    CHECK(nudge_flow_apply_settings(flow, "west", "{\"opening\": \"mon 10:00-12:00\"}", &bad) ==
          NUDGE_ERROR_FLOW);
    CHECK_CONTAINS(nudge_last_error(), "has no setting 'opening'");
    CHECK(!nudge_flow_ok(bad));
    CHECK(nudge_flow_apply_settings(flow, "west", "[1]", &bad) == NUDGE_ERROR_INVALID_ARGUMENT);

    CHECK(nudge_clock_new_fake("2026-06-05T18:00:00+02:00", &clock) == NUDGE_OK);
    CHECK(nudge_transport_new_recording(&out) == NUDGE_OK);
    CHECK(nudge_engine_new(clock, out, &engine) == NUDGE_OK);
    CHECK(nudge_engine_load(engine, north) == NUDGE_OK);
    CHECK(nudge_engine_trigger(engine, "call.missed", "{\"phone\": \"+4520123456\"}", ids, 4,
                               &count) == NUDGE_OK);
    CHECK(count == 0);
    CHECK(nudge_engine_trigger_for(engine, "north", "call.missed", "{\"phone\": \"+4520000001\"}",
                                   ids, 4, &count) == NUDGE_OK);
    CHECK(count == 0); /* blocked by North's list */
    CHECK(nudge_engine_trigger_for(engine, "north", "call.missed", "{\"phone\": \"+4520123456\"}",
                                   ids, 4, &count) == NUDGE_OK);
    CHECK(count == 1);
    CHECK(nudge_transport_sent_json(out, NULL, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"from\":\"4532100001\"");
    CHECK_CONTAINS(json, "Sorry we missed your call at North!");
    nudge_string_free(json);
    nudge_engine_free(engine);
    nudge_transport_free(out);
    nudge_clock_free(clock);
    nudge_flow_free(bad);
    nudge_flow_free(north);
    nudge_flow_free(flow);
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_c_api DIR (the folder of sale_confirmation.flow)\n");
        return 2;
    }
    test_bad_flow();
    test_sale_confirmation(argv[1]);
    test_callback_transport();
    test_versions();
    test_scenarios(argv[1]);
    test_misuse();
    test_businesses();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all C API checks passed\n");
    return 0;
}
