/**
 * The console's one script (served at <console>/assets/console.js, compiled from this file when the
 * server starts). It enhances the upload page (drag and drop, one request per file with a progress
 * line, a result row per file as the server words it) and wires the reports page's print button. Every text it shows comes from the
 * page (data-* attributes, already in the user's language) or the server's answer, and goes into
 * the page as text, never as markup.
 */

type View = { file: string; status: string; label: string; summary: string; detail: string };

const isView = (v: unknown): v is View => {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return ['file', 'status', 'label', 'summary', 'detail'].every((k) => typeof o[k] === 'string');
};

const fill = (template: string, vars: Record<string, string | number>): string =>
  template.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

const enhanceUpload = (form: HTMLFormElement): void => {
  const input = form.querySelector<HTMLInputElement>('input[type="file"]');
  const zone = document.getElementById('drop-zone');
  const submit = document.getElementById('upload-submit');
  const table = document.getElementById('upload-results');
  const tbody = table?.querySelector('tbody');
  const box = document.getElementById('upload-progress');
  const bar = box?.querySelector('progress');
  const status = box?.querySelector('[role="status"]');
  if (!input || !zone || !table || !tbody || !box || !bar || !status) return;
  const d = form.dataset;
  const msg = (key: string): string => d[key] ?? '';
  const maxBytes = Number(d['maxBytes']);
  if (submit) submit.hidden = true;

  const addRow = (v: View): void => {
    const tr = document.createElement('tr');
    tr.className = `result-${v.status}`;
    tr.setAttribute('data-testid', 'upload-result');
    tr.dataset['file'] = v.file;
    tr.dataset['status'] = v.status;
    const file = document.createElement('td');
    file.className = 'file';
    file.textContent = v.file;
    const result = document.createElement('td');
    const badge = document.createElement('span');
    badge.className = `badge ${v.status}`;
    badge.textContent = v.label;
    result.append(badge);
    const details = document.createElement('td');
    const small = document.createElement('small');
    small.textContent = v.detail;
    details.append(v.summary, document.createElement('br'), small);
    tr.append(file, result, details);
    tbody.append(tr);
  };

  const refused = (file: string, summary: string, detail = ''): View => ({
    file,
    status: 'rejected',
    label: msg('labelRejected'),
    summary,
    detail,
  });

  const uploadOne = async (file: File): Promise<View> => {
    // Refused here without sending a byte; the server refuses the same files the same way.
    if (!/\.kbatch$/i.test(file.name)) return refused(file.name, msg('msgWrongType'));
    if (file.size === 0) return refused(file.name, msg('msgEmpty'));
    if (file.size > maxBytes) return refused(file.name, msg('msgTooLarge'), `${file.size} > ${maxBytes}`);
    try {
      const res = await fetch(d['endpoint'] ?? '', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'application/octet-stream',
          accept: 'application/json',
          'x-csrf-token': d['csrf'] ?? '',
          'x-file-name': encodeURIComponent(file.name),
        },
        body: file,
      });
      const body: unknown = await res.json().catch(() => null);
      const view = body !== null && typeof body === 'object' ? (body as { view?: unknown }).view : undefined;
      if (res.ok && isView(view)) return view;
      const message =
        body !== null && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
          ? (body as { message: string }).message
          : msg('msgNetwork');
      return refused(file.name, message, `HTTP ${res.status}`);
    } catch {
      return refused(file.name, msg('msgNetwork'));
    }
  };

  let queue: Promise<void> = Promise.resolve();
  const uploadAll = (files: File[]): void => {
    if (files.length === 0) return;
    queue = queue.then(async () => {
      table.hidden = false;
      box.hidden = false;
      for (let i = 0; i < files.length; i++) {
        const file = files[i]!;
        status.textContent = fill(msg('msgProgress'), { done: i, total: files.length, file: file.name });
        bar.value = i / files.length;
        addRow(await uploadOne(file));
      }
      bar.value = 1;
      status.textContent = fill(msg('msgDone'), { total: files.length });
    });
  };

  input.addEventListener('change', () => {
    uploadAll([...(input.files ?? [])]);
    input.value = '';
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    uploadAll([...(input.files ?? [])]);
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    uploadAll([...(e.dataTransfer?.files ?? [])]);
  });
  // A file dropped beside the zone must not make the browser leave the page to open it.
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => e.preventDefault());
};

const form = document.getElementById('upload-form');
if (form instanceof HTMLFormElement) enhanceUpload(form);

// The reports page's "print" button: the CSP forbids an inline onclick, so it is wired here and shown
// only when this script runs (without it the page says to press Ctrl+P).
for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}

// The officer's display (/bridge/send): the counter's invitations refresh by themselves every 3 s.
for (const box of document.querySelectorAll<HTMLElement>('[data-refresh-url]')) {
  const url = box.dataset['refreshUrl'];
  if (!url) continue;
  setInterval(() => {
    fetch(url, { credentials: 'same-origin' })
      .then(async (res) => {
        if (res.ok) box.innerHTML = await res.text();
      })
      .catch(() => undefined);
  }, 3000);
}
