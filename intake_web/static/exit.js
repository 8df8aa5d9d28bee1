// "Leave this page quickly": with JavaScript, replace this page in the
// history so Back does not return to it, and blank it at once. Without
// JavaScript the link still works as an ordinary link.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    document.body.style.visibility = "hidden";
    document.title = "";
    window.location.replace(link.href);
  });
})();
