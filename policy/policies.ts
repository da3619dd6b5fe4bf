import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { prodPinViolations, versionOwnershipViolations } from "./rules";

/** The policies of the eks-upgrade pack (index.ts registers them; tests call them directly). */
export const policies: ResourceValidationPolicy[] = [
  {
    name: "versions-owned-by-cluster-upgrade",
    description:
      "The cluster's, node groups' and add-ons' version fields ignore changes: ClusterUpgrade alone moves them.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      for (const v of versionOwnershipViolations(args.type, args.opts.ignoreChanges)) reportViolation(v);
    },
  },
  {
    name: "prod-pins-versions",
    description:
      'In stacks named prod*, node group releases and add-on versions are pinned (no "latest", "current" or "default").',
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      for (const v of prodPinViolations(pulumi.getStack(), args.type, args.props)) reportViolation(v);
    },
  },
];
