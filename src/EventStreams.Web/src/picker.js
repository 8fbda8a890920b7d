// The stream picker: search-as-you-type over the catalogue (name, description, schema title, topics), error-validation
// streams grouped apart, and the selected streams as removable chips.
import { isErrorStream } from './summary.js';
import { realStream } from './catalog.js';

export function matchStreams(catalog, query) {
  const q = query.trim().toLowerCase();
  return catalog.filter((s) => !q || `${s.name} ${s.description} ${s.schemaTitle} ${s.topics.join(' ')}`.toLowerCase().includes(q));
}

/**
 * What Enter in the search does: `pick` the exact name, else the only name that contains the query (null when none or
 * several do: `matches` says how many). An exact alias picks its stream (`alias` is then the alias typed): the real
 * stream is what events and their validation errors are named after.
 */
export function pickOnEnter(catalog, query) {
  const q = query.trim().toLowerCase();
  const matches = catalog.filter((s) => s.name.toLowerCase().includes(q));
  const exact = catalog.find((s) => s.name.toLowerCase() === q);
  if (exact) {
    const real = realStream(exact.name, catalog);
    return { pick: real === exact.name ? exact : catalog.find((s) => s.name === real), alias: real === exact.name ? null : exact.name, matches: matches.length };
  }
  return { pick: matches.length === 1 ? matches[0] : null, alias: null, matches: matches.length };
}

export function renderPicker({ container, message, chips, catalog, query, selected, onToggle, onErrors }) {
  container.replaceChildren();
  const matches = matchStreams(catalog, query);
  const groups = [
    ['Streams', matches.filter((s) => !s.errorValidation)],
    ['Validation errors', matches.filter((s) => s.errorValidation)],
  ];
  for (const [title, streams] of groups) {
    if (streams.length === 0) {
      continue;
    }
    const group = el('div', 'group');
    group.appendChild(el('h3', '', title));
    for (const s of streams) {
      group.appendChild(option(s, selected.includes(s.name), onToggle, onErrors, catalog.some((c) => c.errorValidation)));
    }
    container.appendChild(group);
  }
  message.textContent = catalog.length === 0
    ? 'No catalogue from the server. Type a stream name and press Enter.'
    : matches.length === 0 ? `No stream matches “${query.trim()}”.` : '';

  chips.replaceChildren();
  for (const name of selected) {
    const chip = el('button', `chip${isErrorStream(name) ? ' error' : ''}`, `${name} ✕`);
    chip.type = 'button';
    chip.title = `Remove ${name}`;
    chip.addEventListener('click', () => onToggle(name, false));
    chips.appendChild(chip);
  }
}

function option(s, checked, onToggle, onErrors, haveErrorStreams) {
  const row = el('div', 'stream-row');
  const label = el('label', `stream-option${s.errorValidation ? ' error' : ''}`);
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.value = s.name;
  box.checked = checked;
  box.setAttribute('aria-label', s.name);
  box.addEventListener('change', () => onToggle(s.name, box.checked));
  const text = document.createElement('div');
  const name = el('div', 'name', s.name);
  if (s.errorValidation) {
    name.appendChild(el('span', 'badge', 'validation errors'));
  }
  if (s.aliasOf) {
    name.appendChild(el('span', 'badge alias', `alias of ${s.aliasOf}`));
  }
  text.appendChild(name);
  if (s.description) {
    text.appendChild(el('div', 'description', s.description));
  }
  const facts = [s.schemaTitle && `schema ${s.schemaTitle}`, s.topics.length && `topics ${s.topics.join(', ')}`].filter(Boolean);
  if (facts.length > 0) {
    text.appendChild(el('div', 'facts-line', facts.join(' · ')));
  }
  label.append(box, text);
  row.appendChild(label);
  if (onErrors && haveErrorStreams && !s.errorValidation) {
    const errors = el('button', 'errors-link', 'errors');
    errors.type = 'button';
    errors.title = `Validation errors for ${s.name}: its rejected events, from an hour ago`;
    errors.setAttribute('aria-label', `Validation errors for ${s.name}`);
    errors.addEventListener('click', () => onErrors(s.name));
    row.appendChild(errors);
  }
  return row;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}
