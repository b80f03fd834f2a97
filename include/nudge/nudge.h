/* The nudge C API: compile flows and run them on the engine from C or any language with a C
 * FFI. A thin layer over the C++ library (include/nudge/); no exception ever crosses it.
 *
 * Conventions
 * - Every handle is opaque and made by a `nudge_<noun>_new…` or `nudge_flow_compile…` function;
 *   the caller owns it and releases it with the matching `nudge_<noun>_free` (NULL is allowed).
 * - Functions that can fail return a nudge_status. On failure the out-parameters are left
 *   untouched (except where stated) and nudge_last_error() says why.
 * - Strings going in are UTF-8 and NUL-terminated; the library copies what it keeps, so the
 *   caller may free them as soon as the call returns.
 * - Strings coming out as `char**` are new allocations owned by the caller, released with
 *   nudge_string_free. `const char*` results are owned by the library (see each function).
 * - Instants are Unix seconds (int64_t) going in and out of functions, and ISO 8601 text with an
 *   offset ("2026-03-28T20:55:30+01:00") inside JSON.
 * - Field values (`data_json`) are a JSON object of strings, read according to each field's type
 *   ({"phone": "+4791234567", "visit_at": "2026-04-10T09:00:00+02:00"}); numbers and booleans
 *   are taken as their text. NULL means no data.
 * - Threads: handles are not thread-safe: use each from one thread at a time (an engine's
 *   queries too; nudge_engine_next_due changes its timer queue as it looks). A compiled flow
 *   never changes and may be loaded into several engines on several threads. Engines share
 *   nothing else. nudge_last_error() is per thread.
 * - A callback transport's send function runs in the middle of an engine's step, on the thread
 *   that called the engine, and must not call back into that engine or move its clock: note
 *   what should happen and feed it to the engine after the call returns.
 */
#ifndef NUDGE_H
#define NUDGE_H

#include <stddef.h>
#include <stdint.h>

/* The C API: exported from a shared libnudge_c (the library is compiled hidden). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nudge_status {
    NUDGE_OK = 0,
    NUDGE_ERROR_INVALID_ARGUMENT = 1, /* a NULL handle, bad JSON, an instant that is not one, … */
    NUDGE_ERROR_FLOW = 2,             /* a flow has errors: read its diagnostics */
    NUDGE_ERROR_IO = 3,               /* a file could not be read */
    NUDGE_ERROR_NOT_FOUND = 4,        /* no such instance, state or inbox entry */
    NUDGE_ERROR_UNSUPPORTED = 5,      /* e.g. advancing a system clock */
    NUDGE_ERROR_OUT_OF_MEMORY = 6,
    NUDGE_ERROR_INTERNAL = 7, /* anything else the C++ library threw */
    NUDGE_ERROR_STORE = 8     /* a database cannot be used: not a nudge database, corrupt, from a
                                 newer schema, full or unwritable (nothing was changed) */
} nudge_status;

/* A constant name for the status ("ok", "invalid argument", …). */
const char* nudge_status_string(nudge_status status);

/* The message of the last call on this thread that failed ("" when none). Owned by the library;
 * valid until the next failing call on this thread. */
const char* nudge_last_error(void);

/* Releases a string the library returned through a `char**`. NULL is allowed. */
void nudge_string_free(char* string);

/* The library's version, e.g. "0.1.0". Owned by the library. */
const char* nudge_version(void);

/* ---- flows ------------------------------------------------------------------------------ */

/* A compiled flow (or the diagnostics of one that did not compile). */
typedef struct nudge_flow nudge_flow;

/* Reads, checks and compiles flow text; `filename` names it in diagnostics (may be NULL).
 * Returns NUDGE_OK, or NUDGE_ERROR_FLOW when the flow has errors. In both cases `*out` receives a
 * new handle that the caller must free: on NUDGE_ERROR_FLOW it holds only the diagnostics. */
nudge_status nudge_flow_compile(const char* text, const char* filename, nudge_flow** out);

/* The same for a `.flow` or `.flow.yaml` file; an unreadable file is NUDGE_ERROR_FLOW with an
 * `io` diagnostic. */
nudge_status nudge_flow_compile_file(const char* path, nudge_flow** out);

void nudge_flow_free(nudge_flow* flow);

/* 1 when the flow compiled without errors and can be loaded into an engine, else 0. */
int nudge_flow_ok(const nudge_flow* flow);

/* The flow's name ("" when it could not be read). Owned by the flow. */
const char* nudge_flow_name(const nudge_flow* flow);

/* The flow one business runs (see <nudge/settings.hpp>): `values_json` is a JSON object of the
 * flow's settings, each a string (or an array of strings for a list setting); the result is named
 * "FLOW@BUSINESS" (an empty or NULL business applies the values to the flow itself). As
 * nudge_flow_compile, `*out` always receives a new handle: NUDGE_ERROR_FLOW with only the
 * diagnostics when the values do not fit the flow. */
nudge_status nudge_flow_apply_settings(const nudge_flow* flow, const char* business,
                                       const char* values_json, nudge_flow** out);

/* Every diagnostic (errors and warnings) as a JSON array of
 * {"severity","code","message","file","line","column","length"}; line and column are 1-based. */
nudge_status nudge_flow_diagnostics_json(const nudge_flow* flow, char** out_json);

/* ---- clocks ----------------------------------------------------------------------------- */

/* Where an engine reads the time. */
typedef struct nudge_clock nudge_clock;

/* A clock that moves only when told to, starting at `start_iso`
 * ("2026-03-28T20:55:00+01:00" or "…Z"). */
nudge_status nudge_clock_new_fake(const char* start_iso, nudge_clock** out);
/* The real time, in whole seconds. */
nudge_status nudge_clock_new_system(nudge_clock** out);
void nudge_clock_free(nudge_clock* clock);

nudge_status nudge_clock_now(const nudge_clock* clock, int64_t* out_unix_seconds);
/* Fake clocks only (NUDGE_ERROR_UNSUPPORTED otherwise). Moving the clock fires nothing by
 * itself: call nudge_engine_run_due, or use nudge_engine_advance which does both. */
nudge_status nudge_clock_advance(nudge_clock* clock, int64_t seconds);
nudge_status nudge_clock_set(nudge_clock* clock, int64_t unix_seconds);

/* ---- transports ------------------------------------------------------------------------- */

/* Where an engine's messages go. */
typedef struct nudge_transport nudge_transport;

/* One outbound message, as a callback transport sees it. Every pointer is owned by the library
 * and valid only during the callback; `subject` is NULL when the message has none. */
typedef struct nudge_message {
    const char* id; /* idempotency key "flow/instance/N": the instance's Nth message, from 1 */
    const char* flow;
    uint64_t instance;
    const char* key; /* the instance's key */
    const char* channel;
    const char* to;
    const char* from;
    const char* subject;
    const char* text;
    int64_t at;   /* Unix seconds */
    int reminder; /* 1 for a reminder */
} nudge_message;

/* What a callback transport answers: took the message, or refused it (the engine records the
 * failure and uses the flow's fallbacks). */
typedef enum nudge_send_status {
    NUDGE_SEND_ACCEPTED = 0,
    NUDGE_SEND_REFUSED = 1
} nudge_send_status;

typedef nudge_send_status (*nudge_send_fn)(void* user_data, const nudge_message* message);

/* Keeps every message, in order, for reading back with nudge_transport_sent_json. */
nudge_status nudge_transport_new_recording(nudge_transport** out);
/* Calls `send` for every message, with `user_data` untouched (the caller keeps owning it). */
nudge_status nudge_transport_new_callback(nudge_send_fn send, void* user_data,
                                          nudge_transport** out);
void nudge_transport_free(nudge_transport* transport);

/* Recording transports only: the messages kept so far, as a JSON array of
 * {"id","flow","instance","key","channel","to","from","subject","text","at","reminder"}
 * ("subject" is null when absent), times in the IANA zone `zone` (NULL: UTC). */
nudge_status nudge_transport_sent_json(const nudge_transport* transport, const char* zone,
                                       char** out_json);
nudge_status nudge_transport_sent_count(const nudge_transport* transport, size_t* out_count);
nudge_status nudge_transport_clear(nudge_transport* transport);

/* ---- engines ---------------------------------------------------------------------------- */

/* Runs loaded flows against a clock and a transport. It owns no threads: the host feeds it
 * triggers, replies and signals, and calls run_due when the next deadline comes. */
typedef struct nudge_engine nudge_engine;

/* The engine borrows `clock` and `transport`: both must outlive it. */
nudge_status nudge_engine_new(nudge_clock* clock, nudge_transport* transport, nudge_engine** out);
void nudge_engine_free(nudge_engine* engine);

/* Adds a compiled flow (shared, so the flow handle may be freed afterwards). NUDGE_ERROR_FLOW
 * when the flow has errors, NUDGE_ERROR_INVALID_ARGUMENT when a flow of that name is loaded. */
nudge_status nudge_engine_load(nudge_engine* engine, const nudge_flow* flow);

/* Adds a compiled flow as a new version of its name, beside the versions already loaded:
 * triggers start only the newest, running instances stay on theirs until
 * nudge_engine_migrate_json moves them. `version` 0 means the next number; `*out_version` (may
 * be NULL) receives the version given. NUDGE_ERROR_INVALID_ARGUMENT when `version` is not above
 * the loaded ones. */
nudge_status nudge_engine_load_version(nudge_engine* engine, const nudge_flow* flow, int version,
                                       int* out_version);

/* Moves the live instances of `flow` on older versions to the newest, state by state by name
 * (`dry_run` non-zero: only says what would move). The answer is a JSON object {"flow",
 * "version","ok","moved":[{"instance","from_version","state"}],"missing":[{"state","version",
 * "instances"}]}: when "ok" is false some instance sits in a state the newest version lacks,
 * "missing" lists those states, and nothing moved. NUDGE_ERROR_NOT_FOUND for an unknown flow. */
nudge_status nudge_engine_migrate_json(nudge_engine* engine, const char* flow, int dry_run,
                                       char** out_json);

/* A host event that may start instances. `*out_count` (may be NULL) receives how many started;
 * the first `capacity` of their ids go to `out_ids` (may be NULL when capacity is 0). */
nudge_status nudge_engine_trigger(nudge_engine* engine, const char* event, const char* data_json,
                                  uint64_t* out_ids, size_t capacity, size_t* out_count);

/* The same for the flows that run for `business` only (nudge_flow_apply_settings); a flow that
 * runs for a business starts on nothing else. */
nudge_status nudge_engine_trigger_for(nudge_engine* engine, const char* business, const char* event,
                                      const char* data_json, uint64_t* out_ids, size_t capacity,
                                      size_t* out_count);

/* A host event for the running instances with `key`, in `flow` (NULL: any flow).
 * `*out_moved` (may be NULL) receives how many instances moved. */
nudge_status nudge_engine_signal(nudge_engine* engine, const char* flow, const char* key,
                                 const char* event, const char* data_json, int* out_moved);

/* An inbound message from the customer `from` to our number `to`. `to` may be NULL or "" when
 * the loaded flows have exactly one sender number, which is then used (else
 * NUDGE_ERROR_INVALID_ARGUMENT). A reply no route takes goes to the inbox. */
nudge_status nudge_engine_reply(nudge_engine* engine, const char* from, const char* to,
                                const char* text);

/* Fires every timer due at the clock's now, in deadline order. `*out_fired` may be NULL. */
nudge_status nudge_engine_run_due(nudge_engine* engine, int* out_fired);

/* Fake clocks only: moves the clock `seconds` forward, stopping at every deadline on the way
 * to fire it, as a scenario's `advance` does. `*out_fired` (may be NULL) counts the timers. */
nudge_status nudge_engine_advance(nudge_engine* engine, int64_t seconds, int* out_fired);

/* The earliest pending deadline: `*out_has` is 0 when there is none (then `*out_unix_seconds` is
 * left untouched). */
nudge_status nudge_engine_next_due(const nudge_engine* engine, int* out_has,
                                   int64_t* out_unix_seconds);

/* Cancels an instance (NUDGE_ERROR_NOT_FOUND when there is no such instance). */
nudge_status nudge_engine_cancel(nudge_engine* engine, uint64_t instance, const char* reason);

/* One instance as a JSON object {"id","flow","version","key","state","status","started","entered",
 * "fields":{…},"outcome","outcome_value","history":[…]}, times in its flow's zone; "outcome" and
 * "outcome_value" are null when unset. NUDGE_ERROR_NOT_FOUND when there is no such instance. */
nudge_status nudge_engine_instance_json(const nudge_engine* engine, uint64_t instance,
                                        char** out_json);

/* Instances of `flow` (only those in `state` when not NULL), or with `key`, in id order: a JSON
 * array of the objects above. */
nudge_status nudge_engine_instances_json(const nudge_engine* engine, const char* flow,
                                         const char* state, char** out_json);
nudge_status nudge_engine_instances_by_key_json(const nudge_engine* engine, const char* key,
                                                char** out_json);

/* An instance's history: a JSON array of records {"at","instance","flow","kind", then the
 * kind's fields}, the format of `nudge simulate`. */
nudge_status nudge_engine_history_json(const nudge_engine* engine, uint64_t instance,
                                       char** out_json);

/* Every record since the engine was made (the timeline), in the same format. The engine keeps
 * them all, so a long-running host should read them elsewhere. */
nudge_status nudge_engine_timeline_json(const nudge_engine* engine, char** out_json);

/* An instance's pending timers in the order they fire: a JSON array of {"due","kind","what"}
 * (kind: start, after, at, season, reminder, every, send), times in its flow's zone.
 * NUDGE_ERROR_NOT_FOUND when there is no such instance. */
nudge_status nudge_engine_timers_json(const nudge_engine* engine, uint64_t instance,
                                      char** out_json);

/* Replies nobody's route took: a JSON array of {"id","at","from","to","text","reason",
 * "candidates":[…],"assigned_to"}. */
nudge_status nudge_engine_inbox_json(const nudge_engine* engine, char** out_json);

/* Counts for monitoring: {"instances","live","timers","queued_timers","queue_compactions",
 * "inbox","suppressions","retired"} (Engine::stats()). */
nudge_status nudge_engine_stats_json(const nudge_engine* engine, char** out_json);

/* ---- durable engines ---------------------------------------------------------------------- */

/* An engine whose every step (one input and everything it causes) is committed to an SQLite
 * database before the call returns, and whose messages go through an outbox: written in the
 * step's transaction, handed to the transport after the commit, retried with backoff (30 s,
 * doubling up to an hour) while the transport refuses, and marked done once it accepts.
 * Opening the database again (after nudge_durable_free, or after a crash) resumes exactly:
 * instances, timers with their original deadlines, the inbox, and the messages not yet sent,
 * which nudge_durable_deliver hands over again with the same "id". The C++ nudge::DurableEngine
 * (include/nudge/store.hpp). */
typedef struct nudge_durable nudge_durable;

/* Flags for nudge_durable_open. */
enum {
    /* Do not hand messages to the transport after each step: the host calls
     * nudge_durable_deliver itself. */
    NUDGE_DURABLE_MANUAL_DELIVERY = 1
};

/* Opens the database at `path` (created when absent) and resumes from it. The engine borrows
 * `clock` and `transport`: both must outlive it. NUDGE_ERROR_STORE for a file that is not a
 * nudge database, is corrupt or comes from a newer schema (it is left as it was).
 * The flows stored in the database are running again at once; load them again anyway (the
 * same text is the same version, nothing is written) so that replies can leave out `to` and
 * JSON times are given in each flow's zone (UTC until its flow is loaded). */
nudge_status nudge_durable_open(const char* path, nudge_clock* clock, nudge_transport* transport,
                                unsigned flags, nudge_durable** out);
/* Closes the database. Everything committed stays; NULL is allowed. */
void nudge_durable_free(nudge_durable* engine);

/* Adds a compiled flow: its canonical text is stored as a version of its name. The same text
 * again is the same version (a no-op), a changed text a new version beside the older ones.
 * `*out_version` (may be NULL) receives the version. NUDGE_ERROR_FLOW for a flow with errors. */
nudge_status nudge_durable_load(nudge_durable* engine, const nudge_flow* flow, int* out_version);
/* The loaded flows' names, in load order: a JSON array of strings. */
nudge_status nudge_durable_flows_json(const nudge_durable* engine, char** out_json);

/* The inputs, as nudge_engine_*'s; each commits one step before it returns. */
nudge_status nudge_durable_trigger(nudge_durable* engine, const char* event, const char* data_json,
                                   uint64_t* out_ids, size_t capacity, size_t* out_count);
nudge_status nudge_durable_trigger_for(nudge_durable* engine, const char* business,
                                       const char* event, const char* data_json, uint64_t* out_ids,
                                       size_t capacity, size_t* out_count);
nudge_status nudge_durable_signal(nudge_durable* engine, const char* flow, const char* key,
                                  const char* event, const char* data_json, int* out_moved);
nudge_status nudge_durable_reply(nudge_durable* engine, const char* from, const char* to,
                                 const char* text);
/* Fires what is due (a run that fires nothing writes nothing). `*out_fired` may be NULL. */
nudge_status nudge_durable_run_due(nudge_durable* engine, int* out_fired);
/* Fake clocks only: as nudge_engine_advance, each run of timers one step. */
nudge_status nudge_durable_advance(nudge_durable* engine, int64_t seconds, int* out_fired);
nudge_status nudge_durable_next_due(const nudge_durable* engine, int* out_has,
                                    int64_t* out_unix_seconds);
/* Cancels an instance (NUDGE_ERROR_NOT_FOUND when there is no such instance). */
nudge_status nudge_durable_cancel(nudge_durable* engine, uint64_t instance, const char* reason);

/* Hands every unfinished message whose attempt time has come to the transport, then commits
 * the done-marks (and the next attempt of the refused ones) together. `*out_accepted` (may be
 * NULL) receives how many the transport took. */
nudge_status nudge_durable_deliver(nudge_durable* engine, int* out_accepted);
/* The earliest time an unfinished message may be tried again: `*out_has` is 0 when none is
 * waiting. */
nudge_status nudge_durable_next_delivery(const nudge_durable* engine, int* out_has,
                                         int64_t* out_unix_seconds);
/* The outbox in the order written (only the unfinished messages when `unfinished_only` is
 * non-zero): a JSON array of {"id","flow","instance","key","channel","to","from","subject",
 * "text","at","reminder","step","attempts","next_attempt","done_at","failed_at","last_error"},
 * times in UTC; "done_at" and "failed_at" are null until set. */
nudge_status nudge_durable_outbox_json(const nudge_durable* engine, int unfinished_only,
                                       char** out_json);

/* Queries, in the formats of the nudge_engine_* functions of the same names. An instance the
 * engine has retired from memory is read from the database. */
nudge_status nudge_durable_instance_json(const nudge_durable* engine, uint64_t instance,
                                         char** out_json);
/* Instances of `flow` (in `state` when not NULL) as the database has them, without history. */
nudge_status nudge_durable_instances_json(const nudge_durable* engine, const char* flow,
                                          const char* state, char** out_json);
nudge_status nudge_durable_instances_by_key_json(const nudge_durable* engine, const char* key,
                                                 char** out_json);
nudge_status nudge_durable_history_json(const nudge_durable* engine, uint64_t instance,
                                        char** out_json);
nudge_status nudge_durable_timers_json(const nudge_durable* engine, uint64_t instance,
                                       char** out_json);
nudge_status nudge_durable_inbox_json(const nudge_durable* engine, char** out_json);
/* The records of the steps taken since this handle opened the database (a replay adds none). */
nudge_status nudge_durable_timeline_json(const nudge_durable* engine, char** out_json);
/* How many steps the database has committed, over every run. */
nudge_status nudge_durable_steps(const nudge_durable* engine, int64_t* out_steps);

/* ---- scenarios ------------------------------------------------------------------------- */

/* Runs a scenario file (README, section Scenarios) on its own fake clock and engine. NUDGE_OK
 * whenever it ran, passed or not: `*out_json` receives {"ok","steps","zone","failures":[…],
 * "diagnostics":[…],"timeline":[…]}, where `failures` are the expectations that did not hold (one
 * line each), `diagnostics` the mistakes in the file or its flows (then nothing ran), and
 * `timeline` every record of the run, times in the scenario's zone. */
nudge_status nudge_scenario_run_file(const char* path, char** out_json);

#ifdef __cplusplus
}
#endif

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#endif /* NUDGE_H */
