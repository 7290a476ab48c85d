// The console's only script (the CSP allows no inline script): the language menu applies
// itself when changed; every page works without it (the menu has its own button).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
});
