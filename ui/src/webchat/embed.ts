/**
 * /webchat.js: puts the assistant on any web page. Add
 *   <script src="https://your-gateway/webchat.js" defer></script>
 * and a chat button appears bottom-right; it opens the gateway's /chat page in a frame, where the visitor
 * talks as a WebChat visitor (channels.webchat.dmPolicy decides who gets through). The frame is served by the
 * gateway, so the conversation never touches the host page; the host page's origin must be listed in
 * gateway.controlUi.allowedOrigins to be allowed to frame it.
 */
(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script?.src) return;
  // The chat page sits beside this script (`<base>/webchat.js` → `<base>/chat`), so a gateway serving its UI
  // under gateway.controlUi.basePath works without configuring the embed.
  const chatUrl = new URL("chat", script.src).href;
  const label = script.dataset.label ?? "Chat";

  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  Object.assign(button.style, {
    position: "fixed",
    right: "16px",
    bottom: "16px",
    zIndex: "2147483646",
    padding: "12px 18px",
    border: "0",
    borderRadius: "24px",
    background: "#c2410c",
    color: "#fff",
    font: "600 15px system-ui, sans-serif",
    boxShadow: "0 4px 16px rgba(0,0,0,.25)",
    cursor: "pointer",
  });

  let frame: HTMLIFrameElement | undefined;
  button.addEventListener("click", () => {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = chatUrl;
      frame.title = label;
      frame.referrerPolicy = "no-referrer";
      Object.assign(frame.style, {
        position: "fixed",
        right: "16px",
        bottom: "72px",
        width: "min(400px, calc(100vw - 32px))",
        height: "min(600px, calc(100vh - 96px))",
        border: "1px solid rgba(0,0,0,.15)",
        borderRadius: "12px",
        background: "#fff",
        zIndex: "2147483647",
        boxShadow: "0 8px 32px rgba(0,0,0,.25)",
      });
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.appendChild(button);
})();
