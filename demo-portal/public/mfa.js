/*
 * Six-box verification code entry, as many portals build it: typing a digit moves focus to
 * the next box, Backspace on an empty box goes back, pasting a whole code fills every box,
 * and on submit the digits are joined into the hidden `otp` field the server reads.
 */
'use strict';

(function () {
  var form = document.getElementById('mfa-form');
  if (!form) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll('.otp-box'));
  var hidden = form.querySelector('input[name="otp"]');

  function fillFrom(index, digits) {
    for (var k = 0; k < digits.length && index + k < boxes.length; k++) boxes[index + k].value = digits[k];
    var next = Math.min(index + digits.length, boxes.length - 1);
    boxes[next].focus();
  }

  boxes.forEach(function (box, i) {
    box.addEventListener('input', function () {
      var digits = box.value.replace(/\D/g, '');
      box.value = digits.slice(0, 1);
      if (digits.length > 1) fillFrom(i, digits);
      else if (digits.length === 1 && i + 1 < boxes.length) boxes[i + 1].focus();
    });
    box.addEventListener('keydown', function (event) {
      if (event.key === 'Backspace' && box.value === '' && i > 0) boxes[i - 1].focus();
    });
    box.addEventListener('paste', function (event) {
      var text = (event.clipboardData || window.clipboardData).getData('text').replace(/\D/g, '');
      if (text.length === 0) return;
      event.preventDefault();
      fillFrom(i, text);
    });
  });

  form.addEventListener('submit', function () {
    hidden.value = boxes.map(function (b) { return b.value; }).join('');
  });
  if (boxes[0]) boxes[0].focus();
})();
