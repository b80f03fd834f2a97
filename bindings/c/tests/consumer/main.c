/* Uses the installed C API: compiles a flow from text, runs it on a fake clock, prints what was
 * sent. */
#include <nudge/nudge.h>

#include <stdio.h>

int main(void) {
    const char* text = "flow hello\n"
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
    nudge_flow* flow = NULL;
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_engine* engine = NULL;
    char* sent = NULL;
    int ok = nudge_flow_compile(text, "hello.flow", &flow) == NUDGE_OK &&
             nudge_clock_new_fake("2026-03-28T12:00:00Z", &clock) == NUDGE_OK &&
             nudge_transport_new_recording(&out) == NUDGE_OK &&
             nudge_engine_new(clock, out, &engine) == NUDGE_OK &&
             nudge_engine_load(engine, flow) == NUDGE_OK &&
             nudge_engine_trigger(engine, "call.missed", "{\"phone\": \"+4520123456\"}", NULL, 0,
                                  NULL) == NUDGE_OK &&
             nudge_engine_advance(engine, 3600, NULL) == NUDGE_OK &&
             nudge_transport_sent_json(out, NULL, &sent) == NUDGE_OK;
    if (ok)
        printf("nudge %s: %s\n", nudge_version(), sent);
    else
        fprintf(stderr, "failed: %s\n", nudge_last_error());
    nudge_string_free(sent);
    nudge_engine_free(engine);
    nudge_transport_free(out);
    nudge_clock_free(clock);
    nudge_flow_free(flow);
    return ok ? 0 : 1;
}
