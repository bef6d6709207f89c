import { type Html, html } from '../../html.ts';
import { layout } from '../../layout.ts';
import type { View } from '../../view.ts';

/** The login form; `token` is the form's CSRF token (security.ts loginToken). */
export const loginView = (
  ctx: View,
  options: { token: string; message?: Html; username?: string; next?: string },
): Html =>
  layout(ctx, {
    title: ctx.t('login.title'),
    body: html`${options.message ?? ''}
<form method="post" action="${ctx.url('/login')}" class="card narrow" data-testid="login-form">
  <input type="hidden" name="_csrf" value="${options.token}">
  <input type="hidden" name="next" value="${options.next ?? ''}">
  <label for="username">${ctx.t('login.username')}</label>
  <input id="username" name="username" autocomplete="username" required maxlength="32" value="${options.username ?? ''}" autocapitalize="none" spellcheck="false">
  <label for="password">${ctx.t('login.password')}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
  <button type="submit" data-testid="login-submit">${ctx.t('login.submit')}</button>
</form>
<p class="hint">${ctx.t('login.hint')}</p>`,
  });
