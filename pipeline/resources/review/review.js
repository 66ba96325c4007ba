// caseextract review site: details on click, category/boilerplate toggles, jump to changes.
// One delegated listener, so pages with tens of thousands of mentions stay responsive.
(function () {
  "use strict";
  var body = document.body;
  var details = document.getElementById("details");
  var text = document.getElementById("text");
  var selected = [];

  function select(mid) {
    selected.forEach(function (el) { el.classList.remove("sel"); });
    selected = Array.prototype.slice.call(document.querySelectorAll('.m[data-mid="' + mid + '"]'));
    selected.forEach(function (el) { el.classList.add("sel"); });
    if (details && selected.length) {
      details.textContent = selected[0].getAttribute("title") || mid;
    }
    return selected[0];
  }

  if (text) {
    text.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest(".m") : null;
      if (target) { select(target.getAttribute("data-mid")); }
    });
  }
  document.querySelectorAll("a[data-jump]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var el = select(link.getAttribute("data-jump"));
      if (el) { el.scrollIntoView({ block: "center" }); }
    });
  });
  document.querySelectorAll("input[data-toggle]").forEach(function (box) {
    var cls = box.getAttribute("data-toggle");
    var apply = function () { body.classList.toggle(cls, box.checked === (box.getAttribute("data-when") === "checked")); };
    box.addEventListener("change", apply);
    apply();
  });
  body.setAttribute("data-ready", "1");
})();
