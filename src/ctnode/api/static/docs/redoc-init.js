// Starts ReDoc on /redoc (an external script: the page's CSP allows no inline script).
window.addEventListener("load", function () {
  var el = document.getElementById("redoc");
  Redoc.init(el.getAttribute("data-openapi"), { hideDownloadButton: false }, el);
});
