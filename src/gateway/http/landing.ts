import type { GatewayServices } from "../services.js";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/**
 * The page at `/` when the Control UI is not served there: says the gateway is up, whether a model is
 * connected, how to connect one, and where the Control UI is (or why it is not served).
 */
export function landingPage(services: GatewayServices): string {
  const model = services.agent?.modelStatus();
  const modelLine = model?.configured
    ? `<p class="ok">Model: <code>${escapeHtml(model.ref ?? "")}</code></p>`
    : `<div class="warn"><p><strong>No model is connected yet.</strong> Pincer is running, but chats will answer with this same advice until you connect one:</p>
<ul><li>set <code>ANTHROPIC_API_KEY</code>, <code>OPENAI_API_KEY</code>, <code>GEMINI_API_KEY</code> or <code>OPENROUTER_API_KEY</code> and restart, or</li>
<li>run Ollama on <code>127.0.0.1:11434</code>, or</li>
<li>set <code>agents.defaults.model</code> and <code>models.providers</code> in <code>${escapeHtml(services.paths.configPath)}</code> (hot-reloaded).</li></ul></div>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pincer gateway</title><style>
body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
code{background:#f2f2f5;padding:.1em .3em;border-radius:4px}.ok{color:#0a7d32}.warn{background:#fff7e0;border:1px solid #f0d48a;padding:.5rem 1rem;border-radius:8px}
</style></head><body>
<h1>Pincer gateway</h1>
<p class="ok">Running — version ${escapeHtml(services.version)}, WebSocket protocol v4 on this same address.</p>
${modelLine}
<p>Talk to it from a terminal: <code>pincer agent --message "hello"</code>; call any method: <code>pincer gateway call health</code>.</p>
${controlUiLine(services)}
</body></html>`;
}

/**
 * The UI answers `/` itself when it is built and at the root, so this page shows at `/` only when the UI is
 * turned off, not built, or under gateway.controlUi.basePath.
 */
function controlUiLine(services: GatewayServices): string {
  const { enabled, basePath } = services.config.current.config.gateway.controlUi;
  if (!enabled) return "<p>The Control UI is turned off (<code>gateway.controlUi.enabled: false</code>).</p>";
  if (basePath) {
    const href = escapeHtml(`${basePath}/`);
    return `<p>Control UI: <a href="${href}">${href}</a> · WebChat: <a href="${href}chat">${href}chat</a></p>`;
  }
  return "<p>The Control UI was not built into this install (<code>dist/ui</code> is missing): run <code>npm run build</code>.</p>";
}
