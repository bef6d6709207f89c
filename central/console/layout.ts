import { type Html, html } from './html.ts';
import { CONSOLE_LOCALES, type ConsoleKey } from './i18n.ts';
import type { View } from './view.ts';
import type { AdminRole } from './auth/users.ts';

export type NavItem =
  | 'reports'
  | 'devices'
  | 'codes'
  | 'uploads'
  | 'refused'
  | 'config'
  | 'users'
  | 'audit'
  | 'account'
  | 'units'
  | 'indicators'
  | 'reportSettings'
  | 'followUps'
  | 'bridgeSend'
  | 'bridgeKeys';

type NavEntry = {
  item: NavItem;
  path: string;
  key: ConsoleKey;
  adminOnly: boolean;
  /** Only these roles see the entry (follow-ups: never a unit viewer). */
  roles?: readonly AdminRole[];
};

const NAV: readonly NavEntry[] = [
  // Every role: leaders and unit viewers come for the figures (a unit viewer sees only their units').
  { item: 'reports', path: '/reports', key: 'nav.reports', adminOnly: false },
  {
    item: 'followUps',
    path: '/follow-ups',
    key: 'nav.followUps',
    adminOnly: false,
    roles: ['province_admin', 'follow_up_officer'],
  },
  {
    item: 'bridgeSend',
    path: '/bridge/send',
    key: 'nav.bridgeSend',
    adminOnly: false,
    roles: ['province_admin', 'counter_officer'],
  },
  { item: 'devices', path: '/devices', key: 'nav.devices', adminOnly: false },
  { item: 'codes', path: '/codes', key: 'nav.codes', adminOnly: true },
  { item: 'uploads', path: '/uploads', key: 'nav.uploads', adminOnly: true },
  { item: 'refused', path: '/refused', key: 'nav.refused', adminOnly: true },
  { item: 'config', path: '/config', key: 'nav.config', adminOnly: false },
  { item: 'users', path: '/users', key: 'nav.users', adminOnly: true },
  { item: 'units', path: '/units', key: 'nav.units', adminOnly: true },
  { item: 'indicators', path: '/indicators', key: 'nav.indicators', adminOnly: false },
  { item: 'reportSettings', path: '/report-settings', key: 'nav.reportSettings', adminOnly: true },
  { item: 'bridgeKeys', path: '/bridge/keys', key: 'nav.bridgeKeys', adminOnly: true },
  { item: 'audit', path: '/audit', key: 'nav.audit', adminOnly: true },
  { item: 'account', path: '/account', key: 'nav.account', adminOnly: false },
];

/** A hidden field with the session's CSRF token, for every form that changes something. */
export const csrfField = (ctx: View): Html =>
  html`<input type="hidden" name="_csrf" value="${ctx.session?.csrfToken ?? ''}">`;

const languageLinks = (ctx: View): Html => {
  const here = ctx.here;
  return html`<ul class="lang" aria-label="${ctx.t('nav.language')}">${CONSOLE_LOCALES.map(
    (l) =>
      html`<li><a href="${ctx.url(`/lang/${l}?next=${encodeURIComponent(here)}`)}" lang="${l}" hreflang="${l}"${l === ctx.locale ? html` aria-current="true"` : ''}>${ctx.t(`language.${l}`)}</a></li>`,
  )}</ul>`;
};

const header = (ctx: View, active: NavItem | undefined): Html => {
  const s = ctx.session;
  const nav = s
    ? html`<nav aria-label="${ctx.t('nav.label')}"><ul>${NAV.filter(
        (n) => (!n.adminOnly || s.role === 'province_admin') && (!n.roles || n.roles.includes(s.role)),
      ).map(
        (n) =>
          html`<li><a href="${ctx.url(n.path)}"${n.item === active ? html` aria-current="page"` : ''}>${ctx.t(n.key)}</a></li>`,
      )}</ul></nav>`
    : html``;
  const user = s
    ? html`<div class="user"><span data-testid="console-user">${s.displayName} (${ctx.t(`roles.${s.role}`)}${
        s.unitId ? html` · ${s.unitId}` : ''
      })</span>
        <form method="post" action="${ctx.url('/logout')}">${csrfField(ctx)}<button type="submit" class="link" data-testid="logout">${ctx.t('nav.logout')}</button></form></div>`
    : html``;
  return html`<header class="top"><a class="brand" href="${ctx.url('/devices')}">${ctx.t('app.title')}</a>${nav}${user}${languageLinks(ctx)}</header>`;
};

export const layout = (ctx: View, options: { title: string; body: Html; active?: NavItem }): Html => {
  const banner =
    ctx.session?.passwordIsInitial === true
      ? html`<p class="banner warn" role="status" data-testid="initial-password-banner">${ctx.t('account.initialBanner')} <a href="${ctx.url('/account')}">${ctx.t('account.changeNow')}</a></p>`
      : html``;
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${ctx.t('app.title')}</title>
<link rel="stylesheet" href="${ctx.url('/assets/console.css')}">
<script type="module" src="${ctx.url('/assets/console.js')}"></script>
</head>
<body>
<a class="skip" href="#main">${ctx.t('nav.skip')}</a>
${header(ctx, options.active)}
<main id="main">
${banner}
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>
`;
};

/** A message box: errors are announced (role=alert), notices politely. */
export const notice = (kind: 'error' | 'ok' | 'info', text: string | Html, testId?: string): Html =>
  html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}"${testId ? html` data-testid="${testId}"` : ''}>${text}</div>`;
