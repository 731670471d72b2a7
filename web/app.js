// The web interface: boots the language and the session, draws the navigation, and routes
// the page's path to its view. Pages are real paths that pocd serves as this same file
// (src/api/web.c lists them), so links and reloads work.
import * as api from './lib/api.js';
import { h, clear } from './lib/dom.js';
import * as i18n from './lib/i18n.js';
import { t } from './lib/i18n.js';

// path -> [module, who may see it]; 'public' pages need no login.
export const ROUTES = {
  '/': ['./views/home.js', 'public'],
  '/login': ['./views/login.js', 'public'],
  '/enrol': ['./views/enrol.js', 'public'],
  '/reset': ['./views/reset.js', 'public'],
  '/ping': ['./views/ping_link.js', 'public'],
  '/ack': ['./views/ack_link.js', 'public'],
  '/verify': ['./views/verify.js', 'public'],
  '/directory': ['./views/directory.js', 'any'],
  '/my-state': ['./views/my_state.js', 'state_admin'],
  '/communications': ['./views/communications.js', 'state'],
  '/compose': ['./views/compose.js', 'state'],
  '/thread': ['./views/thread.js', 'state'],
  '/pings': ['./views/pings.js', 'state'],
  '/campaigns': ['./views/campaigns.js', 'secretariat'],
  '/states': ['./views/states.js', 'secretariat'],
  '/account': ['./views/account.js', 'any'],
  '/broadcasts': ['./views/broadcasts.js', 'any'],
  '/responsiveness': ['./views/responsiveness.js', 'any'],
};

const NAV = [
  ['/directory', 'nav.directory', 'any'],
  ['/my-state', 'nav.my_state', 'state_admin'],
  ['/communications', 'nav.communications', 'state'],
  ['/pings', 'nav.pings', 'state'],
  ['/states', 'nav.states', 'secretariat'],
  ['/campaigns', 'nav.campaigns', 'secretariat'],
  ['/responsiveness', 'nav.responsiveness', 'any'],
  ['/broadcasts', 'nav.broadcasts', 'any'],
  ['/account', 'nav.account', 'any'],
];

function allowed(who, path) {
  const me = api.me;
  if (who === 'public') return true;
  if (!me) return false;
  if (api.mustEnrol()) return path === '/account';
  if (who === 'any') return true;
  if (who === 'secretariat') return me.role === 'secretariat';
  if (who === 'state_admin') return me.role === 'state_admin';
  return me.role === 'state_admin' || me.role === 'officer';
}

// Shows a short message in the live region, read out by screen readers, with an optional
// control after it (a receipt to save).
export function flash(msg, kind = 'ok', extra = null) {
  const s = document.getElementById('status');
  s.className = 'status ' + kind;
  s.textContent = msg;
  if (extra) s.append(' ', extra);
}

export function drawNav() {
  const nav = clear(document.getElementById('nav'));
  if (api.me) {
    nav.append(h('ul', {}, NAV.filter(([path, , who]) => allowed(who, path)).map(([path, key]) =>
      h('li', {}, h('a', {
        href: path, 'aria-current': location.pathname === path ? 'page' : null,
      }, t(key))))));
  }
  const who = document.getElementById('who');
  who.textContent = api.me ? api.me.username + (api.me.state ? ' · ' + api.me.state : '') : '';
  document.getElementById('logout').hidden = !api.me;
}

function drawLangs() {
  const sel = clear(document.getElementById('lang'));
  for (const l of i18n.LANGS) {
    sel.append(h('option', { value: l, lang: l, selected: l === i18n.current() },
      i18n.LANG_NAMES[l]));
  }
}

let rendering = 0;

// Draws the view of the current path.
export async function route() {
  const n = ++rendering;
  const main = document.getElementById('main');
  const entry = ROUTES[location.pathname];
  drawNav();
  if (!entry) {
    clear(main).append(h('h1', {}, t('error.not_found')));
    main.setAttribute('aria-busy', 'false');
    return;
  }
  if (!allowed(entry[1], location.pathname)) {
    if (!api.me) {
      go('/login?next=' + encodeURIComponent(location.pathname + location.search), true);
    } else if (api.mustEnrol()) {
      go('/account', true);
      flash(t('account.sf_must'), 'warn');
    } else {
      clear(main).append(h('h1', {}, t('error.forbidden')));
      main.setAttribute('aria-busy', 'false');
    }
    return;
  }
  // Busy while the view draws: screen readers wait, and so do the browser tests.
  main.setAttribute('aria-busy', 'true');
  const mod = await import(entry[0]);
  if (n !== rendering) return;
  const root = h('div', {});
  clear(main).append(root);
  try {
    await mod.render(root, new URLSearchParams(location.search));
  } catch (e) {
    if (n !== rendering) return;
    root.append(h('p', { class: 'error', role: 'alert' },
      e instanceof api.ApiError ? (e.problem.detail || t('error.generic')) : String(e)));
  }
  if (n === rendering) main.setAttribute('aria-busy', 'false');
  const h1 = main.querySelector('h1');
  document.title = (h1 ? h1.textContent + ' – ' : '') + t('app.name');
}

// Goes to path inside the interface (replace: without a new history entry).
export function go(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  document.getElementById('status').textContent = '';
  route().then(() => document.getElementById('main').focus());
}

function onClick(e) {
  const a = e.target.closest('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey ||
      a.target || a.hasAttribute('download')) return;
  const u = new URL(a.href, location.href);
  if (u.origin !== location.origin || !(u.pathname in ROUTES)) return;
  e.preventDefault();
  go(u.pathname + u.search + u.hash);
}

async function boot() {
  await i18n.load(i18n.choose());
  i18n.translateShell(document);
  drawLangs();
  document.getElementById('lang').addEventListener('change', async (e) => {
    i18n.setLang(e.target.value);
    await i18n.load(e.target.value);
    i18n.translateShell(document);
    const u = new URL(location.href);
    u.searchParams.delete('lang');
    history.replaceState(null, '', u.pathname + u.search + u.hash);
    route();
  });
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await api.logout();
    } finally {
      go('/login');
      flash(t('login.logged_out'));
    }
  });
  // The session expired or was revoked: log in again, then come back here.
  window.addEventListener('pocd:logged-out', () => {
    go('/login?next=' + encodeURIComponent(location.pathname + location.search), true);
    flash(t('login.expired'), 'warn');
  });
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', () => route());
  await api.resume();
  await route();
}

boot();
