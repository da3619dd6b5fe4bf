/**
 * A command line run in a pseudo-terminal (util-linux `script`), as a person at a terminal runs
 * it: its stdin is a TTY, and a ^C written to it is the line discipline's SIGINT to the foreground
 * process, and to nothing else. Returns what to spawn.
 */
export function inTerminal(argv: string[]): [command: string, args: string[]] {
  const line = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return ["script", ["-qfec", line, "/dev/null"]];
}
