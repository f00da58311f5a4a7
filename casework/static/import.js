// The import page: ask the server how far the import got until it is done or failed.
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section) { return; }
  var bar = section.querySelector("progress");
  var status = section.querySelector(".status");
  function show(progress) {
    if (!progress) { return false; }
    bar.max = progress.total || 1;
    bar.value = progress.done || 0;
    if (progress.state === "done") {
      status.textContent = section.dataset.doneLabel
        .replace("{n}", progress.imported).replace("{m}", progress.already_imported) +
        (progress.message ? " " + progress.message : "");
      return true;
    }
    if (progress.state === "failed") {
      status.textContent = section.dataset.failedLabel + " " + (progress.message || "");
      return true;
    }
    var label = progress.state === "checking" ? section.dataset.checkingLabel : "";
    status.textContent = progress.state === "matching"
      ? section.dataset.matchingLabel
      : label + " " + progress.done + " / " + progress.total;
    return false;
  }
  function poll() {
    fetch(section.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (section.dataset.reloadWhenChecked && body.state === "checked") {
          window.location.reload();  // the check is done: the page now shows its report
          return;
        }
        if (!show(body.progress)) { setTimeout(poll, 700); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
