import Table from "cli-table3";

/** Off a terminal (a CI log, a pipe) output is laid out for 100 columns, the width the README shows. */
export const DEFAULT_WIDTH = 100;
/** Narrower terminals get the 60-column layout and overflow: a table cannot shrink further and stay legible. */
const MIN_WIDTH = 60;

/** The width tables and wrapped lines fill: the terminal's own, or 100 columns off a terminal. */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return Math.max(MIN_WIDTH, (stream.isTTY && stream.columns) || DEFAULT_WIDTH);
}

/**
 * Column widths (cli-table3's, padding included) for a table of these cells, head included,
 * within `width` columns, borders included: each column as wide as its longest line; when that
 * is too wide, the widest columns give way first (never below `min`); with `fill`, that column
 * takes the room left, so the table fills the terminal.
 */
export function columnWidths(
  width: number,
  rows: readonly (readonly string[])[],
  { min = 8, fill, plain = false }: { min?: number; fill?: number; plain?: boolean } = {},
): number[] {
  const count = rows[0]?.length ?? 0;
  const widths = Array.from(
    { length: count },
    (_, col) =>
      Math.max(...rows.map((r) => Math.max(...(r[col] ?? "").split("\n").map((l) => l.length))), 0) + 2,
  );
  const borders = plain ? 0 : count + 1;
  let used = widths.reduce((a, b) => a + b, 0) + borders;
  for (; used > width; used--) {
    const widest = widths.reduce((w, v, i) => (v > (widths[w] as number) ? i : w), 0);
    if ((widths[widest] as number) <= min) break;
    widths[widest] = (widths[widest] as number) - 1;
  }
  if (fill !== undefined && used < width) widths[fill] = (widths[fill] as number) + width - used;
  return widths;
}

/**
 * A cell's text wrapped to its column (cli-table3 cuts a word longer than the column with "…",
 * losing what a version says): at spaces, then after a "-" or "_", then a ".", then hard.
 */
export function fitCell(text: string, colWidth: number): string {
  const room = Math.max(1, colWidth - 2);
  return text
    .split("\n")
    .flatMap((line) => {
      const out: string[] = [];
      let rest = line;
      while (rest.length > room) {
        const space = rest.lastIndexOf(" ", room);
        const dash = Math.max(rest.lastIndexOf("-", room - 1), rest.lastIndexOf("_", room - 1));
        const mark = dash > 0 ? dash : rest.lastIndexOf(".", room - 1);
        const at = space > 0 ? space : mark > 0 ? mark + 1 : room;
        out.push(rest.slice(0, at).trimEnd());
        rest = rest.slice(at).trimStart();
      }
      return [...out, rest];
    })
    .join("\n");
}

/** A cell's text, and optionally a colour applied after it is wrapped (escapes take no columns). */
export type Cell = string | { text: string; paint: (s: string) => string };

/** A table of plain cells laid out for `width` columns (columnWidths), every cell wrapped whole (fitCell). */
export function fittedTable(
  width: number,
  head: string[],
  rows: Cell[][],
  options: { min?: number; fill?: number; plain?: boolean } = {},
): string {
  const text = (c: Cell) => (typeof c === "string" ? c : c.text);
  const widths = columnWidths(width, [head, ...rows.map((r) => r.map(text))], options);
  const fit = (c: Cell, col: number) => {
    const fitted = fitCell(text(c), widths[col] as number);
    return typeof c === "string" ? fitted : c.paint(fitted);
  };
  const table = new Table({
    head: head.map(fit),
    colWidths: widths,
    ...(options.plain
      ? { chars: NO_BORDERS, style: { head: [], border: [], "padding-left": 0, "padding-right": 2 } }
      : { style: { head: [], border: [] } }),
  });
  for (const row of rows) table.push(row.map(fit));
  const out = table.toString();
  return options.plain ? out.replace(/ +$/gm, "") : out;
}

/** `plain`: columns apart by two spaces and nothing else, as kubectl lists things (a row a line, a long fleet stays readable). */
const NO_BORDERS = Object.fromEntries(
  [
    "top",
    "top-mid",
    "top-left",
    "top-right",
    "bottom",
    "bottom-mid",
    "bottom-left",
    "bottom-right",
    "left",
    "left-mid",
    "mid",
    "mid-mid",
    "right",
    "right-mid",
    "middle",
  ].map((k) => [k, ""]),
);
