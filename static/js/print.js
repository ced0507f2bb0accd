// A button with data-print prints the page (no inline onclick: the Content-Security-Policy forbids inline script).
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
