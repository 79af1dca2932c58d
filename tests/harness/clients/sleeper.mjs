// The Node twin of sleeper.py: POST a listenKey, setTimeout(SLEEPER_SECONDS), PUT it once
// (tests/harness/test_time_factor.py). Node's own fetch, so no package is needed.
const base = process.env.BINANCE_HARNESS_REST_URL + '/fapi/v1/listenKey';
const headers = { 'X-MBX-APIKEY': process.env.BINANCE_HARNESS_API_KEY };
await (await fetch(base, { method: 'POST', headers })).text();
setTimeout(async () => {
  await (await fetch(base, { method: 'PUT', headers })).text();
  setInterval(() => {}, 1 << 30);
}, Number(process.env.SLEEPER_SECONDS) * 1000);
