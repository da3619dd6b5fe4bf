import type { Catalog, SsmParameter } from "./catalog";
import { epochSeconds } from "./clock";
import { SsmError } from "./errors";

/** SSM Parameter Store, public EKS AMI parameters only (derived from the catalog). */
export class SsmBackend {
  private readonly params: Map<string, SsmParameter>;

  /** Build it after the seed is loaded: seeds may add releases to the catalog. */
  constructor(
    catalog: Catalog,
    private readonly region: string,
  ) {
    this.params = catalog.ssmParameters();
  }

  getParameter(name: unknown) {
    if (typeof name !== "string" || name.length === 0) {
      throw new SsmError(
        "ValidationException",
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      );
    }
    const p = this.params.get(name);
    if (!p) throw new SsmError("ParameterNotFound");
    return { Parameter: this.render(p) };
  }

  getParameters(names: unknown) {
    if (
      !Array.isArray(names) ||
      names.length < 1 ||
      names.length > 10 ||
      names.some((n) => typeof n !== "string")
    ) {
      throw new SsmError(
        "ValidationException",
        `1 validation error detected: Value '${JSON.stringify(names)}' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
      );
    }
    const unique = [...new Set(names as string[])];
    const found = unique.filter((n) => this.params.has(n)).sort();
    return {
      Parameters: found.map((n) => this.render(this.params.get(n) as SsmParameter)),
      InvalidParameters: unique.filter((n) => !this.params.has(n)),
    };
  }

  /** Every parameter name (for tests and the admin state). */
  names(): string[] {
    return [...this.params.keys()].sort();
  }

  private render(p: SsmParameter) {
    return {
      Name: p.name,
      Type: "String",
      Value: p.value,
      Version: p.version,
      LastModifiedDate: epochSeconds(p.lastModified),
      ARN: `arn:aws:ssm:${this.region}::parameter${p.name}`,
      DataType: "text",
    };
  }
}
