import { readFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vitest/config";

// The deployed site gets /config.json from the CDK deploy; the build must never ship one, so in
// development it is served from config.local.json (git-ignored by name, see README).
function devConfigJson(): Plugin {
  const file = resolve(import.meta.dirname, "config.local.json");
  return {
    name: "calldesk-dev-config",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use("/config.json", (_req, res) => {
        res.setHeader("Content-Type", "application/json");
        res.setHeader("Cache-Control", "no-store");
        if (!existsSync(file)) {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: "create frontend/config.local.json (see README)" }));
          return;
        }
        res.end(readFileSync(file));
      });
    },
  };
}

export default defineConfig({
  plugins: [devConfigJson()],
  // amazon-chime-sdk-js reads Node's `global` (its CSP monitor and event reporter); browsers have globalThis.
  define: { global: "globalThis" },
  build: {
    target: "es2022",
    manifest: true,
    // No data: URIs: the page runs under a CSP without data: sources.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
