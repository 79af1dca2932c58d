// Adapter: Binance's official modular SDK for USD-M futures, in Node
// (@binance/derivatives-trading-usds-futures on @binance/common), pinned in package-lock.json,
// put under the binance-stream-harness. The user data stream as the SDK's README shows it
// ("Subscribe to User Data Streams": "First create a listen-key via REST or WebSocket API;
// then" connect the streams client and `connection.userData(listenKey)`):
//   - `client.restAPI.startUserDataStream()` (POST /fapi/v1/listenKey);
//   - `client.websocketStreams.connect()`, then `connection.userData(listenKey)` and
//     `stream.on('message', ...)`;
//   - `client.restAPI.keepaliveUserDataStream()` (PUT /fapi/v1/listenKey) on a timer: the SDK
//     keeps no listenKey alive by itself (its doc: "It's recommended to send a ping about every
//     60 minutes"), so every user of it writes this loop. Its period is
//     BINANCE_HARNESS_KEEPALIVE_INTERVAL (the contract's TTL/2).
// Nothing else: a failed keepalive or a listenKeyExpired event is logged, as the README's
// examples log errors; a new key is not fetched (the SDK has no such logic, the README none).
// The Python twin is adapters/python-binance-official/adapter.py.
//
// Pointed at the fake by the SDK's OWN configuration, no patch (references are into
// node_modules/@binance/derivatives-trading-usds-futures/dist/index.js and
// node_modules/@binance/common/dist/index.js of the pinned versions):
//   - REST: `configurationRestAPI.basePath` (kept by the client's constructor, index.js:9209-9216);
//   - WebSocket: `configurationWebsocketStreams.wsURL`, the README's option for the testnet
//     (kept at index.js:9218-9222). The SDK opens one connection per URL path,
//     `${wsURL}/market/stream?streams=`, `/public/stream?streams=` and
//     `/private/stream?streams=` (WebsocketStreams.connect(), index.js:9164-9178;
//     prepareURL(), common index.js:1608-1617), and `userData(key)` sends
//     `{"method":"SUBSCRIBE","params":[key],"id":<32 hex chars>}` on the private one
//     (index.js:8770-8772; common index.js:1758-1775, ids from normalizeStreamId(), :172-177).
// Over TLS (`tls: true` scenarios) Node itself reads NODE_EXTRA_CA_CERTS, set by the harness.
//
// Timers: the SDK has no heartbeat of its own (it answers the server's pings, common
// index.js:1338-1343) and no option for one; its reconnect option (`reconnectDelay`, 5 s) keeps
// its default. What it reports: each user-data event handed to the stream's callback (the raw
// event object, `e` and `E` included), appended to BINANCE_HARNESS_EVENTS_FILE. The SDK's own
// logger (info level by default) writes to the console.
//
// Run: node adapters/node-binance-official/adapter.mjs   (after `npm ci`, see adapters/install.py)

import { inspect } from 'node:util';

import { DerivativesTradingUsdsFutures } from '@binance/derivatives-trading-usds-futures';

import { record, required, say, seconds } from '../client_contract.mjs';

const env = process.env;

function show(value) {
  return inspect(value, { depth: 6, breakLength: Infinity });
}

function handle(event) {
  const line = JSON.stringify(event);
  say('message:', line);
  if (event === null || typeof event !== 'object' || !('e' in event)) {
    return;
  }
  if (event.e === 'listenKeyExpired') {
    say('listenKeyExpired: the SDK does nothing about it, nor does the README');
    return;
  }
  record(event);
}

const client = new DerivativesTradingUsdsFutures({
  configurationRestAPI: {
    apiKey: env.BINANCE_HARNESS_API_KEY,
    apiSecret: env.BINANCE_HARNESS_API_SECRET,
    basePath: required('BINANCE_HARNESS_REST_URL'),
  },
  configurationWebsocketStreams: {
    wsURL: required('BINANCE_HARNESS_WS_URL'),
  },
});

const keepaliveMs = Math.round((seconds('BINANCE_HARNESS_KEEPALIVE_INTERVAL') ?? 1800) * 1000);

try {
  const response = await client.restAPI.startUserDataStream();
  const { listenKey } = await response.data();
  say('startUserDataStream():', listenKey);
  // The key's clock starts with the POST, so the keepalive timer does too.
  setInterval(() => {
    client.restAPI
      .keepaliveUserDataStream()
      .then(() => say('keepaliveUserDataStream(): ok'))
      .catch((error) => console.error('keepaliveUserDataStream() failed:', show(error)));
  }, keepaliveMs);
  const connection = await client.websocketStreams.connect();
  const stream = connection.userData(listenKey);
  stream.on('message', handle);
} catch (error) {
  console.error('user data stream failed:', show(error));
  process.exit(1);
}
