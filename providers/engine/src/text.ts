/**
 * Pulumi's diff display (what a pull request's preview comment shows) cuts every string longer
 * than 150 characters with "...". Text meant for that display is wrapped into lines that fit:
 * at word boundaries, continuation lines indented, nothing dropped.
 */
export const DIFF_DISPLAY_WIDTH = 150;

export function wrapLine(text: string, width = DIFF_DISPLAY_WIDTH, indent = "    "): string[] {
  const out: string[] = [];
  let rest = text;
  let prefix = "";
  while (prefix.length + rest.length > width) {
    const room = width - prefix.length;
    // The last space that leaves a non-empty line; a word longer than the room is split hard.
    const cut = rest.lastIndexOf(" ", room);
    const at = cut > 0 ? cut : room;
    out.push(prefix + rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
    prefix = indent;
  }
  out.push(prefix + rest);
  return out;
}

/** Every line wrapped to the diff display's width. */
export function wrapLines(lines: readonly string[], width = DIFF_DISPLAY_WIDTH): string[] {
  return lines.flatMap((l) => wrapLine(l, width));
}

/**
 * How an eks-upgrade command names this cluster again, in a remedy: `--cluster demo --region
 * us-east-1`, and the endpoint when it is not AWS's own (the local emulator).
 */
export function clusterFlags(spec: {
  clusterName: string;
  region: string;
  endpoints?: { eks?: string | undefined } | undefined;
}): string {
  const endpoint = spec.endpoints?.eks ? ` --endpoint ${spec.endpoints.eks}` : "";
  return `--cluster ${spec.clusterName} --region ${spec.region}${endpoint}`;
}
