// JSON → YAML for reading (block style). Strings that YAML could read as something else are double-quoted,
// and a JSON string literal is a valid YAML double-quoted scalar.

const PLAIN = /^[A-Za-z_/$][\w ./:@+$-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

function scalar(value) {
  if (value === null) {
    return 'null';
  }
  if (typeof value !== 'string') {
    return String(value);
  }
  const plain = PLAIN.test(value) && !RESERVED.test(value) && !value.includes(': ') && !value.endsWith(':') && !value.endsWith(' ') && !value.includes(' #');
  return plain ? value : JSON.stringify(value);
}

function key(name) {
  return PLAIN.test(name) && !RESERVED.test(name) && !name.includes(': ') && !name.endsWith(' ') ? name : JSON.stringify(name);
}

function isEmpty(value) {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function emit(value, indent, out) {
  const pad = '  '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !isEmpty(item)) {
        const nested = [];
        emit(item, indent + 1, nested);
        out.push(`${pad}- ${nested[0].trimStart()}`, ...nested.slice(1));
      } else {
        out.push(`${pad}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
      }
    }
    return;
  }
  for (const [name, item] of Object.entries(value)) {
    if (item !== null && typeof item === 'object' && !isEmpty(item)) {
      out.push(`${pad}${key(name)}:`);
      emit(item, Array.isArray(item) ? indent : indent + 1, out);
    } else {
      out.push(`${pad}${key(name)}: ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
    }
  }
}

export function toYaml(value) {
  if (value === null || typeof value !== 'object') {
    return `${scalar(value)}\n`;
  }
  if (isEmpty(value)) {
    return Array.isArray(value) ? '[]\n' : '{}\n';
  }
  const out = [];
  emit(value, 0, out);
  return `${out.join('\n')}\n`;
}
