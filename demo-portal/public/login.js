/*
 * Sign-in page script. Like many vendor portals, the Sign in button is disabled in the markup
 * and only this script enables it — so a script that fails leaves users unable to sign in.
 *
 * The server appends `portalLoginInit(<engine or null>)`; the engine-break fault passes the
 * engine in which the script must fail. Engines are told apart by feature detection, never by
 * the user agent string, because device emulation rewrites the user agent but not the engine.
 */
'use strict';

function portalDetectEngine() {
  var supports = function (property, value) {
    return typeof CSS !== 'undefined' && typeof CSS.supports === 'function' && CSS.supports(property, value);
  };
  // Gecko: the -moz- prefixed appearance property and the Gecko-only window.mozInnerScreenX.
  if (supports('-moz-appearance', 'none') || 'mozInnerScreenX' in window) return 'gecko';
  // Blink: window.chrome exists in every Chromium build (headed and headless); app-region is Blink-only CSS.
  if (typeof window.chrome === 'object' || supports('-webkit-app-region', 'drag')) return 'chromium';
  // WebKit: whatever remains of the -webkit- family (Safari, WebKitGTK/WPE as Playwright ships it).
  if (supports('-webkit-appearance', 'none') || 'GestureEvent' in window || 'webkitConvertPointFromNodeToPage' in window) return 'webkit';
  return 'unknown';
}

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
