// A page showing work still under way: every few seconds, read the page again and put its fresh
// parts (elements marked data-refresh-part, by id) in place of the old ones, leaving the rest
// (a form being filled in) alone; the status line is updated in place so that screen readers
// announce it. Stops when the fresh page no longer asks for it, saying so (data-done-label).
// Without JavaScript the page's own Refresh link does the same.
(function () {
  "use strict";
  var marker = document.querySelector("[data-refresh-seconds]");
  if (!marker) { return; }
  var seconds = Number(marker.dataset.refreshSeconds) || 5;
  function update(fresh) {
    document.querySelectorAll("[data-refresh-part]").forEach(function (old) {
      var part = fresh.getElementById(old.id);
      if (!part) { return; }
      if (old.getAttribute("role") === "status") {
        old.textContent = part.textContent;
      } else {
        old.innerHTML = part.innerHTML;
      }
    });
    if (fresh.querySelector("[data-refresh-seconds]")) { return true; }
    if (marker.dataset.doneLabel) { marker.textContent = marker.dataset.doneLabel; }
    return false;
  }
  function poll() {
    fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (update(fresh)) { setTimeout(poll, seconds * 1000); }
      })
      .catch(function () { setTimeout(poll, seconds * 4000); });
  }
  setTimeout(poll, seconds * 1000);
})();
