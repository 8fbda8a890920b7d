// The interactive API docs behind /?doc: everything comes from the live OpenAPI document at /?spec.
'use strict';

(function () {
  const catalogueExtension = 'x-eventstreams';
  const streamRoute = '/v2/stream/{streams}';
  let source = null;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function byId(id) { return document.getElementById(id); }

  function setStatus(text, isError) {
    const status = byId('try-status');
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  function resolveParameter(spec, parameter) {
    const ref = parameter && parameter.$ref;
    if (!ref) { return parameter; }
    const name = decodeURIComponent(ref.split('/').pop());
    return (spec.components && spec.components.parameters && spec.components.parameters[name]) || { name: name };
  }

  function renderOperations(spec) {
    const container = byId('operations');
    const path = spec.paths[streamRoute];
    if (!path) { container.textContent = 'The document has no stream route.'; return; }
    Object.keys(path).filter(function (m) { return ['get', 'post', 'put', 'delete'].indexOf(m) >= 0; }).forEach(function (method) {
      const op = path[method];
      const box = el('div', null, 'op');
      const title = el('div');
      title.appendChild(el('span', method.toUpperCase(), 'method'));
      title.appendChild(el('code', streamRoute));
      box.appendChild(title);
      box.appendChild(el('p', op.summary));
      if (op.description) { box.appendChild(el('p', op.description)); }
      const params = el('dl');
      (op.parameters || []).map(function (p) { return resolveParameter(spec, p); }).forEach(function (p) {
        params.appendChild(el('dt', p.name + ' (' + p.in + (p.required ? ', required' : '') + ')'));
        params.appendChild(el('dd', p.description || ''));
      });
      box.appendChild(params);
      const responses = el('dl');
      Object.keys(op.responses || {}).forEach(function (status) {
        let response = op.responses[status];
        if (response.$ref) {
          const name = response.$ref.split('/').pop();
          response = (spec.components.responses || {})[name] || {};
        }
        responses.appendChild(el('dt', status + ' ' + Object.keys(response.content || {}).join(', ')));
        responses.appendChild(el('dd', response.description || ''));
      });
      box.appendChild(el('strong', 'Responses'));
      box.appendChild(responses);
      container.appendChild(box);
    });
  }

  function catalogue(spec) {
    const streams = [];
    Object.keys(spec.paths).forEach(function (path) {
      const get = spec.paths[path].get;
      if (get && get[catalogueExtension]) { streams.push(get[catalogueExtension]); }
    });
    return streams.sort(function (a, b) { return a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0; });
  }

  function renderStreams(streams) {
    const body = byId('streams').querySelector('tbody');
    const picker = byId('try-streams');
    const plain = streams.filter(function (s) { return !s.error_validation && !s.alias_of; });
    const busiest = plain.filter(function (s) { return /recentchange$/.test(s.stream); });
    const defaultStream = (busiest[0] || plain[0] || streams[0] || {}).stream;
    streams.forEach(function (s) {
      const row = el('tr');
      const name = el('td');
      name.appendChild(el('code', s.stream));
      if (s.alias_of) { name.appendChild(el('div', 'alias of ' + s.alias_of, 'alias')); }
      row.appendChild(name);
      row.appendChild(el('td', s.description || ''));
      row.appendChild(el('td', s.schema_title || ''));
      row.appendChild(el('td', (s.topics || []).join(', ')));
      body.appendChild(row);

      const label = el('label');
      const box = el('input');
      box.type = 'checkbox';
      box.value = s.stream;
      box.checked = s.stream === defaultStream;
      label.appendChild(box);
      label.appendChild(document.createTextNode(' ' + s.stream));
      picker.appendChild(label);
    });
  }

  function stop(message) {
    if (source) { source.close(); source = null; }
    byId('try-open').disabled = false;
    byId('try-stop').disabled = true;
    if (message) { setStatus(message, false); }
  }

  function open(event) {
    event.preventDefault();
    stop();
    const names = Array.prototype.map.call(byId('try-streams').querySelectorAll('input:checked'), function (b) { return b.value; });
    if (names.length === 0) { setStatus('Pick at least one stream.', true); return; }
    const query = new URLSearchParams();
    const since = byId('try-since').value.trim();
    if (since) { query.append('since', since); }
    byId('try-filter').value.split(';').map(function (f) { return f.trim(); }).filter(Boolean).forEach(function (f) { query.append('filter', f); });
    const limit = Math.max(1, Math.min(100, parseInt(byId('try-count').value, 10) || 5));
    const url = 'v2/stream/' + names.map(encodeURIComponent).join(',') + (query.toString() ? '?' + query.toString() : '');
    byId('try-url').textContent = 'GET ' + new URL(url, document.baseURI).href;
    const list = byId('try-events');
    list.textContent = '';
    let received = 0;

    source = new EventSource(url);
    byId('try-open').disabled = true;
    byId('try-stop').disabled = false;
    setStatus('Connecting\u2026', false);
    source.onopen = function () { setStatus('Connected; waiting for events\u2026', false); };
    source.onmessage = function (e) {
      received += 1;
      const item = el('li');
      let text = e.data;
      try { text = JSON.stringify(JSON.parse(e.data), null, 2); } catch (ignored) { /* show it as it came */ }
      item.appendChild(el('div', 'id: ' + e.lastEventId));
      item.appendChild(el('pre', text));
      list.appendChild(item);
      if (received >= limit) { stop('Received ' + received + ' events; stream closed.'); }
      else { setStatus('Received ' + received + ' of ' + limit + ' events\u2026', false); }
    };
    source.onerror = function () {
      // EventSource hides the response body: a 4xx (bad since, unknown stream) only shows up as an error here.
      if (source && source.readyState === EventSource.CLOSED) {
        stop();
        setStatus('The server refused the request; open the request URL above to see why.', true);
      } else {
        setStatus('Connection lost; the browser is reconnecting\u2026', true);
      }
    };
  }

  function init() {
    byId('try-form').addEventListener('submit', open);
    byId('try-stop').addEventListener('click', function () { stop('Stopped.'); });
    fetch('?spec', { headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); })
      .then(function (spec) {
        byId('about').textContent = (spec.info.description || '') + ' Version ' + spec.info.version + '.';
        renderOperations(spec);
        renderStreams(catalogue(spec));
      })
      .catch(function (e) { byId('about').textContent = 'Could not load the API description: ' + e.message; byId('about').className = 'error'; });
  }

  document.addEventListener('DOMContentLoaded', init);
})();
