/* The durable engine from C: a flow runs on an SQLite database, the handle is closed, the
 * database is opened again, and the run continues from where it was: the timers keep their
 * deadlines, the inbox is still there, a message the transport refused goes out after the
 * reopen, and timers that passed while nothing ran fire once.
 * Usage: test_c_durable DIR WORK, where DIR holds tests/scenarios (sale_confirmation.flow) and
 * WORK is a scratch folder (created by the caller) for the database, removed again on success. */
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

#define CHECK_LACKS(text, part)                                                                    \
    do {                                                                                           \
        const char* text_ = (text);                                                                \
        if (!text_ || strstr(text_, (part))) {                                                     \
            fprintf(stderr, "%s:%d: did not expect %s in %s\n", __FILE__, __LINE__, (part),        \
                    text_ ? text_ : "(null)");                                                     \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

/* A transport written in C: counts calls, keeps the last message, refuses while `refuse`. */
struct phone {
    int calls;
    int accepted;
    int refuse;
    char last_text[256];
    char last_to[64];
    char last_id[128];
};

static nudge_send_status send_sms(void* user_data, const nudge_message* m) {
    struct phone* p = (struct phone*)user_data;
    ++p->calls;
    snprintf(p->last_text, sizeof p->last_text, "%s", m->text);
    snprintf(p->last_to, sizeof p->last_to, "%s", m->to);
    snprintf(p->last_id, sizeof p->last_id, "%s", m->id);
    if (p->refuse) return NUDGE_SEND_REFUSED;
    ++p->accepted;
    return NUDGE_SEND_ACCEPTED;
}

static const int64_t start = 1774727700; /* 2026-03-28T20:55:00+01:00 */
static const char* kari = "{\"phone\": \"+4791234567\", \"first_name\": \"Kari\", "
                          "\"product\": \"sykkelservice\"}";
static const char* ola = "{\"phone\": \"+4798765432\", \"first_name\": \"Ola\", "
                         "\"product\": \"dekkskift\"}";

static void remove_database(const char* db) {
    char path[4200];
    remove(db);
    snprintf(path, sizeof path, "%s-wal", db);
    remove(path);
    snprintf(path, sizeof path, "%s-shm", db);
    remove(path);
}

static nudge_durable* open_engine(const char* db, nudge_clock* clock, nudge_transport* out,
                                  nudge_flow* flow) {
    nudge_durable* engine = NULL;
    CHECK(nudge_durable_open(db, clock, out, 0, &engine) == NUDGE_OK);
    if (!engine) {
        fprintf(stderr, "cannot open %s: %s\n", db, nudge_last_error());
        exit(1);
    }
    int version = 0;
    CHECK(nudge_durable_load(engine, flow, &version) == NUDGE_OK);
    CHECK(version == 1); /* the same text again is the same version */
    return engine;
}

static void test_restart(const char* dir, const char* db) {
    char path[4096];
    snprintf(path, sizeof path, "%s/sale_confirmation.flow", dir);
    nudge_flow* flow = NULL;
    CHECK(nudge_flow_compile_file(path, &flow) == NUDGE_OK);

    struct phone phone;
    memset(&phone, 0, sizeof phone);
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    CHECK(nudge_clock_new_fake("2026-03-28T20:55:00+01:00", &clock) == NUDGE_OK);
    CHECK(nudge_transport_new_callback(send_sms, &phone, &out) == NUDGE_OK);

    /* ---- first run ---- */
    nudge_durable* engine = open_engine(db, clock, out, flow);
    char* json = NULL;
    CHECK(nudge_durable_flows_json(engine, &json) == NUDGE_OK);
    CHECK(json && strcmp(json, "[\"sale_confirmation\"]") == 0);
    nudge_string_free(json);

    uint64_t kari_id = 0, ola_id = 0;
    size_t count = 0;
    CHECK(nudge_durable_trigger(engine, "sale.saved", kari, &kari_id, 1, &count) == NUDGE_OK);
    CHECK(count == 1 && kari_id != 0);
    int has = 0;
    int64_t due = 0;
    CHECK(nudge_durable_next_due(engine, &has, &due) == NUDGE_OK);
    CHECK(has == 1 && due == start + 30);

    int fired = 0;
    CHECK(nudge_durable_advance(engine, 30, &fired) == NUDGE_OK);
    CHECK(fired == 1);
    CHECK(phone.accepted == 1); /* delivered right after the step's commit */
    CHECK_CONTAINS(phone.last_text, "Hei Kari!");
    CHECK(nudge_durable_instance_json(engine, kari_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"state\":\"sale\"");
    CHECK_CONTAINS(json, "\"started\":\"2026-03-28T20:55:00+01:00\""); /* in the flow's zone */
    nudge_string_free(json);

    /* Ola's message is refused: it stays in the outbox. */
    CHECK(nudge_durable_trigger(engine, "sale.saved", ola, &ola_id, 1, NULL) == NUDGE_OK);
    phone.refuse = 1;
    CHECK(nudge_durable_advance(engine, 30, &fired) == NUDGE_OK);
    CHECK(fired == 1);
    CHECK(phone.calls == 2 && phone.accepted == 1);
    char refused_id[128];
    snprintf(refused_id, sizeof refused_id, "%s", phone.last_id);
    CHECK(nudge_durable_outbox_json(engine, 1, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "Hei Ola!");
    CHECK_CONTAINS(json, "\"attempts\":1");
    CHECK_CONTAINS(json, "\"done_at\":null");
    CHECK_LACKS(json, "Hei Kari!");
    nudge_string_free(json);
    int64_t retry_at = 0;
    CHECK(nudge_durable_next_delivery(engine, &has, &retry_at) == NUDGE_OK);
    CHECK(has == 1 && retry_at == start + 60 + 30); /* the first retry, 30 s after the refusal */

    /* A reply nobody's route takes goes to the inbox. */
    CHECK(nudge_durable_reply(engine, "+4791234567", NULL, "Okei") == NUDGE_OK);
    CHECK(nudge_durable_inbox_json(engine, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"text\":\"Okei\"");
    CHECK_CONTAINS(json, "\"to\":\"4790000000\"");
    nudge_string_free(json);

    CHECK(nudge_durable_timeline_json(engine, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"kind\":\"sent\"");
    nudge_string_free(json);

    int64_t steps = 0;
    CHECK(nudge_durable_steps(engine, &steps) == NUDGE_OK);
    CHECK(steps >= 6); /* load, 2 triggers, 2 runs of timers, the reply */
    CHECK(nudge_durable_next_due(engine, &has, &due) == NUDGE_OK);
    CHECK(has == 1);
    char timers_before[4096] = "";
    CHECK(nudge_durable_timers_json(engine, kari_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"kind\":\"after\"");
    CHECK_CONTAINS(json, "\"kind\":\"reminder\"");
    snprintf(timers_before, sizeof timers_before, "%s", json ? json : "");
    nudge_string_free(json);
    nudge_durable_free(engine);

    /* ---- the second run: the same database, opened again ---- */
    engine = open_engine(db, clock, out, flow);
    int64_t steps_again = 0;
    CHECK(nudge_durable_steps(engine, &steps_again) == NUDGE_OK);
    CHECK(steps_again == steps); /* the same text loaded again writes nothing */
    int64_t due_again = 0;
    CHECK(nudge_durable_next_due(engine, &has, &due_again) == NUDGE_OK);
    CHECK(has == 1 && due_again == due);
    CHECK(nudge_durable_timers_json(engine, kari_id, &json) == NUDGE_OK);
    CHECK(json && strcmp(json, timers_before) == 0); /* the same deadlines */
    nudge_string_free(json);
    CHECK(nudge_durable_inbox_json(engine, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"text\":\"Okei\"");
    nudge_string_free(json);
    CHECK(nudge_durable_instance_json(engine, kari_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"state\":\"sale\"");
    CHECK_CONTAINS(json, "\"kind\":\"sent\"");
    nudge_string_free(json);
    CHECK(nudge_durable_history_json(engine, ola_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"kind\":\"sent\"");
    nudge_string_free(json);
    CHECK(nudge_durable_timeline_json(engine, &json) == NUDGE_OK);
    CHECK(json && strcmp(json, "[]") == 0); /* a replay reports nothing again */
    nudge_string_free(json);
    CHECK(phone.calls == 2); /* opening hands nothing over by itself */

    /* The refused message goes out after the reopen, with the same idempotency key. */
    phone.refuse = 0;
    int accepted = -1;
    CHECK(nudge_durable_deliver(engine, &accepted) == NUDGE_OK);
    CHECK(accepted == 0); /* its retry time has not come */
    CHECK(nudge_clock_advance(clock, 30) == NUDGE_OK);
    CHECK(nudge_durable_deliver(engine, &accepted) == NUDGE_OK);
    CHECK(accepted == 1);
    CHECK_CONTAINS(phone.last_text, "Hei Ola!");
    CHECK(strcmp(phone.last_id, refused_id) == 0);
    CHECK(nudge_durable_outbox_json(engine, 1, &json) == NUDGE_OK);
    CHECK(json && strcmp(json, "[]") == 0);
    nudge_string_free(json);
    CHECK(nudge_durable_outbox_json(engine, 0, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "Hei Ola!");
    CHECK_CONTAINS(json, "\"attempts\":2");
    CHECK_LACKS(json, "\"done_at\":null");
    nudge_string_free(json);

    /* Kari confirms. */
    CHECK(nudge_durable_reply(engine, "+4791234567", NULL, "ja") == NUDGE_OK);
    CHECK_CONTAINS(phone.last_text, "Takk, Kari!");
    CHECK(nudge_durable_instance_json(engine, kari_id, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"state\":\"confirmed\"");
    nudge_string_free(json);
    nudge_durable_free(engine);

    /* ---- the third run, four days later: what came due while nothing ran fires once ---- */
    CHECK(nudge_clock_set(clock, start + 4 * 86400) == NUDGE_OK);
    engine = open_engine(db, clock, out, flow);
    int calls_before = phone.calls;
    CHECK(nudge_durable_run_due(engine, &fired) == NUDGE_OK);
    CHECK(fired >= 2); /* Ola's reminder and the end of the three days */
    CHECK(phone.calls == calls_before + 1);
    CHECK_CONTAINS(phone.last_text, "Påminnelse: Hei Ola!");
    CHECK(nudge_durable_instances_json(engine, "sale_confirmation", "lapsed", &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "+4798765432");
    CHECK_LACKS(json, "+4791234567");
    nudge_string_free(json);
    CHECK(nudge_durable_instances_by_key_json(engine, "+4791234567", &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "\"state\":\"confirmed\"");
    nudge_string_free(json);
    CHECK(nudge_durable_run_due(engine, &fired) == NUDGE_OK);
    CHECK(fired == 0);
    CHECK(nudge_durable_next_due(engine, &has, &due) == NUDGE_OK);
    CHECK(has == 0);
    CHECK(nudge_durable_cancel(engine, 999, NULL) == NUDGE_ERROR_NOT_FOUND);
    nudge_durable_free(engine);

    nudge_transport_free(out);
    nudge_clock_free(clock);
    nudge_flow_free(flow);
}

static void test_misuse(const char* work) {
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_durable* engine = NULL;
    CHECK(nudge_clock_new_system(&clock) == NUDGE_OK);
    CHECK(nudge_transport_new_recording(&out) == NUDGE_OK);

    /* A file that is not a nudge database is refused and left as it was. */
    char path[4096];
    snprintf(path, sizeof path, "%s/not-a-database.db", work);
    FILE* f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("this is not SQLite\n", f);
        fclose(f);
    }
    CHECK(nudge_durable_open(path, clock, out, 0, &engine) == NUDGE_ERROR_STORE);
    CHECK(engine == NULL);
    CHECK(strcmp(nudge_status_string(NUDGE_ERROR_STORE), "store error") == 0);
    remove(path);

    CHECK(nudge_durable_open(NULL, clock, out, 0, &engine) == NUDGE_ERROR_INVALID_ARGUMENT);
    snprintf(path, sizeof path, "%s/misuse.db", work);
    CHECK(nudge_durable_open(path, clock, out, 8, &engine) == NUDGE_ERROR_INVALID_ARGUMENT);
    CHECK(nudge_durable_run_due(NULL, NULL) == NUDGE_ERROR_INVALID_ARGUMENT);

    /* Manual delivery: messages wait in the outbox until the host delivers. A system clock
     * cannot be advanced. */
    CHECK(nudge_durable_open(path, clock, out, NUDGE_DURABLE_MANUAL_DELIVERY, &engine) == NUDGE_OK);
    CHECK(nudge_durable_advance(engine, 10, NULL) == NUDGE_ERROR_UNSUPPORTED);
    nudge_flow* broken = NULL;
    CHECK(nudge_flow_compile("flow broken\nstate x {\n", NULL, &broken) == NUDGE_ERROR_FLOW);
    CHECK(nudge_durable_load(engine, broken, NULL) == NUDGE_ERROR_FLOW);
    nudge_flow_free(broken);
    nudge_durable_free(engine);
    remove_database(path);

    nudge_transport_free(out);
    nudge_clock_free(clock);
}

static void test_manual_delivery(const char* work) {
    static const char* flow_text = "flow missed\n"
                                   "field phone: phone\n"
                                   "channel sms to phone from \"4790000000\"\n"
                                   "trigger call.missed as phone {\n"
                                   "  start sorry\n"
                                   "}\n"
                                   "state sorry {\n"
                                   "  send sms \"Sorry we missed your call!\"\n"
                                   "  after 1h -> done\n"
                                   "}\n"
                                   "final done\n";
    char db[4096];
    snprintf(db, sizeof db, "%s/manual.db", work);
    remove_database(db);
    nudge_flow* flow = NULL;
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_durable* engine = NULL;
    CHECK(nudge_flow_compile(flow_text, NULL, &flow) == NUDGE_OK);
    CHECK(nudge_clock_new_fake("2026-03-28T12:00:00Z", &clock) == NUDGE_OK);
    CHECK(nudge_transport_new_recording(&out) == NUDGE_OK);
    CHECK(nudge_durable_open(db, clock, out, NUDGE_DURABLE_MANUAL_DELIVERY, &engine) == NUDGE_OK);
    CHECK(nudge_durable_load(engine, flow, NULL) == NUDGE_OK);
    CHECK(nudge_durable_trigger(engine, "call.missed", "{\"phone\": \"+4791234567\"}", NULL, 0,
                                NULL) == NUDGE_OK);
    size_t sent = 0;
    CHECK(nudge_transport_sent_count(out, &sent) == NUDGE_OK);
    CHECK(sent == 0);
    nudge_durable_free(engine); /* closed before the message went out */

    CHECK(nudge_durable_open(db, clock, out, NUDGE_DURABLE_MANUAL_DELIVERY, &engine) == NUDGE_OK);
    int accepted = 0;
    CHECK(nudge_durable_deliver(engine, &accepted) == NUDGE_OK);
    CHECK(accepted == 1);
    CHECK(nudge_transport_sent_count(out, &sent) == NUDGE_OK);
    CHECK(sent == 1);
    char* json = NULL;
    CHECK(nudge_transport_sent_json(out, NULL, &json) == NUDGE_OK);
    CHECK_CONTAINS(json, "Sorry we missed your call!");
    nudge_string_free(json);
    CHECK(nudge_durable_deliver(engine, &accepted) == NUDGE_OK);
    CHECK(accepted == 0); /* never twice */
    nudge_durable_free(engine);
    remove_database(db);

    nudge_transport_free(out);
    nudge_clock_free(clock);
    nudge_flow_free(flow);
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_c_durable DIR WORK (DIR: the folder of "
                        "sale_confirmation.flow; WORK: a scratch folder)\n");
        return 2;
    }
    char db[4096];
    snprintf(db, sizeof db, "%s/sale.db", argv[2]);
    remove_database(db);
    test_restart(argv[1], db);
    test_misuse(argv[2]);
    test_manual_delivery(argv[2]);
    if (failures) {
        fprintf(stderr, "%d check(s) failed; the database is kept in %s\n", failures, argv[2]);
        return 1;
    }
    remove_database(db);
    printf("all durable C API checks passed\n");
    return 0;
}
