/**
 * The send page the LAN bridge serves at `/` (issue 11): the officer's own PC pairs with a code IT
 * shows on the kiosk, keeps its token in localStorage, then types or scans a case number, picks the
 * procedure and sends; the status of the last invitation refreshes by itself. Plain HTML and a
 * script without a framework, served as three files so the CSP needs no inline script or style.
 * Text from the kiosk is only ever set as textContent.
 */

export const SEND_PAGE_HTML = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mời đánh giá hồ sơ</title>
<link rel="stylesheet" href="/send.css">
<script src="/send.js" defer></script>
</head>
<body>
<header>
  <h1 id="title" data-t="title">Mời đánh giá hồ sơ</h1>
  <button type="button" id="lang" lang="en">English</button>
</header>
<main>
  <p id="notice" role="status" aria-live="polite"></p>
  <form id="pair" hidden>
    <h2 data-t="pairHeading">Ghép nối máy tính này với ki-ốt</h2>
    <p data-t="pairHelp">Cán bộ CNTT mở Quản trị trên ki-ốt, mục "Ghép nối máy tính quầy", và đọc mã 8 chữ số.</p>
    <label for="code" data-t="code">Mã ghép nối</label>
    <input id="code" name="code" inputmode="numeric" autocomplete="off" pattern="[0-9]{8}" maxlength="8" required>
    <label for="label" data-t="label">Tên máy này</label>
    <input id="label" name="label" maxlength="60" required>
    <button type="submit" data-t="pairButton">Ghép nối</button>
  </form>
  <form id="send" hidden>
    <h2 data-t="sendHeading">Gửi lời mời đánh giá</h2>
    <label for="counter" data-t="counter">Quầy</label>
    <select id="counter" name="counter" required></select>
    <label for="case" data-t="caseNumber">Mã hồ sơ</label>
    <input id="case" name="case" autocomplete="off" maxlength="40" required>
    <label for="procedure" data-t="procedure">Thủ tục</label>
    <select id="procedure" name="procedure" required></select>
    <label for="officer" data-t="officer">Mã cán bộ (không bắt buộc)</label>
    <input id="officer" name="officer" autocomplete="off" maxlength="32">
    <button type="submit" data-t="sendButton">Gửi đến ki-ốt</button>
    <section id="last" hidden aria-live="polite">
      <h3 data-t="lastHeading">Lời mời vừa gửi</h3>
      <p><span id="last-case"></span> — <strong id="last-status"></strong></p>
    </section>
    <p class="paired"><span data-t="pairedAs">Máy này đã ghép nối:</span> <span id="paired-label"></span>
      <button type="button" id="forget" data-t="forget">Bỏ ghép nối trên máy này</button></p>
  </form>
</main>
</body>
</html>
`;

export const SEND_PAGE_CSS = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f5f6f8; }
header { display: flex; justify-content: space-between; align-items: center; padding: 12px 20px; background: #0b4f8a; color: #fff; }
h1 { font-size: 1.3rem; margin: 0; }
main { max-width: 560px; margin: 20px auto; padding: 0 16px; }
form { display: grid; gap: 8px; background: #fff; padding: 20px; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
label { font-weight: 600; margin-top: 6px; }
input, select, button { font-size: 1.1rem; padding: 10px; border: 1px solid #767676; border-radius: 6px; }
button { cursor: pointer; background: #0b4f8a; color: #fff; border-color: #0b4f8a; }
header button, #forget { background: #fff; color: #0b4f8a; font-size: 0.95rem; padding: 6px 10px; }
#notice { min-height: 1.4em; font-weight: 600; }
#notice.error { color: #a40000; }
#last { border-top: 1px solid #ddd; margin-top: 10px; padding-top: 6px; }
.paired { font-size: 0.9rem; color: #444; }
`;

export const SEND_PAGE_JS = `'use strict';
(() => {
  const TEXT = {
    vi: {
      title: 'Mời đánh giá hồ sơ', pairHeading: 'Ghép nối máy tính này với ki-ốt',
      pairHelp: 'Cán bộ CNTT mở Quản trị trên ki-ốt, mục "Ghép nối máy tính quầy", và đọc mã 8 chữ số.',
      code: 'Mã ghép nối', label: 'Tên máy này', pairButton: 'Ghép nối', sendHeading: 'Gửi lời mời đánh giá',
      counter: 'Quầy', caseNumber: 'Mã hồ sơ', procedure: 'Thủ tục', officer: 'Mã cán bộ (không bắt buộc)',
      sendButton: 'Gửi đến ki-ốt', lastHeading: 'Lời mời vừa gửi', pairedAs: 'Máy này đã ghép nối:',
      forget: 'Bỏ ghép nối trên máy này', paired: 'Đã ghép nối. Máy này có thể gửi lời mời.',
      sent: 'Đã gửi đến ki-ốt.', unpaired: 'Máy này chưa được ghép nối (hoặc đã bị thu hồi). Hãy ghép nối lại.',
      no_code: 'Không có mã ghép nối nào đang mở. Hãy tạo mã mới trên ki-ốt.',
      wrong_code: 'Mã ghép nối không đúng. Còn {n} lần thử.',
      rate_limited: 'Gửi quá nhanh. Hãy thử lại sau ít giây.', network: 'Không kết nối được với ki-ốt.',
      unknown_procedure: 'Ki-ốt không có thủ tục này.', unknown_counter: 'Ki-ốt không có quầy này.',
      invalid_request: 'Thông tin chưa hợp lệ: {fields}', other: 'Ki-ốt từ chối: {message}',
      status_waiting: 'đang chờ', status_delivered: 'đang chờ công dân đánh giá', status_answered: 'công dân đã đánh giá',
      status_expired: 'đã hết hạn', status_replaced: 'đã được thay bằng lời mời sau', status_refused: 'ki-ốt từ chối',
      switchTo: 'English',
    },
    en: {
      title: 'Invite a case rating', pairHeading: 'Pair this PC with the kiosk',
      pairHelp: 'IT opens Admin on the kiosk, section "Pair counter PCs", and reads out the 8-digit code.',
      code: 'Pairing code', label: 'Name of this PC', pairButton: 'Pair', sendHeading: 'Send a rating invitation',
      counter: 'Counter', caseNumber: 'Case number', procedure: 'Procedure', officer: 'Officer id (optional)',
      sendButton: 'Send to the kiosk', lastHeading: 'Last invitation', pairedAs: 'This PC is paired as:',
      forget: 'Unpair this PC', paired: 'Paired. This PC can send invitations.',
      sent: 'Sent to the kiosk.', unpaired: 'This PC is not paired (or was revoked). Pair it again.',
      no_code: 'No pairing code is open. Show a new one on the kiosk.',
      wrong_code: 'Wrong pairing code. {n} tries left.',
      rate_limited: 'Too fast. Try again in a few seconds.', network: 'The kiosk cannot be reached.',
      unknown_procedure: 'The kiosk does not have this procedure.', unknown_counter: 'The kiosk has no such counter.',
      invalid_request: 'Please check: {fields}', other: 'The kiosk refused: {message}',
      status_waiting: 'waiting', status_delivered: 'waiting for the citizen', status_answered: 'answered by the citizen',
      status_expired: 'expired', status_replaced: 'replaced by a later invitation', status_refused: 'refused by the kiosk',
      switchTo: 'Tiếng Việt',
    },
  };
  const FINAL = ['answered', 'expired', 'replaced', 'refused'];
  const KEY = 'lanBridge';
  const $ = (id) => document.getElementById(id);
  let lang = localStorage.getItem(KEY + '.lang') === 'en' ? 'en' : 'vi';
  let procedures = [];
  let poll = null;
  let last = null;
  const t = (k, vars) => String(TEXT[lang][k] ?? k).replace(/\\{(\\w+)\\}/g, (_, v) => String((vars || {})[v] ?? ''));
  const saved = () => { try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch { return null; } };
  const notice = (text, isError) => { const n = $('notice'); n.textContent = text; n.className = isError ? 'error' : ''; };

  const paint = () => {
    document.documentElement.lang = lang;
    document.title = t('title');
    for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
    $('lang').textContent = t('switchTo');
    $('lang').lang = lang === 'vi' ? 'en' : 'vi';
    const sel = $('procedure');
    const chosen = sel.value;
    sel.replaceChildren(...procedures.map((p) => {
      const o = document.createElement('option');
      o.value = p.code;
      o.textContent = p.code + ' — ' + (p.name[lang] || p.name.vi || p.code);
      return o;
    }));
    if (chosen) sel.value = chosen;
    if (last) { $('last-case').textContent = last.caseNumber; $('last-status').textContent = t('status_' + last.status); }
  };

  const api = async (method, path, body) => {
    const s = saved();
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (s && s.token) headers.authorization = 'Bearer ' + s.token;
    let res;
    try { res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }); }
    catch { return { ok: false, status: 0, body: { error: 'network' } }; }
    let json = {};
    try { json = await res.json(); } catch { json = {}; }
    return { ok: res.ok, status: res.status, body: json };
  };

  const explain = (r) => {
    const e = r.body || {};
    if (r.status === 401 && e.error === 'unauthorized') return t('unpaired');
    if (e.error === 'wrong_code') return t('wrong_code', { n: e.attemptsLeft ?? 0 });
    if (e.error === 'invalid_request') return t('invalid_request', { fields: (e.issues || []).map((i) => i.path).join(', ') });
    if (TEXT[lang][e.error]) return t(e.error);
    return t('other', { message: e.message || r.status });
  };

  const showPair = (message) => {
    localStorage.removeItem(KEY);
    $('send').hidden = true; $('pair').hidden = false;
    if (message) notice(message, true);
    $('code').focus();
  };

  const showSend = async () => {
    const r = await api('GET', '/procedures');
    if (r.status === 401) return showPair(t('unpaired'));
    if (!r.ok) return notice(explain(r), true);
    procedures = r.body.procedures;
    const counters = $('counter');
    counters.replaceChildren(...r.body.counters.map((c) => {
      const o = document.createElement('option'); o.value = c.id; o.textContent = c.name; return o;
    }));
    const s = saved();
    if (s.counterId) counters.value = s.counterId;
    $('paired-label').textContent = s.label;
    $('pair').hidden = true; $('send').hidden = false;
    paint();
    $('case').focus();
  };

  const follow = (id) => {
    if (poll) clearInterval(poll);
    poll = setInterval(async () => {
      const r = await api('GET', '/invitations/' + id);
      if (r.status === 401) { clearInterval(poll); return showPair(t('unpaired')); }
      if (!r.ok) return;
      last.status = r.body.status; paint();
      if (FINAL.includes(r.body.status)) clearInterval(poll);
    }, 2000);
  };

  $('pair').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await api('POST', '/pair', { code: $('code').value.trim(), label: $('label').value.trim() });
    if (!r.ok) return notice(explain(r), true);
    localStorage.setItem(KEY, JSON.stringify({ token: r.body.token, clientId: r.body.clientId, label: r.body.label }));
    $('code').value = '';
    notice(t('paired'), false);
    await showSend();
  });

  $('send').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { counterId: $('counter').value, caseNumber: $('case').value.trim(), procedureCode: $('procedure').value };
    const officer = $('officer').value.trim();
    if (officer) body.officerId = officer;
    const r = await api('POST', '/invitations', body);
    if (r.status === 401) return showPair(t('unpaired'));
    if (!r.ok) return notice(explain(r), true);
    const s = saved(); s.counterId = body.counterId; localStorage.setItem(KEY, JSON.stringify(s));
    last = { id: r.body.invitation.id, caseNumber: body.caseNumber, status: r.body.status };
    $('last').hidden = false;
    notice(t('sent'), false);
    paint();
    $('case').value = '';
    $('case').focus();
    if (!FINAL.includes(last.status)) follow(last.id);
  });

  $('forget').addEventListener('click', () => { if (poll) clearInterval(poll); showPair(''); notice('', false); });
  $('lang').addEventListener('click', () => { lang = lang === 'vi' ? 'en' : 'vi'; localStorage.setItem(KEY + '.lang', lang); paint(); });

  paint();
  if (saved() && saved().token) void showSend(); else showPair('');
})();
`;
