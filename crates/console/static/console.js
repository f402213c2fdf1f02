// Live progress of a running run: polls the run's counts once a second and shows them,
// and reloads the page once the run has ended (its lines and result are then final).
(function () {
  var run = document.getElementById("run");
  if (!run || run.dataset.running !== "true") return;
  var id = run.dataset.run;
  function tick() {
    fetch("/console/runs/" + id + "/progress", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) return;
        Object.keys(p.counts || {}).forEach(function (k) {
          var cell = run.querySelector('[data-count="' + k + '"]');
          if (cell) cell.textContent = p.counts[k];
        });
        if (p.result !== "RUNNING") { window.location.reload(); return; }
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 2000); });
  }
  setTimeout(tick, 1000);
})();
