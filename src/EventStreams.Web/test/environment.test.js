import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentColor, environmentText, pageTitle, fileLabel } from '../src/environment.js';
import { fileName } from '../src/download.js';
import { appRoot, appUrl } from '../src/paths.js';

test('production, beta and local environments get distinct fixed colours; others a stable colour of their own', () => {
  const production = environmentColor('production');
  const beta = environmentColor('beta');
  const local = environmentColor('local demo');
  assert.equal(new Set([production, beta, local]).size, 3);
  assert.equal(environmentColor('PRODUCTION'), production);
  assert.equal(environmentColor('staging'), beta);
  assert.equal(environmentColor('internal'), environmentColor('internal'));
  assert.notEqual(environmentColor('internal'), production);
  assert.equal(environmentColor(null), null);
});

test('the header text and title name the environment and, in upstream mode, the upstream', () => {
  const upstream = { environment: 'beta', upstream: 'https://stream.wikimedia.beta.wmcloud.org' };
  assert.equal(environmentText(upstream), 'beta · via https://stream.wikimedia.beta.wmcloud.org');
  assert.equal(pageTitle(upstream), '[beta] EventStreams (stream.wikimedia.beta.wmcloud.org)');
  assert.equal(pageTitle({ environment: null, upstream: 'https://localhost:4992 (as es.internal)' }), '[localhost:4992] EventStreams');
  assert.equal(pageTitle({ environment: 'local demo', upstream: null }), '[local demo] EventStreams');
  assert.equal(pageTitle({ environment: null, upstream: null }), 'EventStreams');
});

test('exported file names carry the environment and upstream host', () => {
  const now = new Date('2026-11-30T03:04:05.678Z');
  assert.equal(fileName(fileLabel({ environment: 'beta', upstream: 'https://stream.wikimedia.beta.wmcloud.org' }), 'ndjson', now),
    'eventstreams-beta-stream.wikimedia.beta.wmcloud.org-2026-11-30T030405Z.ndjson');
  assert.equal(fileName(fileLabel({ environment: 'local demo', upstream: null }), 'csv', now), 'eventstreams-local-demo-2026-11-30T030405Z.csv');
  assert.equal(fileName('', 'csv', now), 'eventstreams-2026-11-30T030405Z.csv');
});

test('API URLs are relative to the page: the root is whatever precedes /v2/ui', () => {
  assert.equal(appRoot('/v2/ui/'), '/');
  assert.equal(appRoot('/eventstreams/v2/ui/'), '/eventstreams/');
  assert.equal(appRoot('/a/b/v2/ui'), '/a/b/');
  assert.equal(appRoot('/'), '/');
  assert.equal(appUrl('?spec', '/eventstreams/v2/ui/'), '/eventstreams/?spec');
  assert.equal(appUrl('v2/stream/a,b', '/v2/ui/'), '/v2/stream/a,b');
});
