import { expect } from '@playwright/test';
import { consoleLogin, noSeriousA11yIssues as noSerious, test } from './support/central-process.ts';

// The lockout test logs in with the account the first test creates.
test.describe.configure({ mode: 'serial' });

test('the first admin logs in with the printed demo account, creates an account, and the pages pass axe', async ({
  page,
  central,
}) => {
  expect(central.admin).toEqual({ username: 'admin', password: 'khaosat-demo-2026' });
  expect(central.log()).toMatch(/web console: http:\/\/127\.0\.0\.1:\d+\/console\//);
  await page.goto(`${central.url}/console/`);
  await expect(page).toHaveURL(/\/console\/login\?required=1/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await noSerious(page, 'login');
  await consoleLogin(page, central, 'admin', 'khaosat-demo-2026');
  await expect(page.getByTestId('initial-password-banner')).toBeVisible();
  await noSerious(page, 'devices');

  await page.getByRole('link', { name: 'Tài khoản', exact: true }).click();
  await page.getByLabel('Tên đăng nhập').fill('it-khoa');
  await page.getByLabel('Tên hiển thị').fill('IT thử khóa');
  await page.getByLabel('Vai trò', { exact: true }).selectOption('province_admin');
  await page.getByLabel('Mật khẩu (ít nhất 10 ký tự)').fill('mật khẩu đúng 2026');
  await page.getByLabel('Nhập lại mật khẩu').fill('mật khẩu đúng 2026');
  await page.getByTestId('user-submit').click();
  await expect(page.getByTestId('users-message')).toContainText('it-khoa');
  await expect(page.locator('[data-testid="user-row"][data-user="it-khoa"]')).toBeVisible();
  await noSerious(page, 'users');

  for (const [link, screen] of [
    ['Mã ghi danh', 'codes'],
    ['Nạp tệp .kbatch', 'uploads'],
    ['Phản hồi bị từ chối', 'refused'],
    ['Cấu hình', 'config'],
    ['Nhật ký', 'audit'],
    ['Tài khoản của tôi', 'account'],
  ] as const) {
    await page.getByRole('link', { name: link, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await noSerious(page, screen);
  }
  // An issued code is shown once, big, with the command to use it.
  await page.getByRole('link', { name: 'Mã ghi danh', exact: true }).click();
  await page.getByTestId('code-submit').click();
  await expect(page.getByTestId('issued-code')).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await noSerious(page, 'code issued');

  // English, then back.
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enrolment codes');
  await noSerious(page, 'codes (en)');
  await page.getByRole('link', { name: 'Tiếng Việt' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');

  await page.getByTestId('logout').click();
  await expect(page.getByTestId('login-message')).toContainText('Đã đăng xuất');
  await page.goto(`${central.url}/console/devices`);
  await expect(page).toHaveURL(/\/console\/login/);
});

test('five wrong passwords lock the account: even the right password is refused, and the lock is in the audit log', async ({
  page,
  central,
}) => {
  const attempt = async (password: string) => {
    await page.getByLabel('Tên đăng nhập').fill('it-khoa');
    await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
    await page.getByTestId('login-submit').click();
  };
  await page.goto(`${central.url}/console/login`);
  for (let i = 1; i <= 4; i++) {
    await attempt(`sai mật khẩu ${i}`);
    await expect(page.getByTestId('login-error')).toHaveText('Tên đăng nhập hoặc mật khẩu không đúng.');
  }
  await attempt('sai mật khẩu 5');
  await expect(page.getByTestId('login-error')).toContainText('tạm bị khóa');
  await attempt('mật khẩu đúng 2026');
  await expect(page.getByTestId('login-error')).toContainText('tạm bị khóa');
  await expect(page.getByTestId('console-user')).toHaveCount(0);

  // The province admin sees it, and lifts it.
  await consoleLogin(page, central, 'admin', 'khaosat-demo-2026');
  await page.goto(`${central.url}/console/audit`);
  await expect(page.locator('[data-testid="audit-row"][data-action="account_locked"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="audit-row"][data-action="login_locked"]')).toHaveCount(1);
  await page.goto(`${central.url}/console/users`);
  const row = page.locator('[data-testid="user-row"][data-user="it-khoa"]');
  await expect(row).toHaveAttribute('data-state', 'locked');
  await row.getByTestId('user-unlock').click();
  await expect(page.getByTestId('users-message')).toContainText('it-khoa');
  await page.getByTestId('logout').click();
  await consoleLogin(page, central, 'it-khoa', 'mật khẩu đúng 2026');
  await expect(page.getByTestId('console-user')).toContainText('IT thử khóa');
});
