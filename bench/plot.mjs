/**
 * Draws the headline Pincer-vs-OpenClaw ratios as an SVG bar chart (docs/benchmarks-vs-openclaw.svg), from
 * the table that `npm run bench -- --vs-openclaw` writes into docs/benchmarks.md. Plain string building: no
 * plotting library needed for four bars.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DOC = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
const SVG = fileURLToPath(new URL("../docs/benchmarks-vs-openclaw.svg", import.meta.url));

/** Rows of the OpenClaw block: [figure, ratio]. */
export function readRatios(doc) {
  const block = doc.split("<!-- bench:openclaw:start -->")[1]?.split("<!-- bench:openclaw:end -->")[0] ?? "";
  const rows = [];
  for (const line of block.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const ratio = /^([\d.]+)×$/.exec(cells[4] ?? "");
    if (ratio) rows.push([cells[1].replaceAll("`", ""), Number(ratio[1])]);
  }
  return rows;
}

const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

export function ratioChart(rows, title) {
  const width = 760;
  const barX = 330;
  const barMax = width - barX - 70;
  const rowH = 44;
  const height = 70 + rows.length * rowH;
  const max = Math.max(...rows.map(([, r]) => r), 1);
  const bars = rows
    .map(([label, ratio], i) => {
      const y = 50 + i * rowH;
      const w = Math.max(2, (ratio / max) * barMax);
      return [
        `<text x="${barX - 10}" y="${y + 20}" text-anchor="end" font-size="13">${esc(label)}</text>`,
        `<rect x="${barX}" y="${y + 6}" width="${w.toFixed(1)}" height="22" fill="#2f7d4a" rx="3"/>`,
        `<text x="${(barX + w + 6).toFixed(1)}" y="${y + 22}" font-size="13" font-weight="bold">${ratio}×</text>`,
      ].join("");
    })
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="28" font-size="16" font-weight="bold">${esc(title)}</text>
${bars}
</svg>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = readRatios(readFileSync(DOC, "utf8"));
  if (rows.length === 0) {
    process.stderr.write(
      "plot: no OpenClaw comparison in docs/benchmarks.md yet: run `npm run bench -- --vs-openclaw`\n",
    );
    process.exit(1);
  }
  writeFileSync(SVG, ratioChart(rows, "How many times lighter/faster Pincer is than OpenClaw (OpenClaw ÷ Pincer)"));
  process.stderr.write(`plot: wrote ${SVG}\n`);
}
