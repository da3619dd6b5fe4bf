/**
 * A command line run in a pseudo-terminal (util-linux `script`), as a person at a terminal runs
 * it: its stdin is a TTY, and a ^C written to it is the line discipline's SIGINT to the foreground
 * process, and to nothing else. `columns` sets the terminal's width (`stty`), as a window of that
 * size has it. Returns what to spawn.
 */
export function inTerminal(
  argv: string[],
  { columns }: { columns?: number } = {},
): [command: string, args: string[]] {
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const line = columns ? `stty cols ${columns} rows 50 && exec ${quoted}` : quoted;
  return ["script", ["-qfec", line, "/dev/null"]];
}
