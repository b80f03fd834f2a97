// The XState v5 peer of benchmarks/scale (issue 8): the reminder flow as an XState machine,
// one actor per customer, driven by the trace bench_scale writes (bench_scale --write-trace N
// FILE: records of int64 t, uint32 customer, uint32 kind, little endian) on a simulated clock:
// one binary heap of timeouts shared by every actor (XState's `clock` option).
//
//   node --expose-gc run.mjs TRACE N      prints one JSON line
//
// The checksum is computed like bench_scale's (scale/trace.hpp): equal checksums mean equal
// sends (customer, first or reminder, instant) and equal final outcomes.
import { createActor, setup } from 'xstate';
import { readFileSync } from 'node:fs';

const DAY = 86400;
const HOUR = 3600;
const T0 = 1772409600; // 2026-03-02T00:00:00Z
const SIM_DAYS = 30;
const OPEN = 9 * HOUR;
const CLOSE = 20 * HOUR;

const [tracePath, nArg] = process.argv.slice(2);
if (!tracePath || !nArg) {
  console.error('usage: node run.mjs TRACE N');
  process.exit(2);
}
const N = Number(nArg);

// --- the simulated clock: a binary heap of (at, seq) ------------------------------------
let now = T0;
let seq = 0;
const heap = [];
function less(a, b) { return a.at !== b.at ? a.at < b.at : a.seq < b.seq; }
function push(e) {
  heap.push(e);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(heap[i], heap[p])) break;
    [heap[i], heap[p]] = [heap[p], heap[i]];
    i = p;
  }
}
function pop() {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}
const clock = {
  setTimeout(fn, ms) {
    const e = { at: now + Math.round(ms / 1000), seq: seq++, fn, cancelled: false };
    push(e);
    return e;
  },
  clearTimeout(e) { if (e) e.cancelled = true; },
};
let timersFired = 0;
function fireUntil(until) {
  while (heap.length > 0 && heap[0].at <= until) {
    const e = pop();
    if (e.cancelled) continue;
    now = e.at;
    ++timersFired;
    e.fn();
  }
}

// --- the flow ------------------------------------------------------------------------------
function defer(t) {
  const midnight = t - (((t % DAY) + DAY) % DAY);
  const local = t - midnight;
  if (local < OPEN) return midnight + OPEN;
  if (local >= CLOSE) return midnight + DAY + OPEN;
  return t;
}
// Sends are noted (customer, reminder flag, instant) and hashed after the timed run.
const sendIdx = [];
const sendKind = [];
const sendAt = [];
function send(idx, reminder) {
  sendIdx.push(idx);
  sendKind.push(reminder);
  sendAt.push(now);
}

const machine = setup({
  actions: {
    sendFirst: ({ context }) => send(context.idx, 0),
    sendReminder: ({ context }) => send(context.idx, 1),
  },
  delays: {
    reminder: () => (defer(now + DAY) - now) * 1000,
  },
}).createMachine({
  id: 'reminder',
  context: ({ input }) => ({ idx: input.idx }),
  initial: 'waiting',
  states: {
    waiting: {
      entry: 'sendFirst',
      after: { [72 * HOUR * 1000]: 'cancelled' },
      on: { YES: 'confirmed', NO: 'declined', STOP: 'stopped' },
      initial: 'r0',
      states: {
        r0: { after: { reminder: { target: 'r1', actions: 'sendReminder' } } },
        r1: { after: { reminder: { target: 'r2', actions: 'sendReminder' } } },
        r2: {},
      },
    },
    confirmed: { type: 'final' },
    declined: { type: 'final' },
    stopped: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

function phone(idx) { return '+479' + String(idx).padStart(7, '0'); }
const words = ['', 'JA', 'Nei', 'STOP'];
const eventOf = { JA: { type: 'YES' }, Nei: { type: 'NO' }, STOP: { type: 'STOP' } };

// --- the trace -----------------------------------------------------------------------------
const buf = readFileSync(tracePath);
const count = buf.length / 16;
const evT = new Float64Array(count);
const evIdx = new Uint32Array(count);
const evKind = new Uint32Array(count);
for (let i = 0; i < count; ++i) {
  evT[i] = Number(buf.readBigInt64LE(i * 16));
  evIdx[i] = buf.readUInt32LE(i * 16 + 8);
  evKind[i] = buf.readUInt32LE(i * 16 + 12);
}

// --- bytes per waiting instance: N actors started at one instant ----------------------------
function heapUsed() {
  if (global.gc) global.gc();
  return process.memoryUsage().heapUsed;
}
let bytesPerInstance = -1;
let setupNs = -1;
{
  const before = heapUsed();
  const byPhone = new Map();
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; ++i) {
    const a = createActor(machine, { input: { idx: i }, clock });
    a.start();
    byPhone.set(phone(i), a);
  }
  setupNs = Number(process.hrtime.bigint() - t) / N;
  bytesPerInstance = (heapUsed() - before) / N;
  byPhone.clear();
  heap.length = 0;
  sendIdx.length = sendKind.length = sendAt.length = 0;
  now = T0;
}

// --- the simulated month -------------------------------------------------------------------
const actors = new Array(N);
const byPhone = new Map();
let triggers = 0, replies = 0;
let replyNs = 0n;
const begin = process.hrtime.bigint();
for (let i = 0; i < count; ++i) {
  fireUntil(evT[i]);
  now = evT[i];
  const idx = evIdx[i];
  if (evKind[i] === 0) {
    ++triggers;
    const a = createActor(machine, { input: { idx }, clock });
    a.start();
    actors[idx] = a;
    byPhone.set(phone(idx), a);
  } else {
    ++replies;
    const from = phone(idx);
    const text = words[evKind[i]];
    const r = process.hrtime.bigint();
    const a = byPhone.get(from);
    if (a) a.send(eventOf[text]);
    replyNs += process.hrtime.bigint() - r;
  }
}
fireUntil(T0 + SIM_DAYS * DAY);
const totalS = Number(process.hrtime.bigint() - begin) / 1e9;

// --- the checksum (as scale/trace.hpp) -----------------------------------------------------
const M64 = (1n << 64n) - 1n;
function mix(z) {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}
let checksum = 0n;
for (let i = 0; i < sendIdx.length; ++i) {
  const z = (BigInt(sendIdx[i]) << 34n) ^ (BigInt(sendKind[i]) << 32n) ^ BigInt(sendAt[i] - T0);
  checksum = (checksum + mix(z & M64)) & M64;
}
const codes = { confirmed: 1n, declined: 2n, cancelled: 3n, stopped: 4n };
for (let i = 0; i < N; ++i) {
  const v = actors[i] ? actors[i].getSnapshot().value : '';
  const code = typeof v === 'string' && codes[v] !== undefined ? codes[v] : 0n;
  checksum = (checksum + mix(((BigInt(i) << 3n) ^ code ^ (1n << 62n)) & M64)) & M64;
}

const events = triggers + replies + timersFired;
console.log(JSON.stringify({
  engine: 'xstate',
  xstate: JSON.parse(readFileSync(new URL('./node_modules/xstate/package.json', import.meta.url))).version,
  node: process.version,
  n: N,
  setup_ns: setupNs,
  events,
  triggers,
  replies,
  timers: timersFired,
  sends: sendIdx.length,
  total_s: totalS,
  events_per_s: events / totalS,
  ns_per_event: (totalS * 1e9) / events,
  reply_ns: replies ? Number(replyNs) / replies : 0,
  reply_events_per_s: replies ? replies / (Number(replyNs) / 1e9) : 0,
  bytes_per_instance: bytesPerInstance,
  checksum: checksum.toString(16).padStart(16, '0'),
}));
