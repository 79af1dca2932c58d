// Adapter: the npm package `binance` (tiagosiebler / sieblyio), pinned in package-lock.json,
// put under the binance-stream-harness. USD-M futures user data stream through the SDK's own
// WebsocketClient.subscribeUsdFuturesUserDataStream(), as its README shows.
//
// Pointed at the fake by the SDK's OWN options, no patch:
//   - `wsUrl`:               the WebSocket base (lib/util/websockets/websocket-util.js getWsUrl()
//                            returns it as is; the user-data suffix `/private/stream?listenKey=`
//                            and the key are appended by the SDK);
//   - `restOptions.baseUrl`: the REST base of the USDMClient the WebsocketClient builds for the
//                            listenKey (lib/util/requestUtils.js getRestBaseUrl()).
// Over TLS (`tls: true` scenarios) Node itself reads NODE_EXTRA_CA_CERTS, set by the harness.
//
// Timers: scenarios shorten time, and the contract says by how much. The SDK's own heartbeat
// options `pingInterval` and `pongTimeout` (default 10 s and 5 s, lib/util/BaseWSClient.js:79)
// are set from BINANCE_HARNESS_CLIENT_PING_INTERVAL / _TIMEOUT when given, as a user tuning them
// would; the listenKey keep-alive (every 50 min, user-data-stream-manager.js:113) has no option
// and keeps its real period. Everything else is the SDK's default: its reconnect (0.5 s, then
// the listenKey respawn workflow) and its listenKeyExpired handling. The adapter only reports what it handles:
// every user-data event received on 'message' is appended, as received, to
// BINANCE_HARNESS_EVENTS_FILE (one JSON line), and every SDK notification (open, reconnecting,
// reconnected, close, exception) is logged. The SDK's own logger (DefaultLogger: info and
// error to the console, trace silent) is kept; BINANCE_ADAPTER_TRACE=1 also prints its trace.
//
// Run: node adapters/node-binance/adapter.mjs   (after `npm ci` here, see adapters/install.py)

import { inspect } from 'node:util';

import { DefaultLogger, WebsocketClient } from 'binance';

import { record, required, seconds } from '../client_contract.mjs';

const env = process.env;
const restUrl = required('BINANCE_HARNESS_REST_URL');
const wsUrl = required('BINANCE_HARNESS_WS_URL');

// Keys the SDK adds to each event object (websocket-client.js resolveEmittableEvents():
// wsMarket, streamName; BaseWSClient.js getFinalEmittable(): wsKey, isWSAPIResponse). They
// are removed so that the reported object is the event as Binance sent it.
const SDK_ANNOTATIONS = new Set(['wsMarket', 'streamName', 'wsKey', 'isWSAPIResponse']);

function asReceived(event) {
  return Object.fromEntries(Object.entries(event).filter(([key]) => !SDK_ANNOTATIONS.has(key)));
}

function isUserEvent(event) {
  return (
    event !== null &&
    typeof event === 'object' &&
    typeof event.e === 'string' &&
    event.e !== 'listenKeyExpired' // a control signal, handled by the SDK, not an account event
  );
}

function show(value) {
  return inspect(value, { depth: 6, breakLength: Infinity });
}

const logger = {
  ...DefaultLogger,
  trace: env.BINANCE_ADAPTER_TRACE === '1' ? (...params) => console.log(params) : DefaultLogger.trace,
};

// The contract's scaled heartbeat (seconds) as the SDK's options (milliseconds), when given.
function millis(name) {
  const value = seconds(name);
  return value === undefined ? undefined : Math.round(value * 1000);
}
const heartbeat = Object.fromEntries(
  [
    ['pingInterval', millis('BINANCE_HARNESS_CLIENT_PING_INTERVAL')],
    ['pongTimeout', millis('BINANCE_HARNESS_CLIENT_PING_TIMEOUT')],
  ].filter(([, value]) => value !== undefined),
);

const wsClient = new WebsocketClient(
  {
    api_key: env.BINANCE_HARNESS_API_KEY,
    api_secret: env.BINANCE_HARNESS_API_SECRET,
    wsUrl,
    restOptions: { baseUrl: restUrl },
    ...heartbeat,
  },
  logger,
);

wsClient.on('message', (data) => {
  const events = Array.isArray(data) ? data : [data];
  for (const event of events) {
    console.log('message:', JSON.stringify(asReceived(event)));
    if (isUserEvent(event)) {
      record(asReceived(event));
    }
  }
});
wsClient.on('open', (data) => console.log('open:', data?.wsKey, data?.wsUrl));
wsClient.on('reconnecting', (data) => console.log('reconnecting:', data?.wsKey));
wsClient.on('reconnected', (data) => console.log('reconnected:', data?.wsKey, data?.wsUrl));
wsClient.on('close', (data) => console.log('close:', data?.wsKey));
wsClient.on('response', (data) => console.log('response:', show(data)));
wsClient.on('exception', (data) => console.error('exception:', show(data)));

// The README's call. It resolves (to undefined) even when the listenKey POST fails: the SDK
// then logs and emits 'exception' and does not retry the first subscription.
wsClient
  .subscribeUsdFuturesUserDataStream()
  .then((result) => console.log('subscribeUsdFuturesUserDataStream():', result ? result.wsKey : result))
  .catch((error) => console.error('subscribeUsdFuturesUserDataStream() rejected:', show(error)));
