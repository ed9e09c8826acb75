/*
 * Which engine runs this page, by feature detection, never by the user agent string:
 * device emulation rewrites the user agent but not the engine. Shared by both flavours'
 * scripts (the engine-break fault makes each fail in one engine).
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
