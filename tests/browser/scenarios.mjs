// The web interface's main scenarios in Debian's Chromium, driven by playwright-core against a
// real pocd on a fresh demo database: log in, find a state, send a request, acknowledge and
// reply as the other state, answer a ping by its link, Arabic right to left, a bad phone
// number's message next to its field. Screenshots of each main page go to tests/out/browser.
// Prints TAP ("ok N - name"), which scripts/test.sh counts.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const POCD = process.env.POCD_BIN || 'build/pocd';
const OUT = process.env.BROWSER_OUT || 'tests/out/browser';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const dir = mkdtempSync(join(tmpdir(), 'pocd-browser-'));
const db = join(dir, 'pocd.db');
execFileSync(POCD, ['init', '--db', db, '--demo', '--test'], { stdio: 'ignore' });
const creds = JSON.parse(readFileSync(`${db}.credentials.json`, 'utf8'));
const account = (who) => (who === 'secretariat' ? creds.secretariat
  : creds.states[who.split('/')[0]][who.split('/')[1]]);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const pocd = spawn(POCD, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--quiet',
  '--rate-limit', '0'], { stdio: ['ignore', 'ignore', 'inherit'] });
for (let i = 0; i < 200; i++) {
  try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
  await new Promise((r) => setTimeout(r, 50));
}

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: '/usr/bin/chromium', args: FLAGS, headless: true,
  viewport: { width: 1200, height: 900 },
});
const page = browser.pages()[0] || await browser.newPage();
page.setDefaultTimeout(15000);

const field = (name) => page.locator(`main [data-field="${name}"] :is(input, select, textarea)`);
const button = (text) => page.locator('main button, main a.button', { hasText: text }).first();
// The interface's strict CSP forbids eval, so waits use locators, not page functions.
const ready = () => page.locator('#main[aria-busy="false"]').waitFor({ state: 'attached' });
const status = (text) => page.locator('#status', { hasText: text }).waitFor();
const shot = (name) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
const expect = (cond, what) => { if (!cond) throw new Error(what); };

async function login(who) {
  const c = account(who);
  await page.goto(`${base}/login`);
  await field('username').fill(c.username);
  await field('password').fill(c.password);
  await page.locator('main form button[type=submit]').click();
  await page.waitForURL((u) => u.pathname !== '/login');
  await ready();
  await page.locator('#logout').waitFor();
}

async function logout() {
  await page.locator('#logout').click();
  await page.waitForURL((u) => u.pathname === '/login');
}

async function api(method, path, who, body) {
  const c = account(who);
  const t = await (await fetch(`${base}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: c.username, password: c.password }),
  })).json();
  const r = await fetch(`${base}${path}`, {
    method, headers: { Authorization: `Bearer ${t.token}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return r.json();
}

let cid;
const scenarios = [
  ['log in by the form, then log out', async () => {
    await login('FRA/officer');
    await shot('directory');
    await logout();
    await shot('login');
  }],
  ['find a state and its card', async () => {
    await login('FRA/officer');
    await field('filter').fill('germ');
    await page.locator('main ul.states a[href="/directory?state=DEU"]').click();
    await page.waitForURL((u) => u.search === '?state=DEU');
    await page.locator('main article.poc').first().waitFor();
    expect((await page.locator('main').innerText()).includes('Germany (DEU)'), 'no Germany');
    await shot('state-card');
    await logout();
  }],
  ['send a request as one state', async () => {
    await login('JPN/officer');
    await page.goto(`${base}/compose`);
    await ready();
    await field('type').selectOption('request_information');
    await field('urgency').selectOption('urgent');
    await field('tlp').selectOption('GREEN');
    await page.locator('#pick-state').selectOption('KEN');
    await button('Add recipient').click();
    await page.locator('main .recipient[data-state="KEN"]').waitFor();
    await field('subject').fill('Scanning from a shared host');
    await field('description').fill('We see scans of our registry.\nCan you tell us more?');
    await shot('compose');
    await button('Send').click();
    await page.waitForURL((u) => u.pathname === '/thread');
    cid = new URL(page.url()).searchParams.get('id');
    expect((await page.locator('main ul.recipients').innerText()).includes('Sent'), 'not sent');
    await logout();
  }],
  ['acknowledge and reply as the other', async () => {
    await login('KEN/officer');
    await page.goto(`${base}/communications`);
    await page.locator(`main a[href="/thread?id=${cid}"]`).click();
    await page.waitForURL((u) => u.pathname === '/thread');
    await shot('inbox-thread');
    await button('Acknowledge receipt').click();
    await status('Receipt acknowledged');
    await field('text').fill('We are looking at it.');
    await button('Send reply').click();
    await status('Reply sent');
    expect((await page.locator('main ul.recipients').innerText()).includes('Answered'),
      'not answered');
    await shot('thread');
    await logout();
    const doc = await api('GET', `/api/v1/communications/${cid}`, 'JPN/officer');
    expect(doc.recipients[0].status === 'answered', `status ${doc.recipients[0].status}`);
  }],
  ['answer a ping by its link, without logging in', async () => {
    const c = await api('POST', '/api/v1/ping-campaigns', 'secretariat',
      { scope: ['RUS'], kinds: ['technical'] });
    const row = execFileSync('/usr/bin/python3', ['-c', `
import json, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for (p,) in db.execute("SELECT payload FROM outbox WHERE kind = 'ping'"):
    p = json.loads(p)
    if p["campaign"] == sys.argv[2]:
        print(json.dumps(p))
        break`, db, c.id]).toString();
    const link = JSON.parse(row);
    await page.goto(`${base}${link.link}`);
    await field('challenge').fill(link.challenge.toLowerCase());
    await shot('ping-link');
    await button('Send answer').click();
    const res = page.locator('main .result.ok');
    await res.waitFor();
    expect((await res.innerText()).includes('your answer is recorded'), 'not recorded');
  }],
  ['Arabic is right to left and translated', async () => {
    const ar = JSON.parse(readFileSync('web/i18n/ar.json', 'utf8'));
    await page.goto(`${base}/login?lang=ar`);
    await ready();
    const [lang, dirAttr] = await page.evaluate(
      () => [document.documentElement.lang, document.documentElement.dir]);
    expect(lang === 'ar' && dirAttr === 'rtl', `${lang} ${dirAttr}`);
    expect((await page.locator('main h1').innerText()) === ar['login.title'], 'title');
    await login('EGY/officer');
    expect((await page.locator('main').innerText()).includes('مصر'), 'no Arabic state name');
    await shot('directory-ar');
    await logout();
    await page.goto(`${base}/login?lang=en`);
  }],
  ['a bad phone number is shown next to its field', async () => {
    await login('EGY/admin');
    await page.goto(`${base}/my-state`);
    await button('Add a point of contact').click();
    await page.locator('main form.poc-form').waitFor();
    await field('kind').selectOption('technical');
    await field('rank').selectOption('alternate');
    await field('organisation').fill('EG-CERT night desk (fictional)');
    await field('role_title').fill('Duty officer');
    await field('email').fill('night@egcert.example');
    await field('phones').fill('+20 2 1234');
    await field('languages').fill('ar, en');
    await field('time_zone').fill('Africa/Cairo');
    await button('Save').click();
    const err = page.locator('main [data-field="phones"] > .error');
    await err.waitFor();
    expect((await err.innerText()).includes('E.164'), await err.innerText());
    expect((await field('phones').getAttribute('aria-invalid')) === 'true', 'aria-invalid');
    await shot('poc-validation');
    await logout();
  }],
];

let failed = 0;
console.log(`1..${scenarios.length}`);
for (const [i, [name, fn]] of scenarios.entries()) {
  try {
    await fn();
    console.log(`ok ${i + 1} - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${i + 1} - ${name}`);
    console.log(`# ${String(e.message || e).split('\n').join('\n# ')}`);
    await shot(`failed-${i + 1}`).catch(() => {});
    await page.goto(`${base}/login`).catch(() => {});
  }
}
await browser.close();
pocd.kill('SIGTERM');
const code = await new Promise((r) => pocd.on('exit', (c) => r(c)));
// A sanitizer report (the ASan build under make test) makes pocd exit non-zero.
if (code !== 0)
  console.log(`# pocd exited with ${code}`);
rmSync(dir, { recursive: true, force: true });
process.exit(failed || code !== 0 ? 1 : 0);
