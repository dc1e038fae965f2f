// kb: small enhancements; every page works without them.
(function () {
  "use strict";

  // Auto-submit the search form when the sort order changes.
  document.querySelectorAll("select.js-autosubmit").forEach(function (sel) {
    sel.addEventListener("change", function () {  // requestSubmit: the form's submit handlers run too
      if (sel.form) { if (sel.form.requestSubmit) sel.form.requestSubmit(); else sel.form.submit(); }
    });
  });

  // Empty date boxes are not sent, so the address to share stays clean (no "&from=&to=").
  document.querySelectorAll("form.search-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("#from, #to").forEach(function (input) {
        if (!input.value.trim()) input.disabled = true;
      });
    });
  });
  window.addEventListener("pageshow", function () {  // back to a page kept in memory: boxes usable again
    document.querySelectorAll("form.search-form #from, form.search-form #to").forEach(function (input) { input.disabled = false; });
  });

  // Province facet: a filter box over the province names.
  var box = document.getElementById("province-filter");
  if (box) {
    box.parentElement.hidden = false;
    var list = document.querySelector(".province-list");
    box.addEventListener("input", function () {
      var needle = box.value.trim();
      if (needle && list) list.open = true;
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

  // The filter panel is rendered closed, so a phone without JavaScript sees
  // results first; on wide screens it is always open (CSS shows its content
  // too, this keeps older browsers right) and its summary is only a heading.
  var panel = document.querySelector(".facets-panel");
  var wide = window.matchMedia("(min-width: 761px)");
  if (panel) {
    panel.open = wide.matches;
    var summary = panel.querySelector("summary");
    summary.addEventListener("click", function (e) {
      if (wide.matches) e.preventDefault();
    });
    // on a wide screen the summary is only a heading: no tab stop that does nothing
    var heading = function () { summary.tabIndex = wide.matches ? -1 : 0; };
    heading();
    if (wide.addEventListener) wide.addEventListener("change", heading);
    // "skip to filters" opens the panel on a phone
    document.querySelectorAll('a[href="#filters"]').forEach(function (a) {
      a.addEventListener("click", function () { panel.open = true; });
    });
  }

  // Document page: it opens at its top (title and metadata in view); the
  // "ไปยังคำที่พบ (n)" control steps through the matches, one per press.
  var step = document.querySelector("a.match-step");
  var matches = document.querySelectorAll("mark.match");
  if (step && matches.length) {
    var current = -1;
    var total = matches.length;
    step.setAttribute("role", "button");
    step.addEventListener("click", function (e) {
      e.preventDefault();
      if (current >= 0) matches[current].classList.remove("is-current");
      current = (current + 1) % total;
      var mark = matches[current];
      mark.classList.add("is-current");
      mark.scrollIntoView({ block: "center" });
      step.textContent = step.getAttribute("data-next") + " (" + (current + 1) + "/" + total + ")";
    });
  }

  // Copy the citation line.
  document.querySelectorAll("button.js-copy").forEach(function (btn) {
    var target = document.getElementById(btn.getAttribute("data-target"));
    if (!target || !navigator.clipboard) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        btn.textContent = btn.getAttribute("data-done") || btn.textContent;
      });
    });
  });
})();
