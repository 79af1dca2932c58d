// The harness's side of every Node adapter: the client contract, once (docs/client-contract.md).
// Each adapter has its own node_modules, so this module needs nothing but Node; an adapter
// imports it as '../client_contract.mjs'. It holds what the contract asks of any client, not
// what an SDK does: the endpoints from the environment, the events file (one JSON line per
// reported event, on disk before the next one is handled) and an exit on the harness's SIGTERM
// (or Ctrl-C). adapters/client_contract.py is its Python twin.

import fs from 'node:fs';

const env = process.env;

// A variable the contract always sets (an URL's trailing slash removed); exit if unset.
export function required(name) {
  const value = env[name];
  if (!value) {
    console.error(`adapter: ${name} is not set (see docs/client-contract.md)`);
    process.exit(2);
  }
  return value.replace(/\/+$/, '');
}

// One of the contract's timers (seconds), or undefined when unset or not a positive number.
export function seconds(name) {
  const value = Number.parseFloat(env[name] ?? '');
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export function say(...parts) {
  console.log(new Date().toISOString(), ...parts);
}

const eventsFd = env.BINANCE_HARNESS_EVENTS_FILE ? fs.openSync(env.BINANCE_HARNESS_EVENTS_FILE, 'a') : null;

// Appends one event to BINANCE_HARNESS_EVENTS_FILE (nothing when the harness gives none).
// Synchronous: a line is on disk before the next event is handled, and nothing is left in a
// buffer when the harness ends the process.
export function record(event) {
  if (eventsFd !== null) {
    fs.writeSync(eventsFd, JSON.stringify(event) + '\n');
  }
}

function stop(signal) {
  say(`adapter: ${signal}, exiting`);
  if (eventsFd !== null) {
    fs.closeSync(eventsFd);
  }
  process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
