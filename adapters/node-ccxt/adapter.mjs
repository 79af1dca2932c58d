// Adapter: the npm package `ccxt` (ccxt.pro), pinned in package-lock.json, put under the
// binance-stream-harness. USD-M futures user data stream through ccxt's unified streaming API,
// as its manual shows: `new ccxt.pro.binanceusdm({...})` and a real-time tick loop
// `while (true) { try { await exchange.watchOrders () } catch (e) { console.log (e) } }`, where
// the next watchOrders() after an error is what reconnects. ccxt creates the listenKey itself
// (authenticate(), js/src/pro/binance.js:2966-3076) and keeps it alive (keepAliveListenKey(),
// :3077-3197). The Python twin is adapters/python-ccxt/adapter.py (same ccxt version).
//
// Pointed at the fake by ccxt's OWN configuration, no patch:
//   - `urls.api`: ccxt's table of base URLs, which users override (it is what setSandboxMode
//     swaps). Every entry is moved to the fake with its path kept: `https://fapi.binance.com/
//     fapi/v1` -> `${BINANCE_HARNESS_REST_URL}/fapi/v1`, `wss://fstream.binance.com/ws` ->
//     `${BINANCE_HARNESS_WS_URL}/ws`, so nothing can leave loopback. ccxt turns the `future`
//     WebSocket base into `.../private/ws?listenKey=<key>` (getWsUrl(), getPrivateWsUrl(),
//     js/src/pro/binance.js:255-292).
// Everything ccxt asks on its way goes to the fake: loadMarkets() (which watchOrders() calls
// first) reads the spot wallet's coins and margin pairs (`GET /sapi/v1/capital/config/getall`,
// `/sapi/v1/margin/allPairs`, js/src/binance.js:3168-3191) before `GET /fapi/v1/exchangeInfo`,
// and the first watchOrders() loads a positions snapshot (`GET /fapi/v1/leverageBracket`,
// `/fapi/v3/positionRisk`; option `watchPositions.fetchPositionsSnapshot`, on by default).
// Over TLS (`tls: true` scenarios) Node itself reads NODE_EXTRA_CA_CERTS, set by the harness.
//
// Timers: scenarios shorten time, and the contract says by how much. ccxt's documented
// streaming options are set from it, as a user tuning them would: `streaming.keepAlive` (ping
// period, binance's default 180 s, js/src/pro/binance.js:129-131) from
// BINANCE_HARNESS_CLIENT_PING_INTERVAL, and `streaming.maxPingPongMisses` (default 2,
// js/src/base/ws/Client.js:55-56) so that a pong missing for the contract's interval plus timeout
// ends the connection (onPingInterval(), Client.js:162-207); the exchange option
// `listenKeyRefreshRate` (default 20 min, js/src/pro/binance.js:196) from
// BINANCE_HARNESS_KEEPALIVE_INTERVAL. Everything else is ccxt's default (including its dial
// backoff, calculateWsBackoffDelay(), js/src/base/Exchange.js:1461-1499).
//
// What it reports: the raw event (as Binance sent it, `e` and `E` included) of every account
// event that ccxt hands to one of its own handlers, by extending the two handlers in a subclass
// (calling them first, then recording): handleOrderUpdate (ORDER_TRADE_UPDATE, what
// watchOrders() returns, parsed into unified orders whose `info` is only the inner `o` object,
// without `E`) and handleAcountUpdate (ACCOUNT_UPDATE, which feeds the balance and positions
// caches that watchOrders() arms on the same connection, js/src/pro/binance.js:4363-4364).
// Events ccxt has no handler for (handleMessage()'s table, js/src/pro/binance.js:5710-5752) are not
// reported: ccxt drops them. ccxt's exceptions are printed by the loop (their text carries
// Binance's code and msg); BINANCE_ADAPTER_TRACE=1 sets ccxt's `verbose`.
//
// Run: node adapters/node-ccxt/adapter.mjs   (after `npm ci` here, see adapters/install.py)

import ccxt from 'ccxt';

import { record, required, say, seconds } from '../client_contract.mjs';

const env = process.env;
const restUrl = required('BINANCE_HARNESS_REST_URL');
const wsUrl = required('BINANCE_HARNESS_WS_URL');

function reported(message) {
  return message !== null && typeof message === 'object' && 'e' in message;
}

// ccxt's base URL table with every base moved to the fake (same paths).
const ORIGIN = /^[a-z]+:\/\/[^/]+/;
function pointedAt(urls) {
  if (typeof urls === 'string') {
    return urls.replace(ORIGIN, /^wss?:/.test(urls) ? wsUrl : restUrl);
  }
  if (urls !== null && typeof urls === 'object') {
    return Object.fromEntries(Object.entries(urls).map(([key, value]) => [key, pointedAt(value)]));
  }
  return urls;
}

// ccxt's binanceusdm, unchanged, telling the harness which raw events its handlers took.
class RecordingBinanceusdm extends ccxt.pro.binanceusdm {
  handleOrderUpdate(client, message) {
    const result = super.handleOrderUpdate(client, message);
    if (reported(message)) {
      record(message);
    }
    return result;
  }

  handleAcountUpdate(client, message) { // ccxt's spelling
    const result = super.handleAcountUpdate(client, message);
    if (reported(message)) {
      record(message);
    }
    return result;
  }
}

const options = {};
const streaming = {};
const keepalive = seconds('BINANCE_HARNESS_KEEPALIVE_INTERVAL');
if (keepalive !== undefined) {
  options.listenKeyRefreshRate = Math.round(keepalive * 1000);
}
const interval = seconds('BINANCE_HARNESS_CLIENT_PING_INTERVAL');
if (interval !== undefined) {
  streaming.keepAlive = Math.round(interval * 1000);
  const timeout = seconds('BINANCE_HARNESS_CLIENT_PING_TIMEOUT');
  if (timeout !== undefined) {
    streaming.maxPingPongMisses = (interval + timeout) / interval;
  }
}

const exchange = new RecordingBinanceusdm({
  apiKey: env.BINANCE_HARNESS_API_KEY,
  secret: env.BINANCE_HARNESS_API_SECRET,
  urls: { api: pointedAt(new ccxt.pro.binanceusdm().urls.api) },
  options,
  streaming,
  verbose: env.BINANCE_ADAPTER_TRACE === '1',
});

// ccxt in Node refuses a plain `ws://` URL until its HTTP agent is loaded, and says so:
// "to use proxy with non-ssl ws:// urls, at first run `await exchange.loadHttpProxyAgent()`"
// (getHttpAgentIfNeeded(), js/src/base/Exchange.js:555-563). The fake serves `ws://` unless the
// scenario asks for TLS, so the adapter makes that documented call once, as the message says.
if (wsUrl.startsWith('ws://')) {
  await exchange.loadHttpProxyAgent();
}

// The manual's real-time tick loop.
for (;;) {
  try {
    const orders = await exchange.watchOrders();
    for (const order of orders.slice(-1)) {
      say('order:', order.id, order.status, order.symbol);
    }
  } catch (e) {
    say(`${e.constructor.name}: ${e.message}`);
  }
}
