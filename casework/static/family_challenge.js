// The family portal's proof of work (the ALTCHA scheme, see casework/family_portal/challenge.py):
// find the number whose SHA-256 after the salt is the challenge, and put it in the form. Without
// this script (or without crypto.subtle) the form still works: the server then asks that it was
// open for a while before it is sent.
(function () {
  "use strict";
  var form = document.querySelector("form.family-request");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var salt = form.querySelector("input[name=challenge_salt]");
  var target = form.querySelector("input[name=challenge]");
  var answer = form.querySelector("input[name=challenge_number]");
  var state = form.querySelector(".challenge-state");
  var maximum = parseInt(form.getAttribute("data-challenge-max"), 10) || 0;
  if (!salt || !target || !answer || !salt.value || !target.value) return;
  var encoder = new TextEncoder();

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function attempt(number) {
    return crypto.subtle.digest("SHA-256", encoder.encode(salt.value + number)).then(function (d) {
      return hex(d) === target.value ? number : -1;
    });
  }

  function batch(start) {
    if (start > maximum) return Promise.resolve(-1);
    var tries = [];
    for (var n = start; n < start + 500 && n <= maximum; n++) tries.push(attempt(n));
    return Promise.all(tries).then(function (found) {
      for (var i = 0; i < found.length; i++) if (found[i] >= 0) return found[i];
      return batch(start + 500);
    });
  }

  if (state) state.textContent = state.getAttribute("data-solving");
  batch(0).then(function (number) {
    if (number < 0) return;
    answer.value = String(number);
    if (state) state.textContent = state.getAttribute("data-solved");
  });
})();
