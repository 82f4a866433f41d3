'use strict';
// Preload for `node -r` in front of node-red-dev (see scripts/scorecard.js).
//
// node-red-dev's validate command downloads the Flow Library catalogue
// (https://catalogue.nodered.org/catalogue.json) for two checks: P08 (similar package names) and
// N01 (node types already used by another package). This machine cannot reach that site, so this
// preload answers ONLY that one URL with an empty catalogue. Everything else the tool fetches
// (registry.npmjs.org for P06/P07, the dependency checks D02/D03) goes to the network as usual.
//
// node-red-dev uses its own copy of axios (0.21) with axios.get(url); every request goes through
// axios.defaults.adapter, so the adapter is wrapped: the catalogue URL gets a canned response,
// any other URL is handed to the original adapter untouched.
const path = require('node:path');

const CATALOGUE_URL = 'https://catalogue.nodered.org/catalogue.json';
const MARKER = '[offline-catalogue]';

function nodeRedDevAxios() {
  const libs = path.dirname(require.resolve('node-red-dev/src/libs/checkpackage.js'));
  return require(require.resolve('axios', { paths: [libs] }));
}

function emptyCatalogueResponse(config) {
  const body = { name: 'offline stand-in for the Node-RED catalogue', updated_at: new Date(), modules: [] };
  return {
    data: JSON.stringify(body),
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json' },
    config,
    request: {},
  };
}

function install() {
  const axios = nodeRedDevAxios();
  const original = axios.defaults.adapter;
  if (typeof original !== 'function') throw new Error(`${MARKER} axios has no default adapter to wrap`);
  axios.defaults.adapter = function offlineCatalogueAdapter(config) {
    if (config.url !== CATALOGUE_URL) return original(config);
    process.stdout.write(`${MARKER} answered GET ${CATALOGUE_URL} with an empty catalogue (offline)\n`);
    return Promise.resolve(emptyCatalogueResponse(config));
  };
}

install();
