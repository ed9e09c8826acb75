/*
 * Building blocks of the single-page flavour (spa.js drives them): the JSON client, a tiny
 * element builder and the widgets real SPA portals are made of — the in-place alert, the account menu that opens
 * on hover, the confirm dialog, the role dashboards. Plain DOM, no framework and no build
 * step, so what runs is what is read here. Every text is set with textContent: names and
 * server messages can never become markup.
 */
'use strict';

var LakesideKit = (function () {
  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value === false || value === null || value === undefined) return;
      if (key === 'text') node.textContent = value;
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /**
   * Shows `message` in a role=alert at the top of `host`, or removes it. The alert exists only
   * while there is something to say: an empty alert would read as an error to a checker.
   */
  function setAlert(host, message) {
    var current = host.querySelector(':scope > [role="alert"]');
    if (current) host.removeChild(current);
    if (message) host.insertBefore(el('div', { role: 'alert', class: 'alert', text: message }), host.firstChild);
  }

  function field(id, label, attrs) {
    var input = el('input', Object.assign({ id: id }, attrs));
    return el('div', { class: 'field' }, [el('label', { for: id, text: label }), input]);
  }

  /** The vocabulary of the sign-in form; selector-change re-skins it like pages/login.ts does. */
  function vocabulary(selectorChange) {
    return selectorChange
      ? { formId: 'signin-form', userId: 'login-id', userLabel: 'User ID', passwordId: 'passphrase', passwordLabel: 'Passphrase', button: 'Log in' }
      : { formId: 'spa-login-form', userId: 'spa-username', userLabel: 'Email or username', passwordId: 'spa-password', passwordLabel: 'Password', button: 'Continue' };
  }

  /**
   * The account menu: opens on hover (mouseenter) and on click, as vendor headers do. A click
   * on a hover-opened menu keeps it open rather than toggling it shut — otherwise the pointer
   * arriving to click would open it and the click itself close it again.
   */
  function accountMenu(onSignOut) {
    var openedBy = null;
    var closeTimer = null;
    var button = el('button', { type: 'button', id: 'spa-account-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': 'spa-account-menu', text: 'Account' });
    var item = el('button', { type: 'button', role: 'menuitem', id: 'spa-sign-out', text: 'Sign out' });
    var menu = el('ul', { role: 'menu', id: 'spa-account-menu', 'aria-labelledby': 'spa-account-button', class: 'menu', hidden: true }, [el('li', { role: 'none' }, [item])]);
    var wrapper = el('div', { class: 'account' }, [button, menu]);

    function open(how) {
      clearTimeout(closeTimer);
      openedBy = how;
      menu.hidden = false;
      button.setAttribute('aria-expanded', 'true');
    }
    function close() {
      clearTimeout(closeTimer);
      openedBy = null;
      menu.hidden = true;
      button.setAttribute('aria-expanded', 'false');
    }
    wrapper.addEventListener('mouseenter', function () {
      if (openedBy === null) open('hover');
      else clearTimeout(closeTimer);
    });
    // A short grace period: a pointer crossing the edge on its way to the menu must not close it.
    wrapper.addEventListener('mouseleave', function () {
      if (openedBy === 'hover') closeTimer = setTimeout(close, 250);
    });
    button.addEventListener('click', function () {
      if (openedBy === 'click') close();
      else open('click');
    });
    item.addEventListener('click', function () {
      close();
      onSignOut(button);
    });
    wrapper.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && openedBy !== null) {
        close();
        button.focus();
      }
    });
    document.addEventListener('click', function (event) {
      if (openedBy !== null && !wrapper.contains(event.target)) close();
    });
    return wrapper;
  }

  /** The brand bar; `onSignOut` given means signed in, which adds the account menu. */
  function header(onSignOut) {
    return el('header', { class: 'banner' }, [el('span', { class: 'brand', text: 'Lakeside Health Portal' }), onSignOut ? accountMenu(onSignOut) : null]);
  }

  /**
   * The sign-out confirmation. `onYes(dialog)` runs the sign-out and may report a failure
   * in the dialog with setAlert(dialog, …); Cancel or Escape closes it and refocuses `returnTo`.
   */
  function confirmDialog(onYes, returnTo) {
    var yes = el('button', { type: 'button', text: 'Yes, sign out' });
    var cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
    var dialog = el('div', { role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Sign out?', class: 'dialog' }, [
      el('p', { text: 'Sign out of Lakeside Health Portal?' }),
      el('div', { class: 'dialog-actions' }, [yes, cancel]),
    ]);
    var backdrop = el('div', { class: 'dialog-backdrop' }, [dialog]);
    function dismiss() {
      if (backdrop.parentNode) backdrop.parentNode.removeChild(backdrop);
      if (returnTo && returnTo.isConnected) returnTo.focus();
    }
    yes.addEventListener('click', function () {
      onYes(dialog, yes);
    });
    cancel.addEventListener('click', dismiss);
    dialog.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') dismiss();
    });
    document.body.appendChild(backdrop);
    yes.focus();
    return { dismiss: dismiss };
  }

  /** narrow-viewport-break: the same banner and CSS as the server-rendered sign-in pages. */
  function cookieBanner() {
    return el('div', { class: 'cookie-banner', role: 'dialog', 'aria-label': 'Cookie notice' }, [
      el('p', { text: 'We use cookies to keep you signed in and to improve this portal. By continuing you accept our cookie policy.' }),
    ]);
  }

  function table(spec) {
    var head = el('thead', {}, [el('tr', {}, spec.columns.map(function (c) { return el('th', { scope: 'col', text: c }); }))]);
    var body = el('tbody', {}, spec.rows.map(function (row) {
      return el('tr', {}, row.map(function (cell) { return el('td', { 'data-phi': cell.phi === true, text: cell.text }); }));
    }));
    return el('table', {}, [head, body]);
  }

  /** The role dashboard from GET /api/app/dashboard: patient names arrive marked and stay marked (data-phi). */
  function dashboard(data) {
    var sections = data.sections.map(function (section, i) {
      var id = 'spa-section-' + (i + 1);
      return el('section', section.heading ? { 'aria-labelledby': id } : {}, [
        section.heading ? el('h2', { id: id, text: section.heading }) : null,
        section.table ? table(section.table) : null,
        section.list ? el('ul', { class: 'messages' }, section.list.map(function (m) {
          return el('li', {}, [el('strong', { text: m.title }), ' — ' + m.detail]);
        })) : null,
      ]);
    });
    return [el('h1', { text: data.heading }), el('p', { 'data-testid': 'signed-in-user', text: 'Signed in as ' + data.displayName })].concat(sections);
  }

  /** fetch as JSON; a network failure answers status 0, an unreadable body data null. */
  function api(method, url, body) {
    var init = { method: method, headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.json().then(function (data) { return { status: res.status, data: data }; }, function () { return { status: res.status, data: null }; });
    }, function () { return { status: 0, data: null }; });
  }

  /** The in-place text for an answer that is not the expected one. */
  function problem(res) {
    if (res.status === 0) return 'The portal could not be reached. Check your connection and try again.';
    var data = res.data || {};
    if (!res.data || data.error === 'vendor-error' || res.status >= 500) {
      return 'The portal is unavailable (HTTP ' + res.status + ').' + (data.reference ? ' Reference ' + data.reference + '.' : '');
    }
    return data.message || 'The portal is unavailable (HTTP ' + res.status + ').';
  }

  return { api: api, problem: problem, el: el, clear: clear, setAlert: setAlert, field: field, vocabulary: vocabulary, header: header, confirmDialog: confirmDialog, cookieBanner: cookieBanner, dashboard: dashboard };
})();
