#!/usr/bin/env node
import { main } from "../dist/cli/main.js";

main(process.argv).catch((err) => {
  process.stderr.write(`pincer: ${err?.message ?? err}\n`);
  process.exitCode = 1;
});
