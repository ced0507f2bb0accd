/*
 * Week grid: one tap cycles a day's kind.
 *
 * Progressive enhancement of templates/villagecorps/team_week.html. Each <select data-cycle> cell
 * gets a button next to it; a tap moves the (now hidden) select to its next option, wrapping
 * around, and shows that option's short label and colour on the button. The form still submits the
 * selects, so without JavaScript the page works as plain drop-downs. Loaded with <script src defer>:
 * no inline script, so a Content-Security-Policy may forbid them.
 */
(function () {
  "use strict";

  function optionLabel(option) {
    return option.getAttribute("data-short") || option.textContent.trim();
  }

  function enhance(select) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cycle";
    button.disabled = select.disabled;
    var who = select.getAttribute("aria-label") || "";

    function show() {
      var option = select.options[select.selectedIndex];
      var kind = option && option.value ? option.value : "none";
      var full = option ? option.getAttribute("title") || option.textContent.trim() : "";
      button.textContent = option ? optionLabel(option) : "";
      button.setAttribute("data-kind", kind);
      button.setAttribute("aria-label", who + " " + full);
      button.title = select.disabled ? select.title : full;
      button.className = "cycle kind-" + kind;
      select.className = select.className.replace(/\bkind-\S+/, "kind-" + kind);
    }

    button.addEventListener("click", function () {
      if (select.disabled || !select.options.length) {
        return;
      }
      select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      show();
    });
    select.addEventListener("change", show);

    show();
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(button, select);
  }

  function init() {
    var grid = document.querySelector(".vc .week-form");
    if (!grid) {
      return;
    }
    grid.classList.add("is-enhanced");
    Array.prototype.forEach.call(grid.querySelectorAll("select[data-cycle]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
