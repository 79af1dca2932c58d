// The bot of the forum thread "New connection with webSocket" (/work/shared/forum-thread.txt),
// ported from its TypeScript to plain Node, with its flaws KEPT: it is a subject of the
// harness, the Node twin of clients/forum_bot.py, and must fail the same behaviours.
//
// What it does, like the thread's code:
// - POST the listenKey with axios (pinned: the thread's fix was "axios@latest"); on failure
//   it prints only axios' message ("Request failed with status code 404"), never the body
//   that explains it, and dies (exit 1).
// - Open the user stream with the browser-style WebSocket API (onopen / onerror / onmessage
//   / onclose) of the `ws` package, each handler only logging. No reconnect, no listenKey
//   keepalive, no pings of its own, and no answer to the server's pings: `ws` would answer
//   them at the protocol level, so `autoPong: false` (the thread's user had to be told to
//   reply to pings). When the socket closes the process has nothing left to do and ends.
//
// The one correction: the thread's URL (`wss://${listenKey}?listenKey=${listenKey}`) has no
// host; it is `${BINANCE_HARNESS_WS_URL}/private/ws?listenKey=<key>` here, the same path as
// clients/forum_bot.py. Like that port (and unlike the thread), each event payload is also
// appended to BINANCE_HARNESS_EVENTS_FILE so that the delivery checks apply.
//
// Run: node adapters/node-forum/forum.mjs   (after `npm ci` here, see adapters/install.py)

import fs from 'node:fs';

import axios from 'axios';
import WebSocket from 'ws';

const restUrl = process.env.BINANCE_HARNESS_REST_URL.replace(/\/+$/, '');
const wsUrl = process.env.BINANCE_HARNESS_WS_URL.replace(/\/+$/, '');
const apiKey = process.env.BINANCE_HARNESS_API_KEY ?? '';
const eventsFd = process.env.BINANCE_HARNESS_EVENTS_FILE
  ? fs.openSync(process.env.BINANCE_HARNESS_EVENTS_FILE, 'a')
  : null;

// Not in the thread: the harness' event report (same rules as clients/reference_client.py).
function record(data) {
  if (eventsFd === null) {
    return;
  }
  let payload;
  try {
    payload = JSON.parse(data.toString());
  } catch {
    return;
  }
  if (payload && typeof payload === 'object' && 'stream' in payload && 'data' in payload) {
    payload = payload.data;
  }
  if (payload && typeof payload === 'object' && !Array.isArray(payload) && 'e' in payload && payload.e !== 'listenKeyExpired') {
    fs.writeSync(eventsFd, JSON.stringify(payload) + '\n');
  }
}

let listenKey;
try {
  const response = await axios.post(`${restUrl}/fapi/v1/listenKey`, null, {
    headers: { 'X-MBX-APIKEY': apiKey },
    proxy: false,
  });
  listenKey = response.data.listenKey;
} catch (error) {
  // What the thread's user saw: the status, and not one byte of Binance's explanation.
  console.error(error.message);
  process.exit(1);
}

const userDataStream = new WebSocket(`${wsUrl}/private/ws?listenKey=${listenKey}`, { autoPong: false });

userDataStream.onopen = () => {
  console.log('WebSocket connection opened.');
};

userDataStream.onerror = (error) => {
  console.error('WebSocket connection error:', error.message);
};

userDataStream.onmessage = (event) => {
  console.log('Message received:', event.data);
  record(event.data);
};

userDataStream.onclose = (event) => {
  console.log('Connection WebSocket close:', event.code, event.reason);
};
