// "Copy" buttons (data-copy="element id") of Kastell's server-rendered pages: hidden in the markup, shown and wired
// here, so a browser without script never sees a button that does nothing (the text itself stays selectable).
for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) {
    continue;
  }

  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = button.dataset.copied;
  });
}
