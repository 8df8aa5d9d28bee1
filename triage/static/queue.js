// With JavaScript on, the queue page checks for news every 20 seconds and
// offers to show it; without JavaScript, the page reloads itself every minute.
// The answer carries counts only, never content.
(function () {
  "use strict";
  var status = document.getElementById("queue-status");
  var refresh = document.getElementById("queue-refresh");
  if (!status || !refresh || !window.fetch) { return; }
  var seenVersion = status.getAttribute("data-version");
  var seenDue = status.getAttribute("data-due");
  var title = document.title.replace(/^\(\d+\) /, "");
  function check() {
    fetch(status.getAttribute("data-poll"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var version = data.version === null ? "" : String(data.version);
        var changed = version !== seenVersion || String(data.due_now) !== seenDue;
        document.title = (data.due_now ? "(" + data.due_now + ") " : "") + title;
        if (changed) { refresh.hidden = false; }
      })
      .catch(function () { /* offline for a moment: try again next round */ });
  }
  window.setInterval(check, 20000);
})();
