// Screen a file (pages/files.py): refuse a file above the node's limit before it is sent, and
// follow a running file's progress. The pages work without it (the server refuses a large
// file; the progress page refreshes itself every few seconds).
document.addEventListener("DOMContentLoaded", function () {
  var input = document.querySelector("input[type=file][data-max-bytes]");
  if (input) {
    input.form.addEventListener("submit", function (ev) {
      var max = parseInt(input.dataset.maxBytes, 10);
      var file = input.files && input.files[0];
      if (file && file.size > max) {
        ev.preventDefault();
        var err = document.getElementById("upload-error");
        err.textContent = err.dataset.tooLarge || (file.name + ": > " + max + " bytes");
        err.hidden = false;
      }
    });
  }
  var bar = document.getElementById("run-progress");
  if (!bar) { return; }
  var count = document.getElementById("run-count");
  function poll() {
    fetch(bar.dataset.poll, { credentials: "same-origin" }).then(function (r) {
      return r.json();
    }).then(function (p) {
      if (p.status !== "running") { window.location.reload(); return; }
      bar.value = p.percent;
      bar.textContent = p.percent + " %";
      count.textContent = p.done + " / " + p.total;
      window.setTimeout(poll, 400);
    }).catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
});
