// A Node test suite driving the fake Binance through its control API (docs/control-api.md).
//
// Start the fake, export what it prints, run the tests:
//
//   eval "$(binance-harness serve --rate 0 | grep '^export ')"   # or copy the export lines
//   npm ci && npm test
//
// The fake's URLs come from the environment, as for any client under test
// (docs/client-contract.md); BINANCE_HARNESS_CONTROL_URL is the test's own channel to the
// fake. With `serve --tls` the URLs are https/wss and NODE_EXTRA_CA_CERTS makes Node trust
// the run's throwaway CA: nothing in this file changes.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';

import WebSocket from 'ws';

function env(name) {
  const value = process.env[`BINANCE_HARNESS_${name}`];
  if (!value) throw new Error(`BINANCE_HARNESS_${name} is not set: start \`binance-harness serve\` and export what it prints`);
  return value;
}

const REST_URL = env('REST_URL');
const WS_URL = env('WS_URL');
const API_KEY = env('API_KEY');
const CONTROL_URL = env('CONTROL_URL');
// Set when the fake was started with `serve --token` (docs/control-api.md, "Who may call it").
const CONTROL_TOKEN = process.env.BINANCE_HARNESS_CONTROL_TOKEN;

// One control API call; a refusal throws with the API's message and field.
async function control(method, path, body) {
  const response = await fetch(`${CONTROL_URL}/v1${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(CONTROL_TOKEN ? { authorization: `Bearer ${CONTROL_TOKEN}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} /v1${path}: HTTP ${response.status} (${answer.field}): ${answer.error}`);
  return answer;
}

const fire = (fault, params = {}) => control('POST', '/faults', { fault, params });

// Long-polls the journal until an entry of `kind` whose fields equal `match` shows up.
async function waitFor(kind, match, since = 0, seconds = 5) {
  const deadline = Date.now() + seconds * 1000;
  let cursor = since;
  for (;;) {
    const wait = Math.max(0, (deadline - Date.now()) / 1000);
    const page = await control('GET', `/journal?since=${cursor}&kind=${kind}&wait=${wait.toFixed(3)}`);
    const found = page.entries.find((e) => Object.entries(match).every(([k, v]) => e[k] === v));
    if (found) return found;
    cursor = page.next;
    if (wait === 0) throw new Error(`no ${kind} entry matching ${JSON.stringify(match)} within ${seconds} s`);
  }
}

async function listenKey() {
  const response = await fetch(`${REST_URL}/fapi/v1/listenKey`, { method: 'POST', headers: { 'X-MBX-APIKEY': API_KEY } });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.listenKey;
}

// A user-data socket, open, with its close (code and reason) as a promise.
async function userStream() {
  const key = await listenKey();
  const ws = new WebSocket(`${WS_URL}/private/ws/${key}`);
  ws.on('error', () => {}); // an abort shows as an error, then close 1006: the close is what we check
  const closed = once(ws, 'close').then(([code, reason]) => ({ code, reason: reason.toString() }));
  await once(ws, 'open');
  return { ws, key, closed };
}

test('abort_tcp: the client sees 1006 and the journal has the fault', async () => {
  const { closed } = await userStream();
  const { index, entry } = await fire('abort_tcp', { mode: 'fin', target: 'latest' });
  assert.equal(entry.kind, 'fault');
  assert.equal(entry.name, 'abort_tcp');
  assert.equal(entry.source, 'control');
  assert.equal(entry.conns.length, 1);

  assert.equal((await closed).code, 1006); // no close frame: abnormal closure

  // The journal, read back: the fault is there, and the fake saw the drop it caused.
  const faults = await control('GET', `/journal?since=${index}&kind=fault`);
  assert.deepEqual(faults.entries[0], entry);
  const dropped = await waitFor('ws_close', { conn: entry.conns[0] }, index);
  assert.equal(dropped.how, 'abort_fin');
  assert.equal(dropped.code, 1006);
});

test('close 1001: the client sees the code and the reason', async () => {
  const { closed } = await userStream();
  const { index, entry } = await fire('close', { code: 1001, reason: 'going away', target: 'latest' });
  assert.deepEqual(await closed, { code: 1001, reason: 'going away' });
  const ended = await waitFor('ws_close', { conn: entry.conns[0] }, index);
  assert.equal(ended.initiator, 'server');
});

test('an injected tick arrives on the user stream', async () => {
  const { ws } = await userStream();
  const received = [];
  let wake = () => {};
  ws.on('message', (data) => {
    received.push(JSON.parse(data.toString()));
    wake();
  });
  const { events, entries } = await control('POST', '/events', { type: 'tick' });
  assert.ok(entries.some((e) => e.e === 'ORDER_TRADE_UPDATE'), JSON.stringify(entries));
  // Events may arrive before or after the API's answer: wait for each by its E (unique).
  for (const event of events) {
    while (!received.some((m) => m.E === event.E)) await new Promise((resolve) => (wake = resolve));
    assert.deepEqual(received.find((m) => m.E === event.E), event);
  }
  ws.close(1000);
  await once(ws, 'close');
});

test('a misspelt fault is refused with a did-you-mean', async () => {
  await assert.rejects(fire('abort_tpc'), /unknown fault 'abort_tpc'; did you mean 'abort_tcp'\?/);
});
