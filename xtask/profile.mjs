// Where the worker isolate's CPU goes: V8's sampling profiler over the
// inspector of `wrangler dev`, while conversations are created one after
// another (`create`), or while visitors ask FAQ questions one after
// another, each waiting for its AI answer (`message`: every conversation
// is created and connected before the profiler starts). Run by
// `cargo xtask profile-create [N]` and `cargo xtask profile-message [N]`,
// which start the edge; arguments: BASE_URL INSPECTOR_PORT N MODE. And
// `cargo xtask profile-cold`: a new isolate's first FAQ answer, read from
// the index the inbox stored (`cold-setup` stores it before a restart).
//
// Self time is a function's own samples; inclusive time adds everything it
// called. Both are per operation, in ms. "(idle)" is the isolate waiting
// (on SQLite's disk, on the proxy): it is not CPU.
const [base, inspectorPort, n, mode] = [
  process.argv[2],
  process.argv[3],
  +process.argv[4] || 200,
  process.argv[5] || 'create',
];

// wrangler's inspector proxy only takes the devtools origin.
const ws = new WebSocket(`ws://127.0.0.1:${inspectorPort}/ws`, {
  headers: { Origin: 'https://devtools.devprod.cloudflare.dev' },
});
let lastId = 0;
const pending = new Map();
const send = (method, params = {}) =>
  new Promise((resolve, reject) => {
    const id = ++lastId;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
ws.onmessage = (e) => {
  const d = JSON.parse(e.data);
  const p = d.id && pending.get(d.id);
  if (!p) return;
  pending.delete(d.id);
  d.error ? p.reject(new Error(JSON.stringify(d.error))) : p.resolve(d.result);
};
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = () => reject(new Error(`no inspector on port ${inspectorPort}`));
});

let refused = 0;
let created = null;
const create = async (i) => {
  const r = await fetch(`${base}/api/v1/conversations`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: base,
      // One address each, so the per-address limit is not what is measured.
      'cf-connecting-ip': `10.1.${i >> 8}.${i & 255}`,
    },
    body: JSON.stringify({ site: 'demo', locale: 'en', page_url: 'https://shop.example/', disclosure_version: 1 }),
  });
  created = await r.json().catch(() => null);
  if (r.status !== 201) refused++;
};

// A visitor's socket, resumed; `next(pred)` waits for a frame that matches.
const QUESTIONS = [
  'How much is a puncture repair?',
  'Where can I park my car?',
  'What are your opening hours?',
  'Do you rent bikes?',
];
const connect = async ({ conversation_id: id, visitor_secret: secret }) => {
  const r = await fetch(`${base}/api/v1/conversations/${id}/ticket`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, authorization: `Bearer ${secret}` },
    body: '{}',
  });
  const { ticket } = await r.json();
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/conversations/${id}/ws?ticket=${ticket}`);
  const waiting = [];
  socket.onmessage = (e) => {
    const frame = JSON.parse(e.data);
    const i = waiting.findIndex((w) => w.pred(frame));
    if (i >= 0) waiting.splice(i, 1)[0].resolve(frame);
  };
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error('socket'));
  });
  const next = (pred) => new Promise((resolve) => waiting.push({ pred, resolve }));
  const welcomed = next((f) => f.welcome);
  socket.send(JSON.stringify({ resume: { last_seq: 0 } }));
  await welcomed;
  return { socket, next };
};
const ask = async ({ socket, next }, text) => {
  const answered = next((f) => f.event?.body?.message?.author === 'ai');
  socket.send(JSON.stringify({ send: { client_id: crypto.randomUUID(), text } }));
  await answered;
};

// A create that waits for an edge still starting.
const createWhenUp = async (i) => {
  for (let tries = 0; tries < 200; tries++) {
    refused = 0;
    await create(i).catch(() => refused++);
    if (!refused) return created;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the edge refused every create');
};
// `cold-setup`: one question answered, so the site's inbox stores the
// knowledge base's index; xtask then restarts the edge on the same state
// and runs `cold`, which profiles a new isolate's first answer only.
if (mode === 'cold-setup') {
  await ask(await connect(await createWhenUp(7000)), QUESTIONS[1]);
  process.exit(0);
}
// A warm isolate, as in production (the edge may still be loading).
for (let i = 0, tries = 0; i < (mode === 'cold' ? 0 : 20) && tries < 200; tries++) {
  refused = 0;
  await create(i).catch(() => refused++);
  if (refused) await new Promise((r) => setTimeout(r, 250));
  else i++;
}
refused = 0;
// Messages: a conversation for every few questions, all open before.
const visitors = [];
if (mode === 'message') {
  for (let i = 0; i < Math.ceil(n / QUESTIONS.length); i++) {
    await create(2000 + i);
    visitors.push(await connect(created));
  }
  // A warm isolate: the FAQ index built, the first answer given.
  await ask(await connect((await create(5000), created)), QUESTIONS[0]);
}
let coldVisitor;
if (mode === 'cold') {
  // Opened before the profiler starts: only the first answer is measured.
  coldVisitor = await connect(await createWhenUp(8000));
}
await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 50 });
await send('Profiler.start');
const started = performance.now();
let wall;
if (mode === 'message') {
  for (let i = 0; i < n; i++) await ask(visitors[Math.floor(i / QUESTIONS.length)], QUESTIONS[i % QUESTIONS.length]);
  wall = (performance.now() - started) / n;
  // What a message sets off a moment later (the search summary, the
  // inbox's facts) is part of its cost.
  await new Promise((r) => setTimeout(r, 6000));
} else if (mode === 'cold') {
  await ask(coldVisitor, QUESTIONS[0]);
  await new Promise((r) => setTimeout(r, 500));
} else {
  for (let i = 0; i < n; i++) await create(1000 + i);
}
const { profile } = await send('Profiler.stop');
for (const v of visitors) v.socket.close();
wall ??= (performance.now() - started) / n;
ws.close();
if (refused) {
  console.error(`${refused} creates were refused: the figures would not be what they say`);
  process.exit(1);
}

// The raw profile, for DevTools or a closer look.
if (process.env.PROFILE_OUT) (await import('node:fs')).writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const c of node.children || []) parent.set(c, node.id);
const name = ({ callFrame: f }) =>
  `${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber}` : ''}`;
// A sample more than 10 ms after the one before is a gap in sampling (the
// sampler thread did not run: both cores busy), not 10 ms of the function
// it happened to land on; such samples are counted apart and left out.
const GAP_US = 10_000;
const sampled = new Map();
let gaps = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] || 0;
  if (us > GAP_US) gaps += us;
  else sampled.set(id, (sampled.get(id) || 0) + us);
});
const self = new Map();
const inclusive = new Map();
let total = 0;
for (const [id, us] of sampled) {
  total += us;
  const k = name(nodes.get(id));
  self.set(k, (self.get(k) || 0) + us);
  const seen = new Set();
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const k = name(nodes.get(x));
    if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) || 0) + us);
    seen.add(k);
  }
}
const ms = (us) => (us / 1000 / n).toFixed(2);
const idle = self.get('(idle)') || 0;
const what = { message: 'messages answered', create: 'creates', cold: "cold isolate's first answer" }[mode];
console.log(`${n} ${what}, one after another: wall ${wall.toFixed(1)} ms each;`);
console.log(`sampled ${ms(total)} ms each, of which idle ${ms(idle)}: busy ${ms(total - idle)} ms`);
console.log(`(left out: ${ms(gaps)} ms each in gaps of over ${GAP_US / 1000} ms between samples)`);
const top = (m, k) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([what, us]) => `${ms(us).padStart(6)}  ${what}`).join('\n');
console.log(`\nself, ms per ${mode}\n${top(self, 25)}`);
console.log(`\ninclusive, ms per ${mode}\n${top(inclusive, 50)}`);
// Open keep-alive connections to the edge would keep the process alive.
process.exit(0);
