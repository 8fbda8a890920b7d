// Named views saved in this browser (localStorage): a name and the URL hash that holds the view.

const KEY = 'eventstreams.views.v1';

export function loadViews() {
  try {
    const views = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(views) ? views.filter((v) => typeof v?.name === 'string' && typeof v?.hash === 'string') : [];
  } catch {
    return [];
  }
}

export function saveView(name, hash) {
  const views = loadViews().filter((v) => v.name !== name);
  views.push({ name, hash });
  views.sort((a, b) => a.name.localeCompare(b.name));
  localStorage.setItem(KEY, JSON.stringify(views));
  return views;
}

export function deleteView(name) {
  const views = loadViews().filter((v) => v.name !== name);
  localStorage.setItem(KEY, JSON.stringify(views));
  return views;
}
