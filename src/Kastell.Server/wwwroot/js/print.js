// "Print" buttons (data-print) of Kastell's server-rendered pages: hidden in the markup, shown and wired here, so a
// browser without script never sees a button that does nothing (its own print menu still works; see @media print).
for (const button of document.querySelectorAll("button[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
