// The proof of work of the public forms (see intake_web/proof_of_work.py).
// With JavaScript on, the page's own worker looks for a number that, hashed
// with the form's challenge, starts with enough zero bits, and puts it in the
// form: the server then lets the submission past a flood that has filled the
// network's shared limit. Without JavaScript nothing happens and the form
// still works. Nothing leaves the page but the number.
(function () {
  "use strict";
  var challenges = document.querySelectorAll('input[name="pow_challenge"]');
  if (!challenges.length || !window.Worker) { return; }
  var script = document.querySelector('script[src$="pow.js"]');
  var workerUrl = script.src.replace(/pow\.js(\?.*)?$/, "pow-worker.js");
  Array.prototype.forEach.call(challenges, function (challenge) {
    var form = challenge.form;
    var solution = form.querySelector('input[name="pow_solution"]');
    var solved = false;
    var waiting = false;
    var worker = new Worker(workerUrl);
    worker.onmessage = function (event) {
      solution.value = String(event.data);
      solved = true;
      worker.terminate();
      if (waiting) { form.submit(); }
    };
    worker.postMessage({ challenge: challenge.value, bits: Number(challenge.getAttribute("data-bits")) });
    form.addEventListener("submit", function (event) {
      if (solved || waiting) { return; }
      // Give the work a few more seconds, then send anyway: without a
      // solution the form still goes, under the network's limit.
      event.preventDefault();
      waiting = true;
      var button = form.querySelector('button[type="submit"]');
      if (button) { button.setAttribute("aria-busy", "true"); }
      window.setTimeout(function () { if (!solved) { form.submit(); } }, 8000);
    });
  });
})();
