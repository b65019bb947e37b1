// Live progress of translation jobs: any element with data-job-url is polled
// until its job ends, then the page reloads to show the drafts. While a running
// job's worker has stopped answering (worker_lost), its note says so; the job
// keeps its id when it goes back to the queue, so the poll simply follows it.
(function () {
  "use strict";
  function poll(element) {
    var url = element.getAttribute("data-job-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (job) {
        element.querySelector("[data-job-status]").textContent = job.status;
        element.querySelector("[data-job-done]").textContent = job.done;
        element.querySelector("[data-job-total]").textContent = job.total;
        var lost = element.querySelector("[data-job-lost]");
        if (lost) { lost.hidden = !job.worker_lost; }
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(element); }, 1000);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(element); }, 5000); });
  }
  document.querySelectorAll("[data-job-url]").forEach(poll);
})();
