import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Builds the Control UI (index.html), the WebChat page (chat.html, served at /chat) and the embeddable
 * /webchat.js into dist/ui. Hashed files go under assets/ (served immutable); webchat.js keeps a stable
 * name because other sites link to it.
 */
export default defineConfig({
  root: here("."),
  // Relative URLs, so one build works at the root and under any gateway.controlUi.basePath; the gateway puts a
  // <base href> in each page so they resolve from deep links too (src/gateway/http/static.ts).
  base: "./",
  plugins: [preact()],
  build: {
    outDir: here("../dist/ui"),
    emptyOutDir: true,
    target: "es2022",
    // The polyfill would be injected inline; every supported browser has modulepreload.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    rollupOptions: {
      input: {
        index: here("index.html"),
        chat: here("chat.html"),
        webchat: here("src/webchat/embed.ts"),
      },
      // zod's sources carry /* @__PURE__ */ hints in spots Rollup ignores; the warning is about zod, not us.
      onLog(level, log, handler) {
        if (level === "warn" && log.message.includes("annotation that Rollup cannot interpret") && /zod/.test(log.message)) return;
        handler(level, log);
      },
      output: {
        // Libraries and the code both pages share get stable chunk names; the entries stay small.
        manualChunks: (id) => {
          if (id.includes("node_modules")) return "vendor";
          if (id.includes("/ui/src/") && !/\/(main|chat-main)\.tsx$|\/webchat\//.test(id)) return "app";
          return undefined;
        },
        entryFileNames: (chunk) => (chunk.name === "webchat" ? "webchat.js" : "assets/[name]-[hash].js"),
      },
    },
  },
});
