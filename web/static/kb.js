// kb: small enhancements; every page works without them.
(function () {
  "use strict";

  // Auto-submit the search form when the sort order changes.
  document.querySelectorAll("select.js-autosubmit").forEach(function (sel) {
    sel.addEventListener("change", function () { if (sel.form) sel.form.submit(); });
  });

  // Province facet: a filter box over the province names.
  var box = document.getElementById("province-filter");
  if (box) {
    box.parentElement.hidden = false;
    box.addEventListener("input", function () {
      var needle = box.value.trim();
      document.querySelectorAll(".province-group").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("li").forEach(function (li) {
          var link = li.querySelector("[data-name]");
          var match = !needle || (link && link.getAttribute("data-name").indexOf(needle) !== -1);
          li.hidden = !match;
          if (match) shown += 1;
        });
        group.hidden = shown === 0;
      });
    });
  }

  // On phones the facet panel starts folded so results come first.
  var panel = document.querySelector(".facets-panel");
  if (panel && window.matchMedia("(max-width: 760px)").matches) {
    panel.open = false;
  } else if (panel) {
    panel.querySelector("summary").addEventListener("click", function (e) {
      if (window.matchMedia("(min-width: 761px)").matches) e.preventDefault();
    });
  }

  // Document page: bring the first highlighted match into view.
  var first = document.getElementById("first-match");
  if (first) {
    first.scrollIntoView({ block: "center" });
  }

  // Copy the citation line.
  document.querySelectorAll("button.js-copy").forEach(function (btn) {
    var target = document.getElementById(btn.getAttribute("data-target"));
    if (!target || !navigator.clipboard) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        btn.textContent = "คัดลอกแล้ว";
      });
    });
  });
})();
