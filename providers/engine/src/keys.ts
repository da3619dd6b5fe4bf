/**
 * Keys of the user's spec inside messages and remedies. The engine writes `{{nodeGroups.general.force=true}}`
 * (a key, and the value to give it where the remedy has one); each adapter renders it in its
 * user's terms: the program as a `pulumi config set --path` key, the CLI as its flag, docs as the
 * plain key. One vocabulary, three renderings, no name mapped between layers.
 */
export function key(path: string, value?: string | number | boolean): string {
  return value === undefined ? `{{${path}}}` : `{{${path}=${String(value)}}}`;
}

export type KeyRenderer = (path: string, value?: string) => string;

export function renderKeys(text: string, render: KeyRenderer): string {
  return text.replace(/\{\{([^}=]+)(?:=([^}]*))?\}\}/g, (_, path: string, value?: string) =>
    render(path, value),
  );
}

/** The plain key, with its value as YAML would hold it: `nodeGroups.general.force: true`. */
export const plainKey: KeyRenderer = (path, value) => (value === undefined ? path : `${path}: ${value}`);

/**
 * Keys as a stack's config names them: `eks-upgrade:nodeGroups.general.force`, or the command that
 * sets one. The region is the AWS provider's `aws:region`, which the program reads.
 */
export function configKeyRenderer(namespace: string, stack?: string): KeyRenderer {
  return (path, value) => {
    const full = path === "region" ? "aws:region" : `${namespace}:${path}`;
    return value === undefined
      ? full
      : `pulumi config set --path '${full}' ${value}${stack ? ` --stack ${stack}` : ""}`;
  };
}
