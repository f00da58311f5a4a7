// Print buttons: a click on any element marked data-print opens the browser's print dialogue
// (a script file rather than an onclick attribute, which the content security policy forbids).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
