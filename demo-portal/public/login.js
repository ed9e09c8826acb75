/*
 * Sign-in page script. Like many vendor portals, the Sign in button is disabled in the markup
 * and only this script enables it — so a script that fails leaves users unable to sign in.
 *
 * The server appends `portalLoginInit(<engine or null>)`; the engine-break fault passes the
 * engine in which the script must fail (portalDetectEngine, from /static/engine.js).
 */
'use strict';

function portalLoginInit(breakEngine) {
  var engine = portalDetectEngine();
  var form = document.querySelector('form[data-login]');
  if (!form) return;
  var button = form.querySelector('button[type="submit"]');
  if (breakEngine && engine === breakEngine) {
    // Simulates vendor code calling an API this engine lacks: a genuine uncaught TypeError.
    var compat = window.__portalCompatLayer;
    compat.enableSubmit(button);
  }
  button.disabled = false;
}
