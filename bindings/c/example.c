#include <nudge/nudge.h>

#include <stdio.h>

int main(void) {
    const char* text = "flow sale_confirmation\n"
                       "timezone \"Europe/Oslo\"\n"
                       "field phone: phone\n"
                       "field first_name: text\n"
                       "channel sms to phone from \"4790000000\"\n"
                       "keywords yes = \"ja\", \"ok\"\n"
                       "trigger sale.saved as phone {\n"
                       "  delay 30s\n"
                       "  start sale\n"
                       "}\n"
                       "state sale {\n"
                       "  send sms \"Hei {first_name}! Svar JA for å bekrefte.\"\n"
                       "  on reply yes -> confirmed\n"
                       "  after 3d -> lapsed\n"
                       "}\n"
                       "final confirmed\n"
                       "final lapsed\n";

    nudge_flow* flow = NULL;
    if (nudge_flow_compile(text, "sale.flow", &flow) != NUDGE_OK) {
        char* diagnostics = NULL; /* [{"severity":…,"line":…,"column":…,…}] */
        fprintf(stderr, "%s\n", nudge_last_error());
        if (nudge_flow_diagnostics_json(flow, &diagnostics) == NUDGE_OK)
            fprintf(stderr, "%s\n", diagnostics);
        nudge_string_free(diagnostics);
        nudge_flow_free(flow);
        return 1;
    }

    /* Every call returns a nudge_status; the example checks only the first, for brevity. */
    nudge_clock* clock = NULL;
    nudge_transport* out = NULL;
    nudge_engine* engine = NULL;
    nudge_clock_new_fake("2026-03-28T20:55:00+01:00", &clock);
    nudge_transport_new_recording(&out);
    nudge_engine_new(clock, out, &engine); /* borrows clock and out */
    nudge_engine_load(engine, flow);

    nudge_engine_trigger(engine, "sale.saved",
                         "{\"phone\": \"+4791234567\", \"first_name\": \"Kari\"}", NULL, 0, NULL);
    nudge_engine_advance(engine, 60, NULL); /* fires the delayed start at 20:55:30 */
    nudge_engine_reply(engine, "+4791234567", NULL, "Ja!");

    char* sent = NULL;
    nudge_transport_sent_json(out, "Europe/Oslo", &sent);
    printf("sent: %s\n", sent);
    nudge_string_free(sent);

    char* kari = NULL;
    if (nudge_engine_instances_by_key_json(engine, "+4791234567", &kari) == NUDGE_OK)
        printf("instances: %s\n", kari);
    nudge_string_free(kari);

    nudge_engine_free(engine);
    nudge_transport_free(out);
    nudge_clock_free(clock);
    nudge_flow_free(flow);
    return 0;
}
