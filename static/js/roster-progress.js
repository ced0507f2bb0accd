/* The roster import's progress bar: poll the task's progress until it finishes, then reload the page. */
(function () {
  "use strict";
  var box = document.querySelector(".roster-progress[data-src]");
  if (!box) { return; }
  var bar = box.querySelector("progress"), stage = box.querySelector(".stage");
  function poll() {
    fetch(box.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.status === "finished" || d.status === "failed") { window.location.reload(); return; }
        if (d.total) { bar.value = Math.round(100 * d.done / d.total); }
        stage.textContent = d.stage ? d.stage + " " + d.done + " / " + d.total : stage.textContent;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
