/*
 * Lakeside Health Portal, single-page flavour. The HTML shell holds nothing but the config;
 * this script asks the server who is signed in (GET /api/app/me), routes with
 * history.pushState, signs in by fetch with the code field appearing in the same form, shows
 * errors in place, keeps the session alive while the user is active, and signs out through a
 * menu and a confirm dialog — everything a checker must cope with without a page load.
 */
'use strict';

(function () {
  var kit = LakesideKit;
  var config = JSON.parse(document.getElementById('spa-config').textContent);
  var root = document.getElementById('spa-root');
  var words = kit.vocabulary(config.selectorChange);
  var session = { signedIn: false, lastInputAt: -Infinity, timer: null, refreshing: false };
  var main;

  /*
   * Continue starts disabled and only this enables it. Run from a timer so that under
   * engine-break the TypeError is a genuine uncaught exception (not a promise rejection).
   */
  function enableLater(button) {
    setTimeout(function () {
      if (config.breakEngine && portalDetectEngine() === config.breakEngine) {
        var compat = window.__portalCompatLayer;
        compat.enableSubmit(button);
      }
      button.disabled = false;
    }, 0);
  }

  function go(path, replace) {
    var url = path + (config.embedded ? '?embedded=1' : '');
    if (location.pathname + location.search === url) return;
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  }

  /** Renders the frame (header, main) for a view; the account menu only while signed in. */
  function frame(title, signedIn) {
    document.title = title + ' · Lakeside Health Portal';
    kit.clear(root);
    if (!config.embedded) root.appendChild(kit.header(signedIn ? confirmSignOut : null));
    main = kit.el('main', { id: 'spa-main' });
    root.appendChild(main);
    var banner = document.querySelector('body > .cookie-banner');
    if (banner && signedIn) document.body.removeChild(banner);
    if (!banner && !signedIn && config.cookieBanner) document.body.appendChild(kit.cookieBanner());
    return main;
  }

  function signedOut(notice) {
    stopKeepAlive();
    session.signedIn = false;
    showSignIn(notice);
  }

  /** The sign-in view; `notice` is a role=status line above the form, `error` an alert inside it. */
  function showSignIn(notice, error) {
    var view = frame('Sign in', false);
    view.appendChild(kit.el('h1', { text: 'Sign in to Lakeside' }));
    if (notice) view.appendChild(kit.el('div', { role: 'status', class: 'status', text: notice }));
    var button = kit.el('button', { type: 'submit', id: 'spa-continue', disabled: true, text: words.button });
    var user = kit.field(words.userId, words.userLabel, { name: 'username', autocomplete: 'username' });
    var pass = kit.field(words.passwordId, words.passwordLabel, { name: 'password', type: 'password', autocomplete: 'current-password' });
    var form = kit.el('form', { id: words.formId, class: 'login', novalidate: true }, [user, pass, button]);
    view.appendChild(form);
    var step = 'password';
    var busy = false;

    function showCode() {
      step = 'code';
      form.removeChild(user);
      form.removeChild(pass);
      form.insertBefore(kit.el('p', { id: 'spa-otp-hint', text: 'Enter the ' + config.digits + '-digit code from your authenticator app.' }), button);
      form.insertBefore(kit.field('spa-otp', 'Verification code', { name: 'otp', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: config.digits }), button);
      form.querySelector('#spa-otp').focus();
    }
    function send() {
      if (step === 'password') {
        var credentials = { username: form.querySelector('#' + words.userId).value, password: form.querySelector('#' + words.passwordId).value };
        return kit.api('POST', config.loginUrl, credentials).then(function (res) {
          if (res.status === 200 && res.data && res.data.next === 'mfa') return showCode();
          form.querySelector('#' + words.passwordId).value = '';
          kit.setAlert(form, kit.problem(res));
        });
      }
      var codeInput = form.querySelector('#spa-otp');
      return kit.api('POST', '/api/app/mfa', { code: codeInput.value }).then(function (res) {
        if (res.status === 200 && res.data) return signedIn(res.data.next);
        if (res.data && res.data.error === 'not-authenticated') return showSignIn(null, kit.problem(res));
        codeInput.value = '';
        kit.setAlert(form, kit.problem(res));
        codeInput.focus();
      });
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      button.disabled = true;
      kit.setAlert(form, null);
      send().then(function () {
        busy = false;
        button.disabled = false;
      });
    });
    if (error) kit.setAlert(form, error);
    enableLater(button);
  }

  /** After the code: the interstitials, then the dashboard — in embedded mode by a real top-level load. */
  function signedIn(next) {
    session.signedIn = true;
    if (config.embedded) {
      if (next === 'dashboard') return window.top.location.assign('/app/dashboard');
    } else {
      go('/app/dashboard');
      startKeepAlive();
    }
    return showView(next);
  }

  function showView(next) {
    if (next === 'notice') return showInterstitial('Updated terms of use', 'We have updated our terms of use. Please review and accept them to continue.', 'Accept', '/api/app/notice');
    if (next === 'acknowledge') return showInterstitial('Daily security acknowledgment', 'Patient information in this portal is protected by law. Review our privacy practices before you continue.', 'Continue', '/api/app/acknowledge');
    if (config.embedded) return window.top.location.assign('/app/dashboard');
    return showDashboard();
  }

  function showInterstitial(heading, text, buttonText, url) {
    var view = frame(heading, true);
    var check = url === '/api/app/acknowledge'
      ? kit.el('div', { class: 'check' }, [kit.el('input', { type: 'checkbox', id: 'spa-ack', name: 'ack' }), kit.el('label', { for: 'spa-ack', text: 'I acknowledge that I will protect patient information' })])
      : null;
    var button = kit.el('button', { type: 'submit', text: buttonText });
    var form = kit.el('form', { id: 'spa-interstitial' }, [check, button]);
    view.appendChild(kit.el('h1', { text: heading }));
    view.appendChild(kit.el('p', { text: text }));
    view.appendChild(form);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      button.disabled = true;
      kit.api('POST', url, check ? { ack: check.querySelector('input').checked } : {}).then(function (res) {
        button.disabled = false;
        if (res.status === 200 && res.data) return showView(res.data.next);
        if (res.status === 401) return expired();
        if (res.status === 409 && res.data) return showView(res.data.next);
        kit.setAlert(form, kit.problem(res));
      });
    });
  }

  function showDashboard() {
    return kit.api('GET', '/api/app/dashboard').then(function (res) {
      if (res.status === 401) return expired();
      if (res.status === 409 && res.data) return showView(res.data.next);
      if (res.status !== 200 || !res.data) {
        var view = frame('Dashboard', true);
        view.appendChild(kit.el('div', { role: 'alert', class: 'alert', text: kit.problem(res) }));
        view.appendChild(kit.el('button', { type: 'button', text: 'Try again', onclick: showDashboard }));
        return;
      }
      var content = frame(res.data.heading, true);
      kit.dashboard(res.data).forEach(function (node) { content.appendChild(node); });
    });
  }

  function expired() {
    go('/app/login', true);
    signedOut(config.messages.expired);
  }

  function confirmSignOut(returnTo) {
    var dialog = kit.confirmDialog(function (node, yes) {
      yes.disabled = true;
      kit.api('POST', '/api/app/logout').then(function (res) {
        yes.disabled = false;
        if (res.status !== 200) return kit.setAlert(node, kit.problem(res));
        dialog.dismiss();
        go('/app/login');
        signedOut(config.messages.signedOut);
      });
    }, returnTo);
  }

  /*
   * Keep-alive as real SPAs do it: a timer refreshes the session, but only if the user gave
   * input recently — a tab left open and untouched must still time out (after about the
   * activity window plus the idle timeout). Pointer movement alone is not input.
   */
  ['pointerdown', 'keydown', 'input'].forEach(function (type) {
    document.addEventListener(type, function () { session.lastInputAt = Date.now(); }, true);
  });
  function startKeepAlive() {
    if (session.timer !== null || config.embedded) return;
    session.timer = setInterval(function () {
      if (!session.signedIn || session.refreshing || Date.now() - session.lastInputAt > config.activityWindowMs) return;
      session.refreshing = true;
      kit.api('POST', '/api/app/refresh').then(function (res) {
        session.refreshing = false;
        if (res.status === 401 && session.signedIn) expired();
      });
    }, config.refreshEveryMs);
  }
  function stopKeepAlive() {
    if (session.timer !== null) clearInterval(session.timer);
    session.timer = null;
  }

  /** Boot and back/forward: ask the server who is signed in, then render the view for the path. */
  function boot() {
    var onSignedInPath = location.pathname !== '/app/login' && location.pathname !== '/app' && location.pathname !== '/app/';
    kit.api('GET', '/api/app/me').then(function (res) {
      if (res.status === 200) {
        session.signedIn = true;
        if (config.embedded) return window.top.location.assign('/app/dashboard');
        go('/app/dashboard', true);
        startKeepAlive();
        return showDashboard();
      }
      // 401 before sign-in is the normal case, not an error; only a lost session is worth a word.
      go('/app/login', true);
      signedOut(res.status === 401 && onSignedInPath && res.data && res.data.expired ? config.messages.expired : null);
    });
  }
  window.addEventListener('popstate', boot);
  boot();
})();
